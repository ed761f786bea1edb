import pg from "pg";
import type { Store } from "../../src/store/store.js";
import type { openTestStore } from "../support/test-store.js";

/** The node-postgres pool under a store on PostgreSQL (drizzle's `$client`). */
export function poolOf(store: Store): pg.Pool | undefined {
  const client = (store.db as unknown as { $client?: unknown }).$client;
  return client instanceof pg.Pool ? client : undefined;
}

/**
 * Closes a test store. On PostgreSQL the helper drops the database `with
 * (force)` as soon as `pool.end()` resolves, which is before the pool's
 * connections have gone; each one the server then terminates makes the pool
 * emit `error`, and the store's pool has no listener for it (the `it.fails`
 * in open-store.test.ts), which would crash the test worker.
 */
export async function closeTestStore(
  test: Awaited<ReturnType<typeof openTestStore>>,
): Promise<void> {
  poolOf(test.store)?.on("error", () => {});
  await test.close();
}
