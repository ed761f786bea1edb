import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/store.js";

export type Backend = "pglite" | "postgres";

/** The backends the store's tests run on: PGlite always, PostgreSQL when DATABASE_URL is set. */
export const BACKENDS: Backend[] = process.env.DATABASE_URL
  ? ["pglite", "postgres"]
  : ["pglite"];

/**
 * A store for one test file: PGlite in memory, or a fresh PostgreSQL
 * database made on the server DATABASE_URL names and dropped at the end.
 */
export async function openTestStore(
  backend: Backend,
  clock?: () => Date,
): Promise<{
  store: Store;
  /** The fresh database's URL (PostgreSQL only). */
  databaseUrl?: string;
  reset(): Promise<void>;
  close(): Promise<void>;
}> {
  if (backend === "pglite") {
    const store = await openStore({
      dataDir: "memory://",
      ...(clock ? { clock } : {}),
    });
    return { store, reset: () => truncate(store), close: () => store.close() };
  }
  const server = process.env.DATABASE_URL as string;
  const name = `specwright_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const store = await openStore({
    databaseUrl: url.toString(),
    ...(clock ? { clock } : {}),
    // Dropping the database at the end ends the pool's connections.
    onConnectionError: () => {},
  });
  return {
    store,
    databaseUrl: url.toString(),
    reset: () => truncate(store),
    async close() {
      await store.close();
      const cleanup = new pg.Client({ connectionString: server });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

async function truncate(store: Store): Promise<void> {
  await store.db.execute(
    sql`truncate table run_events, effects, webhook_deliveries, artifacts, agent_configurations, stage_attempts, runs, leases`,
  );
  store.forgetRemembered();
}
