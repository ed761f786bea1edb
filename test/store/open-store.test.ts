import { readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStoreFromEnv } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/store.js";
import {
  BACKENDS,
  type Backend,
  openTestStore,
} from "../support/test-store.js";
import { closeTestStore, poolOf } from "./close-test-store.js";
import { AGENT, at, newRun, sha, T0 } from "./run-fixtures.js";

/** The migrations shipped in migrations/: every one is applied. */
const MIGRATIONS = readdirSync("migrations").filter((f) =>
  f.endsWith(".sql"),
).length;

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

/** A fresh database that a test can open a second time, as a restarted App would. */
interface TestDatabase {
  store: Store;
  /** Opens it again: PGlite after closing `store` (one process owns a directory), PostgreSQL beside it. */
  reopen(): Promise<Store>;
  remove(): Promise<void>;
}

async function freshDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === "pglite") {
    // A real directory, one level deeper than exists, so that it is created.
    const dir = await mkdtemp(join(tmpdir(), "specwright-store-"));
    const env = { SPECWRIGHT_DATA_DIR: join(dir, "nested", "pgdata") };
    const database: TestDatabase = {
      store: await openStoreFromEnv(env),
      async reopen() {
        await database.store.close();
        database.store = await openStoreFromEnv(env);
        return database.store;
      },
      async remove() {
        await database.store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
    return database;
  }
  const test = await openTestStore(backend);
  const [row] = await query<{ name: string }>(
    test.store,
    sql`select current_database() as name`,
  );
  const url = new URL(process.env.DATABASE_URL as string);
  url.pathname = `/${row?.name}`;
  const others: Store[] = [];
  return {
    store: test.store,
    async reopen() {
      const other = await openStoreFromEnv({ DATABASE_URL: url.toString() });
      others.push(other);
      return other;
    },
    async remove() {
      for (const other of others) {
        await other.close();
      }
      await closeTestStore(test);
    },
  };
}

describe.each(BACKENDS)("openStore (%s)", (backend) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await freshDatabase(backend);
  });
  afterAll(async () => {
    await database.remove();
  });

  it("applies the migrations to a fresh database", async () => {
    const { store } = database;

    const tables = await query<{ table_name: string }>(
      store,
      sql`select table_name from information_schema.tables
          where table_schema = 'public' order by table_name`,
    );

    expect(tables.map((t) => t.table_name)).toEqual([
      "agent_configurations",
      "artifacts",
      "effects",
      "github_pacing",
      "leases",
      "run_events",
      "runs",
      "stage_attempts",
      "webhook_deliveries",
    ]);
    expect(await appliedMigrations(store)).toBe(MIGRATIONS);
    expect(await store.loadRun(newRun().id)).toBeUndefined();
    expect(await store.nextEffectDue()).toBeUndefined();
    expect(poolOf(store) !== undefined).toBe(backend === "postgres");
  });

  it("keeps its runs when opened again, re-running the migrations harmlessly", async () => {
    const created = await database.store.createRun(
      newRun(),
      { type: "start", at: T0 },
      { agent: AGENT },
    );

    const again = await database.reopen();

    expect(await appliedMigrations(again)).toBe(MIGRATIONS);
    expect(await again.loadRun(newRun().id)).toEqual(created.state);
    expect(await again.agentConfiguration(newRun().id)).toMatchObject({
      agentBackend: "claude",
    });
    const claimed = await again.claimEffects(10, 60_000);
    expect(claimed.map((c) => c.effect.kind)).toEqual([
      "create_tracking_comment",
    ]);
    const next = await again.apply(newRun().id, {
      type: "branch_created",
      sha: sha("a"),
      at: at(1),
    });
    expect(next.state).toMatchObject({ version: 2, status: "in_progress" });
  }, 30_000);

  // PostgreSQL ending an idle connection (restart, failover, idle timeout)
  // makes the pool emit `error`; the store listens, so the App carries on.
  it.runIf(backend === "postgres")(
    "survives PostgreSQL ending an idle connection",
    () => {
      const pool = poolOf(database.store);
      const error = new Error(
        "terminating connection due to administrator command",
      );

      expect(() => pool?.emit("error", error)).not.toThrow();
    },
  );
});
