import { and, asc, eq, inArray, notInArray, sql } from "drizzle-orm";
import type { Effect } from "../engine/effects.js";
import type { Database, Tx } from "./database.js";
import * as schema from "./schema.js";

// The outbox: effects the engine asked for, queued with the state that
// asked for them and performed afterwards, at least once, in order per run.

export interface StoredEffect {
  id: number;
  runId: string;
  effect: Effect;
  tries: number;
}

/** What `claimEffects` hands out, and to whom. */
export interface EffectClaim {
  limit: number;
  leaseMs: number;
  runId?: string | undefined;
  holder?: string | undefined;
  /** How long an edit that only shows the run may wait (see `HELD_KINDS`). */
  holdMs?: number | undefined;
}

/**
 * Effects that only show the run's state as it is when they are performed
 * (they are rendered from the run then): one held back a moment shows the
 * same as it would have, or is made moot by a later one of its kind (see
 * the effect runner). Only on a first try; never while anything else of
 * the run waits behind it.
 */
export const HELD_KINDS: readonly Effect["kind"][] = [
  "update_check_run",
  "update_tracking_comment",
];

type EffectRow = typeof schema.effects.$inferSelect;

/** Whether a run's oldest pending effect may still wait, by itself. */
function mayWait(row: EffectRow, holdMs: number, now: Date): boolean {
  return (
    holdMs > 0 &&
    row.tries === 0 &&
    HELD_KINDS.includes(row.kind as Effect["kind"]) &&
    Date.parse(row.createdAt) + holdMs > now.getTime()
  );
}

/**
 * The runs among these with a pending effect of another kind than the
 * held ones: what waits behind a held effect ends its wait.
 */
async function runsWithWorkBehind(
  tx: Tx,
  runIds: readonly string[],
): Promise<Set<string>> {
  if (runIds.length === 0) return new Set();
  const rows = await tx
    .selectDistinct({ runId: schema.effects.runId })
    .from(schema.effects)
    .where(
      and(
        eq(schema.effects.status, "pending"),
        inArray(schema.effects.runId, [...runIds]),
        notInArray(schema.effects.kind, [...HELD_KINDS]),
      ),
    );
  return new Set(rows.map((r) => r.runId));
}

/**
 * Claims the pending effects that are due, oldest first, one run at a time
 * in order: an effect is not handed out while an earlier one of the same
 * run is still pending. Claimed effects are leased for `leaseMs`. An edit
 * that only shows the run waits up to `holdMs` from when it was queued,
 * unless other work of its run is queued behind it.
 */
export async function claimEffects(
  db: Database,
  claim: EffectClaim,
  now: Date,
): Promise<StoredEffect[]> {
  const { limit, leaseMs, runId, holder, holdMs = 0 } = claim;
  return db.transaction(async (tx) => {
    // Workers whose heartbeat is current: a lease held by any other worker
    // (one that crashed) is void before its time.
    const alive = new Set(
      (
        await tx
          .select({ holder: schema.leases.holder })
          .from(schema.leases)
          .where(
            and(
              sql`${schema.leases.name} like 'worker:%'`,
              sql`${schema.leases.expiresAt} > ${now.toISOString()}`,
            ),
          )
      ).map((r) => r.holder),
    );
    // Each run's oldest pending effect, then locked. A run whose oldest is
    // locked (being completed elsewhere) is skipped whole: handing out its
    // next effect instead would run them out of order.
    const candidates = await tx
      .select()
      .from(schema.effects)
      .where(
        sql`${schema.effects.id} in (select distinct on (run_id) id from effects where status = 'pending'${
          runId === undefined ? sql`` : sql` and run_id = ${runId}`
        } order by run_id, id)`,
      )
      .orderBy(asc(schema.effects.id))
      .for("update", { skipLocked: true });
    const busy = await runsWithWorkBehind(
      tx,
      candidates.filter((row) => mayWait(row, holdMs, now)).map((r) => r.runId),
    );
    const claimed: StoredEffect[] = [];
    for (const row of candidates) {
      const leased =
        row.leasedUntil !== null &&
        new Date(row.leasedUntil) > now &&
        (row.leasedBy === null || alive.has(row.leasedBy));
      if (leased || new Date(row.availableAt) > now) continue;
      if (mayWait(row, holdMs, now) && !busy.has(row.runId)) continue;
      claimed.push({
        id: row.id,
        runId: row.runId,
        effect: row.payload as Effect,
        tries: row.tries,
      });
      if (claimed.length >= limit) break;
    }
    if (claimed.length > 0) {
      await tx
        .update(schema.effects)
        .set({
          leasedUntil: new Date(now.getTime() + leaseMs).toISOString(),
          leasedBy: holder ?? null,
          tries: sql`${schema.effects.tries} + 1`,
        })
        .where(
          inArray(
            schema.effects.id,
            claimed.map((c) => c.id),
          ),
        );
    }
    return claimed;
  });
}

/** Marks an effect done in `tx` (superseded: a later one made it moot). */
export async function completeEffectIn(
  tx: Tx | Database,
  id: number,
  now: string,
  superseded = false,
): Promise<void> {
  await tx
    .update(schema.effects)
    .set({
      status: "done",
      completedAt: now,
      leasedUntil: null,
      leasedBy: null,
      superseded,
    })
    .where(eq(schema.effects.id, id));
}

/** Puts an effect back to be tried again at `retryAt`. */
export async function retryEffect(
  db: Database,
  id: number,
  error: string,
  retryAt: Date,
): Promise<void> {
  await db
    .update(schema.effects)
    .set({
      lastError: error,
      availableAt: retryAt.toISOString(),
      leasedUntil: null,
      leasedBy: null,
    })
    .where(eq(schema.effects.id, id));
}

/** Gives up on an effect. */
export async function failEffect(
  db: Database,
  id: number,
  error: string,
  now: string,
): Promise<void> {
  await db
    .update(schema.effects)
    .set({
      status: "failed",
      lastError: error,
      completedAt: now,
      leasedUntil: null,
      leasedBy: null,
    })
    .where(eq(schema.effects.id, id));
}

/**
 * When the next effect becomes due, if any is waiting: the earliest of each
 * run's oldest pending effect, counting its back-off, any lease on it, and
 * the `holdMs` an edit that only shows the run may wait (work queued behind
 * one makes it due at once; whoever queues work looks for it then).
 */
export async function nextEffectDue(
  db: Database,
  holdMs = 0,
): Promise<Date | undefined> {
  const { availableAt, leasedUntil, createdAt, kind, tries } = schema.effects;
  const held = sql`case when ${tries} = 0 and ${inArray(kind, [...HELD_KINDS])} then ${createdAt} + ${holdMs} * interval '1 millisecond' else ${availableAt} end`;
  const [row] = await db
    .select({
      at: sql<string>`min(greatest(${availableAt}, coalesce(${leasedUntil}, ${availableAt}), ${held}))`,
    })
    .from(schema.effects)
    .where(
      sql`${schema.effects.id} in (select distinct on (run_id) id from effects where status = 'pending' order by run_id, id)`,
    );
  return row?.at ? new Date(row.at) : undefined;
}
