import { eq, sql } from "drizzle-orm";
import type { Database } from "./database.js";
import * as schema from "./schema.js";

/**
 * Puts a claimed effect back until `at`, without counting the claim as a
 * try: the pacer held its request back, GitHub did not refuse it.
 */
export async function deferEffect(
  db: Database,
  id: number,
  at: Date,
): Promise<void> {
  await db
    .update(schema.effects)
    .set({
      availableAt: at.toISOString(),
      leasedUntil: null,
      leasedBy: null,
      tries: sql`greatest(${schema.effects.tries} - 1, 0)`,
    })
    .where(eq(schema.effects.id, id));
}
