import { eq } from "drizzle-orm";
import type { Database, Tx } from "./database.js";
import * as schema from "./schema.js";

/** Whether a delivery has already been acted on. */
export async function hasDelivery(db: Database, id: string): Promise<boolean> {
  const rows = await db
    .select({ id: schema.webhookDeliveries.deliveryId })
    .from(schema.webhookDeliveries)
    .where(eq(schema.webhookDeliveries.deliveryId, id));
  return rows.length > 0;
}

/**
 * A delivery acted on: whether the engine took it (it has a run), and the
 * reply the App gave, if it kept one. Undefined if not seen.
 */
export async function findDelivery(
  db: Database,
  id: string,
): Promise<{ runId: string | null; reply: string | null } | undefined> {
  const [row] = await db
    .select({
      runId: schema.webhookDeliveries.runId,
      reply: schema.webhookDeliveries.reply,
    })
    .from(schema.webhookDeliveries)
    .where(eq(schema.webhookDeliveries.deliveryId, id));
  return row;
}

/** A delivery to record: what it was and what came of it. */
export interface DeliveryRecord {
  id: string;
  event: string;
  runId: string | null;
  reply?: string | null;
  receivedAt: string;
}

/** Records a delivery in `tx`; false if it was already recorded. */
export async function insertDelivery(
  tx: Tx | Database,
  delivery: DeliveryRecord,
): Promise<boolean> {
  const inserted = await tx
    .insert(schema.webhookDeliveries)
    .values({
      deliveryId: delivery.id,
      event: delivery.event,
      runId: delivery.runId,
      reply: delivery.reply ?? null,
      receivedAt: delivery.receivedAt,
    })
    .onConflictDoNothing()
    .returning({ id: schema.webhookDeliveries.deliveryId });
  return inserted.length > 0;
}

/** Forgets a delivery recorded as a claim whose work then failed. */
export async function forgetDelivery(db: Database, id: string): Promise<void> {
  await db
    .delete(schema.webhookDeliveries)
    .where(eq(schema.webhookDeliveries.deliveryId, id));
}
