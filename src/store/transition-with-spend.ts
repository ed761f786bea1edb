import { budgetGateRenewal } from "../engine/budget-gate.js";
import type { Effect } from "../engine/effects.js";
import type { RunEvent } from "../engine/events.js";
import {
  needsRepositorySpend,
  type RepositorySpendSource,
  readRepositorySpend,
} from "../engine/repository-spend.js";
import type { RunState } from "../engine/run-state.js";
import { type Transition, transition } from "../engine/transition.js";

/** Effects whose decision the repository's spend may change. */
const SPEND_BOUND = new Set<Effect["kind"]>([
  "dispatch_stage",
  "create_gate_check_run",
]);

/**
 * The engine's transition, told the repository's spend first where it
 * counts: when the run has a daily or monthly budget and the event would
 * dispatch a stage or hold one at a gate, or is the tick of a new day or
 * month that may free a stage held by it, a `repository_spend` event read
 * from `source` is applied before it. Other runs and events read nothing.
 */
export async function transitionWithSpend(
  current: RunState,
  event: RunEvent,
  source: RepositorySpendSource,
): Promise<Transition> {
  const next = transition(current, event);
  if (
    event.type === "repository_spend" ||
    !needsRepositorySpend(current.settings) ||
    !(
      next.effects.some((effect) => SPEND_BOUND.has(effect.kind)) ||
      (event.type === "tick" && budgetGateRenews(current, event.at))
    )
  )
    return next;
  const spend = await readRepositorySpend(
    source,
    current,
    spendReadAt(current, event.at),
  );
  const told = transition(current, spend);
  const after = transition(told.state, event);
  return {
    state: after.state,
    effects: oneTrackingCommentUpdate([...told.effects, ...after.effects]),
  };
}

/** Whether a new day or month may free a stage held at a budget gate by `at`. */
function budgetGateRenews(run: RunState, at: string): boolean {
  const now = Date.parse(at);
  return run.stages.some(
    (stage) =>
      (budgetGateRenewal(run, stage) ?? Number.POSITIVE_INFINITY) <= now,
  );
}

/**
 * When the spend read counts as of: the end of this run's latest stored
 * attempt of the day (the store's sum has it and every earlier one), or the
 * day's start. The engine adds the run's attempts that end after it, the
 * one this event ends included, so none is counted twice or missed.
 */
function spendReadAt(run: RunState, at: string): Date {
  let latest = `${at.slice(0, 10)}T00:00:00.000Z`;
  for (const stage of run.stages) {
    for (const { completed_at: ended } of stage.attempts) {
      if (ended !== null && ended > latest && ended <= at) latest = ended;
    }
  }
  return new Date(latest);
}

function oneTrackingCommentUpdate(effects: Effect[]): Effect[] {
  const last = effects.findLastIndex(
    (effect) => effect.kind === "update_tracking_comment",
  );
  return effects.filter(
    (effect, i) => effect.kind !== "update_tracking_comment" || i === last,
  );
}
