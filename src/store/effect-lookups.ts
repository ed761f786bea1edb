import { and, eq, lte, sql } from "drizzle-orm";
import type { Effect } from "../engine/effects.js";
import type { Database } from "./database.js";
import type { StoredEffect } from "./effect-outbox.js";
import * as schema from "./schema.js";

// Questions about the outbox, asked without claiming anything: whether an
// edit is made moot by a later one, which runs still have work, whether
// an attempt's effect is still to be done.

/**
 * Whether a later effect of `kind` (by default the effect's own) is
 * pending for the run, for the same stage attempt when the effect is for
 * one (for coalescing).
 */
export async function hasLaterPending(
  db: Database,
  effect: StoredEffect,
  kind: Effect["kind"] = effect.effect.kind,
): Promise<boolean> {
  const target = effect.effect;
  const rows = await db
    .select({ id: schema.effects.id })
    .from(schema.effects)
    .where(
      and(
        eq(schema.effects.runId, effect.runId),
        eq(schema.effects.kind, kind),
        eq(schema.effects.status, "pending"),
        sql`${schema.effects.id} > ${effect.id}`,
        "stage" in target && "attempt" in target
          ? and(
              sql`${schema.effects.payload}->>'stage' = ${target.stage}`,
              sql`(${schema.effects.payload}->>'attempt')::int = ${target.attempt}`,
            )
          : undefined,
      ),
    )
    .limit(1);
  return rows.length > 0;
}

/** The ids of runs with effects due by `now` still to perform. */
export async function runsWithPendingEffects(
  db: Database,
  now: string,
): Promise<string[]> {
  const rows = await db
    .selectDistinct({ runId: schema.effects.runId })
    .from(schema.effects)
    .where(
      and(
        eq(schema.effects.status, "pending"),
        lte(schema.effects.availableAt, now),
      ),
    );
  return rows.map((r) => r.runId);
}

/** Whether an effect of `kind` for the stage attempt is still to be performed. */
export async function hasPendingEffect(
  db: Database,
  runId: string,
  kind: Effect["kind"],
  attempt: { stage: string; attempt: number },
): Promise<boolean> {
  const rows = await db
    .select({ id: schema.effects.id })
    .from(schema.effects)
    .where(
      and(
        eq(schema.effects.runId, runId),
        eq(schema.effects.kind, kind),
        eq(schema.effects.status, "pending"),
        sql`${schema.effects.payload}->>'stage' = ${attempt.stage}`,
        sql`(${schema.effects.payload}->>'attempt')::int = ${attempt.attempt}`,
      ),
    )
    .limit(1);
  return rows.length > 0;
}
