import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openStoreFromEnv } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/store.js";
import {
  BACKENDS,
  type Backend,
  openTestStore,
} from "../support/test-store.js";
import { closeTestStore, poolOf } from "./close-test-store.js";
import { AGENT, at, newRun, sha, T0 } from "./run-fixtures.js";

/** Rows of a raw query; PGlite and node-postgres both answer `{ rows }`. */
async function query<T>(store: Store, statement: SQL): Promise<T[]> {
  const result = (await store.db.execute(statement)) as { rows: T[] };
  return result.rows;
}

async function appliedMigrations(store: Store): Promise<number> {
  const [row] = await query<{ count: number | string }>(
    store,
    sql`select count(*) as count from drizzle.__drizzle_migrations`,
  );
  return Number(row?.count);
}

/**
 * Opens the database a second time, the way a restarted App would: PGlite
 * in a directory on disk (closed first, as one process owns it), or a second
 * pool on the same PostgreSQL database.
 */
async function sameDatabase(backend: Backend, store: Store) {
  if (backend === "pglite") {
    const dir = await mkdtemp(join(tmpdir(), "specwright-store-"));
    const env = { SPECWRIGHT_DATA_DIR: join(dir, "nested", "pgdata") };
    return {
      first: await openStoreFromEnv(env),
      async reopen(first: Store) {
        await first.close();
        return openStoreFromEnv(env);
      },
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const [row] = await query<{ name: string }>(
    store,
    sql`select current_database() as name`,
  );
  const url = new URL(process.env.DATABASE_URL as string);
  url.pathname = `/${row?.name}`;
  return {
    first: store,
    reopen: () => openStoreFromEnv({ DATABASE_URL: url.toString() }),
    remove: async () => {},
  };
}

describe.each(BACKENDS)("openStore (%s)", (backend) => {
  let test: Awaited<ReturnType<typeof openTestStore>>;

  beforeAll(async () => {
    test = await openTestStore(backend);
  });
  afterAll(async () => {
    await closeTestStore(test);
  });
  beforeEach(async () => {
    await test.reset();
  });

  it("applies the migrations to a fresh database", async () => {
    const tables = await query<{ table_name: string }>(
      test.store,
      sql`select table_name from information_schema.tables
          where table_schema = 'public' order by table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      "agent_configurations",
      "artifacts",
      "effects",
      "runs",
      "stage_attempts",
      "webhook_deliveries",
    ]);
    expect(await appliedMigrations(test.store)).toBe(1);
    expect(await test.store.loadRun(newRun().id)).toBeUndefined();
    expect(await test.store.nextEffectDue()).toBeUndefined();
    expect(poolOf(test.store) !== undefined).toBe(backend === "postgres");
  });

  // Bug: openStore's pg.Pool has no `error` listener. When PostgreSQL ends
  // an idle connection (a restart, a failover, pg_terminate_backend,
  // idle_session_timeout) the pool emits `error`, and with no listener that
  // is an uncaught exception that takes the App down. Terminating the
  // backend for real would crash this worker, so the pool's emit stands in.
  it.runIf(backend === "postgres").fails(
    "survives PostgreSQL ending an idle connection",
    () => {
      const pool = poolOf(test.store);
      const error = new Error(
        "terminating connection due to administrator command",
      );

      expect(() => pool?.emit("error", error)).not.toThrow();
    },
  );

  it("keeps its runs when opened again, re-running the migrations harmlessly", async () => {
    const place = await sameDatabase(backend, test.store);
    let second: Store | undefined;
    try {
      const created = await place.first.createRun(
        newRun(),
        { type: "start", at: T0 },
        { agent: AGENT },
      );
      second = await place.reopen(place.first);

      expect(await appliedMigrations(second)).toBe(1);
      expect(await second.loadRun(newRun().id)).toEqual(created.state);
      expect(await second.agentConfiguration(newRun().id)).toMatchObject({
        agentBackend: "claude",
      });
      const claimed = await second.claimEffects(10, 60_000);
      expect(claimed.map((c) => c.effect.kind)).toEqual([
        "create_tracking_comment",
      ]);
      const next = await second.apply(newRun().id, {
        type: "branch_created",
        sha: sha("a"),
        at: at(1),
      });
      expect(next.state).toMatchObject({ version: 2, status: "in_progress" });
    } finally {
      if (second !== undefined && second !== test.store) {
        // The database is dropped with its connections later (see closeTestStore).
        poolOf(second)?.on("error", () => {});
        await second.close();
      }
      await place.remove();
    }
  }, 30_000);
});
