import { and, eq, sql } from "drizzle-orm";
import type { Database } from "./database.js";
import * as schema from "./schema.js";

/**
 * Takes (or keeps) the named lease for `ttlMs` if nobody else holds it:
 * the lock that lets one replica at a time run the reconciler, and each
 * worker's heartbeat.
 */
export async function acquireLease(
  db: Database,
  lease: { name: string; holder: string; ttlMs: number },
  now: Date,
): Promise<boolean> {
  const { name, holder } = lease;
  const expires = new Date(now.getTime() + lease.ttlMs).toISOString();
  const rows = await db
    .insert(schema.leases)
    .values({ name, holder, expiresAt: expires })
    .onConflictDoUpdate({
      target: schema.leases.name,
      set: { holder, expiresAt: expires },
      setWhere: sql`${schema.leases.expiresAt} < ${now.toISOString()} or ${schema.leases.holder} = ${holder}`,
    })
    .returning({ name: schema.leases.name });
  return rows.length > 0;
}

/** Gives the lease up, if `holder` has it. */
export async function releaseLease(
  db: Database,
  name: string,
  holder: string,
): Promise<void> {
  await db
    .delete(schema.leases)
    .where(and(eq(schema.leases.name, name), eq(schema.leases.holder, holder)));
}
