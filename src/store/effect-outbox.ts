import { eq, inArray, sql } from "drizzle-orm";
import type { Effect } from "../engine/effects.js";
import type { Database } from "./database.js";
import {
  joinSql,
  type PlainSql,
  plainSql,
  rawSql,
  runSql,
  updateSql,
} from "./plain-sql.js";
import * as schema from "./schema.js";

// The outbox: effects the engine asked for, queued with the state that
// asked for them and performed afterwards, at least once, in order per run.

export interface StoredEffect {
  id: number;
  runId: string;
  effect: Effect;
  tries: number;
  /**
   * The run's version when it was queued (null for effects queued before
   * it was kept): it is performed from the run at that version or later.
   */
  runVersion: number | null;
  /**
   * For an edit that only shows the run (`HELD_KINDS`), as claimed: whether
   * a later edit of the same comment or check run was pending then, and,
   * for a check run, a collection of its attempt (see the effect runner's
   * `isMoot`). Asked in the claim itself, to spare a query per edit.
   */
  later?: { same: boolean; collect: boolean };
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

/** `HELD_KINDS` as an SQL list. */
const HELD_LIST = joinSql(
  HELD_KINDS.map((kind) => plainSql`${kind}`),
  ", ",
);

/**
 * A pending effect of `kind` queued after the claimed one (`effects`) in its
 * run, for the same stage attempt when the claimed one is for one: as
 * `hasLaterPending` asks it.
 */
function pendingAfter(kind: PlainSql): PlainSql {
  return plainSql`select 1 from effects later
    where later.run_id = effects.run_id and later.kind = ${kind}
      and later.status = 'pending' and later.id > effects.id
      and (effects.payload->>'stage' is null or effects.payload->>'attempt' is null
        or (later.payload->>'stage' = effects.payload->>'stage'
          and later.payload->>'attempt' = effects.payload->>'attempt'))`;
}

/**
 * Marks done (superseded) every pending edit that only shows the run and
 * that a later pending edit of the same comment or check run will
 * overwrite anyway (both render the run as it is when performed), so that
 * none of them is claimed, read and completed one by one. One statement
 * for all runs. An edit leased to a worker now is left to it: the effect
 * runner finds it moot by itself.
 */
async function supersedeEdits(
  db: Database,
  at: string,
  runId: string | undefined,
): Promise<void> {
  await runSql(
    db,
    plainSql`
    update effects set status = 'done', superseded = true, completed_at = ${at},
      leased_until = null, leased_by = null
    where status = 'pending' and kind in (${HELD_LIST})
      ${runId === undefined ? rawSql("") : plainSql`and run_id = ${runId}`}
      and (leased_until is null or leased_until <= ${at})
      and exists (${pendingAfter(rawSql("effects.kind"))})
  `,
  );
}

/**
 * Claims the pending effects that are due, oldest first, one run at a time
 * in order: an effect is not handed out while an earlier one of the same
 * run is still pending. Claimed effects are leased for `leaseMs`. An edit
 * that only shows the run waits up to `holdMs` from when it was queued,
 * unless other work of its run is queued behind it.
 *
 * One statement, so one round trip and no transaction of its own: each
 * run's oldest pending effect, locked (a run whose oldest is locked, being
 * completed elsewhere, is skipped whole: handing out its next effect
 * instead would run them out of order); of those, the ones due and not
 * leased by a live worker (one whose heartbeat is current: a lease held by
 * a worker that crashed is void before its time) and not held; leased.
 */
export async function claimEffects(
  db: Database,
  claim: EffectClaim,
  now: Date,
): Promise<StoredEffect[]> {
  const { limit, leaseMs, runId, holder, holdMs = 0 } = claim;
  const at = now.toISOString();
  await supersedeEdits(db, at, runId);
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const rows = await runSql<{
    id: number | string;
    run_id: string;
    payload: unknown;
    tries: number;
    run_version: number | null;
    later_same: boolean | null;
    later_collect: boolean | null;
  }>(
    db,
    plainSql`
    with heads as (
      select id, run_id, kind, tries, available_at, leased_until, leased_by, created_at
      from effects
      where id in (
        select distinct on (run_id) id from effects
        where status = 'pending'${runId === undefined ? rawSql("") : plainSql` and run_id = ${runId}`}
        order by run_id, id
      )
      order by id
      for update skip locked
    ),
    chosen as (
      select h.id from heads h
      where h.available_at <= ${at}
        and not (
          h.leased_until is not null and h.leased_until > ${at}
          and (h.leased_by is null or h.leased_by in (
            select holder from leases
            where name like 'worker:%' and expires_at > ${at}
          ))
        )
        and not (
          ${holdMs} > 0 and h.tries = 0 and h.kind in (${HELD_LIST})
          and h.created_at + ${holdMs} * interval '1 millisecond' > ${at}
          and not exists (
            select 1 from effects behind
            where behind.run_id = h.run_id and behind.status = 'pending'
              and behind.kind not in (${HELD_LIST})
          )
        )
      order by h.id
      limit ${limit}
    )
    update effects set
      leased_until = ${until},
      leased_by = ${holder ?? null},
      tries = effects.tries + 1
    from chosen
    where effects.id = chosen.id
    returning effects.id, effects.run_id, effects.payload, effects.tries,
      effects.run_version,
      case when effects.kind in (${HELD_LIST}) then exists (
        ${pendingAfter(rawSql("effects.kind"))}
      ) end as later_same,
      case when effects.kind = 'update_check_run' then exists (
        ${pendingAfter(rawSql("'collect_result'"))}
      ) end as later_collect
  `,
  );
  return rows
    .map((row) => ({
      id: Number(row.id),
      runId: row.run_id,
      effect: (typeof row.payload === "string"
        ? JSON.parse(row.payload)
        : row.payload) as Effect,
      // As handed out: the try this claim starts is not yet counted.
      tries: row.tries - 1,
      runVersion: row.run_version,
      ...(row.later_same === null
        ? {}
        : {
            later: {
              same: row.later_same,
              collect: row.later_collect === true,
            },
          }),
    }))
    .sort((a, b) => a.id - b.id);
}

/** Marks an effect done (superseded: a later one made it moot). */
export async function completeEffectIn(
  db: Database,
  id: number,
  now: string,
  superseded = false,
): Promise<void> {
  await runSql(db, effectCompletion(id, now, superseded));
}

/** The update that marks an effect done. */
export function effectCompletion(
  id: number,
  now: string,
  superseded = false,
): PlainSql {
  const update = updateSql(schema.effects, {
    status: "done",
    completedAt: now,
    leasedUntil: null,
    leasedBy: null,
    superseded,
  });
  return plainSql`${update} where "effects"."id" = ${id}`;
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
