import type { Effect } from "../engine/effects.js";
import type { Database } from "./database.js";
import {
  joinSql,
  type PlainSql,
  plainSql,
  rawSql,
  runSql,
} from "./plain-sql.js";

// Edits that only show the run, held back a moment so that a burst of
// changes makes one edit: which they are, when one is held, and folding
// those a later one overwrites.

/**
 * Edits that only show the run's state as it is when they are performed
 * (they are rendered from the run then): one held back a moment shows the
 * same as it would have, or is made moot by a later one of its kind (see
 * the effect runner).
 */
export const EDIT_KINDS: readonly Effect["kind"][] = [
  "update_check_run",
  "update_tracking_comment",
];

/** `EDIT_KINDS` as an SQL list. */
export const EDIT_LIST = sqlList(EDIT_KINDS);

/**
 * What is held back a moment on its first try: the edits, and the tracking
 * comment's posting (the command's reaction has already said it was seen,
 * and a comment posted a moment later shows the first stage under way
 * instead of needing an edit to). Work of the run queued behind a held
 * effect goes past it (it shows that work's outcome when its turn comes),
 * except what ends its hold (`isHeld`). It keeps its place before anything
 * queued after its hold.
 */
export const HELD_KINDS: readonly Effect["kind"][] = [
  ...EDIT_KINDS,
  "create_tracking_comment",
];

/** `HELD_KINDS` as an SQL list. */
export const HELD_LIST = sqlList(HELD_KINDS);

function sqlList(kinds: readonly string[]): PlainSql {
  return joinSql(
    kinds.map((kind) => plainSql`${kind}`),
    ", ",
  );
}

/**
 * Whether the effect `alias` names is of the kind a hold applies to, and on
 * its first try (`isHeld` says whether it is held now). Never with
 * `holdMs` 0.
 */
export function mayBeHeld(alias: string, holdMs: number): PlainSql {
  if (holdMs <= 0) return rawSql("false");
  const e = rawSql(alias);
  return plainSql`(${e}.tries = 0 and ${e}.kind in (${HELD_LIST}))`;
}

/**
 * Whether the effect `alias` names is an edit still held at `at`: a first
 * try of a held kind, queued (or standing for edits queued, see
 * `supersedeEdits`) less than `holdMs` ago. What ends a hold early: a
 * notice queued behind the edit (a person told to look sees the run as it
 * is), and, for a check run's edit, a check run created behind it (a
 * stage's check run shows where it got to before the next one appears),
 * and, for the tracking comment's posting, the pull request it moves to.
 * Never with `holdMs` 0.
 */
export function isHeld(alias: string, holdMs: number, at: string): PlainSql {
  if (holdMs <= 0) return rawSql("false");
  const e = rawSql(alias);
  return plainSql`(${mayBeHeld(alias, holdMs)}
    and ${e}.created_at + ${holdMs} * interval '1 millisecond' > ${at}
    and not exists (
      select 1 from effects ender
      where ender.run_id = ${e}.run_id and ender.status = 'pending'
        and ender.id > ${e}.id
        and (ender.kind = 'post_notice'
          or (${e}.kind = 'update_check_run'
            and ender.kind in ('create_check_run', 'create_gate_check_run'))
          or (${e}.kind = 'create_tracking_comment'
            and ender.kind in ('open_pull_request', 'move_tracking_comment')))
    ))`;
}

/**
 * A pending effect of `kind` queued after the claimed one (`effects`) in its
 * run, for the same stage attempt when the claimed one is for one: as
 * `hasLaterPending` asks it.
 */
export function pendingAfter(kind: PlainSql): PlainSql {
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
 * overwrite anyway (both render the run as it is when performed), or, for
 * the tracking comment, that a later move of it will (the move posts it
 * anew as the run is then, and leaves a link in its old place), so that
 * none of them is claimed, read and completed one by one. The edit that
 * stays takes the earliest `created_at` of those it replaces: its hold
 * counts from the first change it shows, so that a run that keeps changing
 * is still shown within the hold. One statement for all runs. An edit
 * leased to a worker now is left to it: the effect runner finds it moot by
 * itself.
 */
export async function supersedeEdits(
  db: Database,
  at: string,
  runId: string | undefined,
): Promise<void> {
  const ofRun =
    runId === undefined ? rawSql("") : plainSql`and run_id = ${runId}`;
  await runSql(
    db,
    plainSql`
    with gone as (
      update effects set status = 'done', superseded = true, completed_at = ${at},
        leased_until = null, leased_by = null
      where status = 'pending' and kind in (${EDIT_LIST}) ${ofRun}
        and (leased_until is null or leased_until <= ${at})
        and (exists (${pendingAfter(rawSql("effects.kind"))})
          or (kind = 'update_tracking_comment'
            and exists (${pendingAfter(rawSql("'move_tracking_comment'"))})))
      returning id, run_id, kind, payload->>'stage' as stage,
        payload->>'attempt' as attempt, created_at
    ),
    firsts as (
      select run_id, kind, stage, attempt, min(created_at) as first
      from gone group by run_id, kind, stage, attempt
    )
    update effects set created_at = firsts.first
    from firsts
    where effects.status = 'pending' and effects.tries = 0
      and effects.id not in (select id from gone)
      and effects.run_id = firsts.run_id and effects.kind = firsts.kind
      and (firsts.stage is null or firsts.attempt is null
        or (effects.payload->>'stage' = firsts.stage
          and effects.payload->>'attempt' = firsts.attempt))
      and effects.created_at > firsts.first
  `,
  );
}
