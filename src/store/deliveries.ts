import { eq } from "drizzle-orm";
import type { Database } from "./database.js";
import { insertSql, type PlainSql, plainSql, runSql } from "./plain-sql.js";
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

/** Records a delivery; false if it was already recorded. */
export async function insertDelivery(
  db: Database,
  delivery: DeliveryRecord,
): Promise<boolean> {
  return (await runSql(db, deliveryInsert(delivery))).length > 0;
}

/** The insert of a delivery: returns a row unless it was recorded before. */
export function deliveryInsert(delivery: DeliveryRecord): PlainSql {
  const insert = insertSql(schema.webhookDeliveries, [
    {
      deliveryId: delivery.id,
      event: delivery.event,
      runId: delivery.runId,
      reply: delivery.reply ?? null,
      receivedAt: delivery.receivedAt,
    },
  ]);
  return plainSql`${insert} on conflict do nothing returning "delivery_id"`;
}

/** Forgets a delivery recorded as a claim whose work then failed. */
export async function forgetDelivery(db: Database, id: string): Promise<void> {
  await db
    .delete(schema.webhookDeliveries)
    .where(eq(schema.webhookDeliveries.deliveryId, id));
}
