import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { drizzle as drizzlePostgres } from "drizzle-orm/node-postgres";
import { migrate as migratePostgres } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { packageRoot } from "../package-root.js";
import { DrizzlePGlite } from "./drizzle-pglite.js";
import { Store } from "./store.js";

/** The SQL migrations, shipped beside `dist/` and `src/`. */
const MIGRATIONS = join(packageRoot(), "migrations");

export interface StoreOptions {
  /** PostgreSQL; without it, embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite's directory; `memory://` keeps everything in memory. */
  dataDir?: string | undefined;
  clock?: () => Date;
  /** Told when PostgreSQL ends an idle connection (the pool replaces it). */
  onConnectionError?: (error: Error) => void;
}

/**
 * Opens the store and applies pending migrations: a PostgreSQL server when
 * `databaseUrl` is set (several App replicas can share it), else embedded
 * PGlite in `dataDir` (default `./.data`).
 */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
    });
    // An idle connection the server ends (restart, failover, idle timeout)
    // is an "error" event; the pool drops it and opens another when needed.
    // Unhandled, the event would end the process.
    pool.on("error", (error) => options.onConnectionError?.(error));
    const db = drizzlePostgres(pool);
    await migratePostgres(db, { migrationsFolder: MIGRATIONS });
    return new Store(db, options.clock, () => pool.end());
  }
  const dataDir = options.dataDir ?? "./.data";
  if (!dataDir.startsWith("memory://"))
    await mkdir(dataDir, { recursive: true });
  const client = new DrizzlePGlite(dataDir);
  const db = drizzlePglite(client);
  await migratePglite(db, { migrationsFolder: MIGRATIONS });
  // The store keeps the client: the dashboard's feed LISTENs on it.
  return new Store(db, options.clock, () => client.close(), { pglite: client });
}

/** The store the environment asks for: `DATABASE_URL`, else `SPECWRIGHT_DATA_DIR`. */
export function openStoreFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  onConnectionError?: (error: Error) => void,
): Promise<Store> {
  return openStore({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.SPECWRIGHT_DATA_DIR,
    ...(onConnectionError ? { onConnectionError } : {}),
  });
}
