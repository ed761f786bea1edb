import pg from "pg";
import type { Store } from "../../src/store/store.js";
import type { openTestStore } from "../support/test-store.js";

/** The node-postgres pool under a store on PostgreSQL (drizzle's `$client`). */
export function poolOf(store: Store): pg.Pool | undefined {
  const client = (store.db as unknown as { $client?: unknown }).$client;
  return client instanceof pg.Pool ? client : undefined;
}

/** Closes a test store (and drops its PostgreSQL database). */
export async function closeTestStore(
  test: Awaited<ReturnType<typeof openTestStore>>,
): Promise<void> {
  await test.close();
}
