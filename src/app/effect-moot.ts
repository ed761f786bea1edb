import { liveAttempt } from "../engine/attempts.js";
import type { RunState } from "../engine/run-state.js";
import { EDIT_KINDS } from "../store/held-edits.js";
import type { Store, StoredEffect } from "../store/store.js";

// Edits the effect runner need not make: what it claimed would be
// overwritten anyway. What was queued is as the claim saw it, moments ago.

/**
 * Whether an edit that shows the run (`EDIT_KINDS`) would be overwritten by
 * a later edit of the same comment or check run (both render the run as it
 * is when performed). Known from the claim (`later.same`): the run is not
 * even read.
 */
export async function isSuperseded(
  store: Store,
  stored: StoredEffect,
): Promise<boolean> {
  if (!EDIT_KINDS.includes(stored.effect.kind)) return false;
  return stored.later?.same ?? store.hasLaterPending(stored);
}

/**
 * Whether a stage attempt's check-run edit is moot for another reason:
 * its workflow run has ended and collecting the result is queued —
 * however that goes, it ends the attempt, which updates the check run.
 */
export async function isMoot(
  store: Store,
  stored: StoredEffect,
  state: RunState,
): Promise<boolean> {
  const { effect, later } = stored;
  if (effect.kind !== "update_check_run") return false;
  const live = liveAttempt(state, effect.stage, effect.attempt);
  if (live === undefined || live.attempt.conclusion === null) return false;
  return later?.collect ?? store.hasLaterPending(stored, "collect_result");
}
