import { eq } from "drizzle-orm";
import type { Effect } from "../engine/effects.js";
import type { Database } from "./database.js";
import {
  EDIT_LIST,
  isHeld,
  mayBeHeld,
  pendingAfter,
  supersedeEdits,
} from "./held-edits.js";
import {
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
   * For an edit that only shows the run (`EDIT_KINDS`), as claimed: whether
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
  /** How long an edit that only shows the run may wait (`HELD_KINDS`, `held-edits.ts`). */
  holdMs?: number | undefined;
}

/** Whether the effect `alias` names is leased to a worker that is alive (`live`). */
function leasedLive(alias: string, at: string): PlainSql {
  const e = rawSql(alias);
  return plainSql`(${e}.leased_until is not null and ${e}.leased_until > ${at}
    and (${e}.leased_by is null or ${e}.leased_by in (select holder from live)))`;
}

/**
 * Claims the pending effects that are due, oldest first, one run at a time
 * in order: an effect is not handed out while an earlier one of the same
 * run is still pending, or while a later one is being performed. Claimed
 * effects are leased for `leaseMs`. An edit that only shows the run waits
 * up to `holdMs` (`isHeld`), and the run's other work goes past it
 * meanwhile.
 *
 * One statement, so one round trip and no transaction of its own: each
 * run's oldest pending effect, locked as the run's anchor (a run whose
 * anchor is locked, by another claim or a completion, is skipped whole:
 * two claims never pick from one run at once, whatever each finds held);
 * in each run, the oldest pending effect not held; of those, the ones due
 * and not leased by a live worker (one whose heartbeat is current: a lease
 * held by a worker that crashed is void before its time), with nothing
 * after them leased so; leased, if still pending and still not leased so.
 * That last look is at the row as it is when the update reaches it (read
 * committed looks again at a row another claim changed since this
 * statement began), so a claim that committed its lease meanwhile is seen
 * and the effect is not handed out twice.
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
    with live as (
      select holder from leases
      where name like 'worker:%' and expires_at > ${at}
    ),
    anchors as (
      select id, run_id from effects
      where status = 'pending' and id in (
        select distinct on (run_id) id from effects
        where status = 'pending'${runId === undefined ? rawSql("") : plainSql` and run_id = ${runId}`}
        order by run_id, id
      )
      order by id
      for update skip locked
    ),
    heads as (
      select distinct on (e.run_id) e.id, e.run_id, e.available_at,
        e.leased_until, e.leased_by
      from effects e join anchors a on a.run_id = e.run_id
      where e.status = 'pending' and not ${isHeld("e", holdMs, at)}
      order by e.run_id, e.id
    ),
    chosen as (
      select h.id from heads h
      where h.available_at <= ${at}
        and not ${leasedLive("h", at)}
        and not exists (
          select 1 from effects busy
          where busy.run_id = h.run_id and busy.status = 'pending'
            and busy.id > h.id and ${leasedLive("busy", at)}
        )
      order by h.id
      limit ${limit}
    )
    update effects set
      leased_until = ${until},
      leased_by = ${holder ?? null},
      tries = effects.tries + 1
    from chosen
    where effects.id = chosen.id and effects.status = 'pending'
      and not ${leasedLive("effects", at)}
    returning effects.id, effects.run_id, effects.payload, effects.tries,
      effects.run_version,
      case when effects.kind in (${EDIT_LIST}) then exists (
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
 * run's oldest pending effect not held, counting its back-off and any lease
 * on it, and of the end of hold of each held effect that nothing else of its
 * run keeps waiting (an older effect, or a later one being performed: its
 * end looks again). Work queued behind a held effect is due at once;
 * whoever queues it looks for it then.
 */
export async function nextEffectDue(
  db: Database,
  holdMs = 0,
  now: Date = new Date(),
): Promise<Date | undefined> {
  const at = now.toISOString();
  const heldKind = (alias: string) => mayBeHeld(alias, holdMs);
  const [row] = await runSql<{ ms: number | string | null }>(
    db,
    plainSql`
    select extract(epoch from min(case when ${heldKind("effects")}
        then greatest(available_at, created_at + ${holdMs} * interval '1 millisecond')
        else greatest(available_at, coalesce(leased_until, available_at)) end
      )) * 1000 as ms
    from effects
    where status = 'pending' and ((${heldKind("effects")} and not exists (
      select 1 from effects other
      where other.run_id = effects.run_id and other.status = 'pending'
        and not ${heldKind("other")}
        and (other.id < effects.id or other.leased_until > ${at})
    )) or id in (
      select distinct on (run_id) id from effects e
      where status = 'pending' and not ${heldKind("e")}
      order by run_id, id
    ))
  `,
  );
  return row?.ms == null ? undefined : new Date(Math.round(Number(row.ms)));
}
