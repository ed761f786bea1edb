import { stageName } from "../workflow/schema.js";
import { advance, failStage, finishRun } from "./advance.js";
import { ATTEMPT_HANDLERS } from "./attempt-events.js";
import {
  allowOverBudget,
  liftBudgetGates,
  stopAtBudgetGate,
} from "./budget-gate.js";
import { oversizeFirstRequest } from "./check-first-requests.js";
import { copyOf, sharesUnchanged, textOf } from "./copy-run.js";
import {
  effectFailed,
  effectRecovered,
  forgetProblems,
} from "./effect-failed.js";
import type { Effect } from "./effects.js";
import type { RunEvent } from "./events.js";
import { RERUN_HANDLERS } from "./rerun-events.js";
import {
  findStage,
  isTerminalRun,
  type RunState,
  waitsAtBudgetGate,
} from "./run-state.js";
import { applyDue } from "./timers.js";
import type {
  Handler,
  Handlers,
  TransitionContext,
} from "./transition-context.js";

export { MAX_REDISPATCHES } from "./attempt-events.js";

export interface Transition {
  state: RunState;
  effects: Effect[];
}

const HANDLERS: Handlers<RunEvent["type"]> = {
  ...ATTEMPT_HANDLERS,
  ...RERUN_HANDLERS,
  effect_failed: effectFailed,
  effect_recovered: effectRecovered,

  start(context, event) {
    const { state, effects } = context;
    if (state.status !== "queued" || state.started_at !== null) return;
    state.started_at = event.at;
    if (state.issue !== null) effects.push({ kind: "create_tracking_comment" });
    // A first stage GitHub would not take: the run ends before it makes
    // a branch it would leave behind.
    const oversize = oversizeFirstRequest(state);
    if (oversize !== undefined) {
      const stage = findStage(state, oversize.stage.id);
      if (stage !== undefined) {
        stage.status = "failed";
        stage.reason = oversize.error;
      }
      finishRun(
        context,
        "failed",
        `Stage ${stageName(oversize.stage)} failed: ${oversize.error}; no branch was made`,
      );
      return;
    }
    effects.push({ kind: "ensure_labels" }, { kind: "create_branch" });
  },

  branch_created(context, event) {
    const { state } = context;
    if (state.status !== "queued") return;
    state.base_sha = event.sha;
    state.head_sha = event.sha;
    state.status = "in_progress";
    state.started_at ??= event.at;
    advance(context);
  },

  branch_failed(context, event) {
    if (context.state.status !== "queued") return;
    finishRun(
      context,
      "failed",
      `Could not create the feature branch: ${event.error}`,
    );
  },

  tracking_comment_created(context, event) {
    context.state.tracking_comment_id ??= event.comment_id;
    forgetProblems(context, "create_tracking_comment");
  },

  tracking_comment_moved(context, event) {
    context.state.tracking_comment_id = event.comment_id;
    context.state.tracking_comment_on = event.number;
    forgetProblems(context, "move_tracking_comment");
  },

  check_run_created(context, event) {
    const attempt = findStage(context.state, event.stage)?.attempts.find(
      (a) => a.attempt === event.attempt,
    );
    if (attempt) attempt.check_run_id ??= event.check_run_id;
    forgetProblems(context, "create_check_run", {
      stage: event.stage,
      attempt: event.attempt,
    });
  },

  gate_check_run_created(context, event) {
    const { state, effects } = context;
    const stage = findStage(state, event.stage);
    if (stage === undefined) return;
    if (stage.waiting_since !== event.waiting_since) {
      // Made for an earlier wait (the stage was reset meanwhile): close it.
      if (stage.gate_check_run_id !== event.check_run_id) {
        effects.push({
          kind: "update_gate_check_run",
          stage: stage.id,
          check_run_id: event.check_run_id,
          superseded: true,
        });
      }
      return;
    }
    if (stage.gate_check_run_id !== null) return;
    stage.gate_check_run_id = event.check_run_id;
    forgetProblems(context, "create_gate_check_run", { stage: stage.id });
    // Decided while the check run was being made: show the decision.
    if (stage.status !== "waiting_approval")
      effects.push({ kind: "update_gate_check_run", stage: stage.id });
  },

  pull_request_opened(context, event) {
    const { state, effects } = context;
    if (state.pull_request !== null) return;
    state.pull_request = { number: event.number, url: event.url };
    state.pull_request_draft_refused = event.draft_refused === true;
    forgetProblems(context, "open_pull_request");
    if (
      state.tracking_comment_id !== null &&
      state.tracking_comment_on === null
    )
      effects.push({ kind: "move_tracking_comment" });
  },

  approve(context, event) {
    const stage = findStage(context.state, event.stage);
    if (stage === undefined || stage.status !== "waiting_approval") return;
    if (waitsAtBudgetGate(stage)) {
      allowOverBudget(context, stage, event.by);
      advance(context);
      return;
    }
    stage.approved_by = event.by;
    stage.status = "pending";
    if (stage.gate_check_run_id !== null)
      context.effects.push({ kind: "update_gate_check_run", stage: stage.id });
    advance(context);
  },

  reject(context, event) {
    const stage = findStage(context.state, event.stage);
    if (stage === undefined || stage.status !== "waiting_approval") return;
    if (waitsAtBudgetGate(stage)) {
      stopAtBudgetGate(context, stage, event.by);
      return;
    }
    stage.rejected_by = event.by;
    stage.status = "failed";
    if (stage.gate_check_run_id !== null)
      context.effects.push({ kind: "update_gate_check_run", stage: stage.id });
    failStage(
      context,
      stage,
      `rejected by @${event.by}${event.reason ? `: ${event.reason}` : ""}`,
    );
  },

  cancel(context, event) {
    finishRun(context, "cancelled", `Cancelled by @${event.by}`);
  },

  hold({ state }, event) {
    if (state.status !== "in_progress" && state.status !== "queued") return;
    state.hold ??= { by: event.by, at: event.at };
  },

  unhold(context) {
    if (context.state.hold === null) return;
    context.state.hold = null;
    applyDue(context);
    advance(context);
  },

  repository_spend(context, event) {
    const { state } = context;
    state.repository_spend = {
      at: event.at,
      day: event.day,
      month: event.month,
    };
    if (state.status !== "in_progress") return;
    liftBudgetGates(context);
    advance(context);
  },

  tick(context) {
    if (context.state.status !== "in_progress") return;
    applyDue(context);
    advance(context);
  },
};

/** Events still recorded after a run has ended; they start nothing. */
const BOOKKEEPING = new Set<RunEvent["type"]>([
  "tracking_comment_created",
  "tracking_comment_moved",
  "pull_request_opened",
  "check_run_created",
  "gate_check_run_created",
  "stage_dispatched",
  "workflow_run_updated",
  // What failed is shown even after the run ended (a workflow run that
  // could not be cancelled, a last notice that could not be posted).
  "effect_failed",
  "effect_recovered",
  // Re-running a stage, or resuming, opens a failed or finished run again.
  "rerun",
  "resume",
]);

/**
 * The engine: applies one event to a run and says what must happen next. It
 * never changes its input; an event that does not apply (a duplicate, one
 * about an attempt that already ended, one for a finished run) changes
 * nothing and asks for nothing.
 */
export function transition(current: RunState, event: RunEvent): Transition {
  if (isTerminalRun(current) && !BOOKKEEPING.has(event.type)) {
    return { state: current, effects: [] };
  }
  const { state, before } = copyOf(current);
  const context: TransitionContext = { state, effects: [], at: event.at };
  const handler = HANDLERS[event.type] as Handler<typeof event.type>;
  handler(context, event as never);
  const changed = textOf(state) !== before || !sharesUnchanged(state, current);
  if (!changed && context.effects.length === 0)
    return { state: current, effects: [] };
  state.version = current.version + 1;
  if (
    state.tracking_comment_id !== null &&
    event.type !== "tracking_comment_created" &&
    event.type !== "tracking_comment_moved" &&
    // An edit that failed for good is not asked for again by its own
    // failure; one that worked again showed the comment as it is (the
    // comment does not show its own failures).
    !(
      (event.type === "effect_failed" || event.type === "effect_recovered") &&
      event.kind === "update_tracking_comment"
    )
  ) {
    addCommentEdit(context.effects);
  }
  return { state, effects: context.effects };
}

/**
 * The tracking comment's edit, before the transition's notices: a person a
 * notice sends to the comment finds it current. None when the comment
 * moves: the move posts it as the run is then.
 */
function addCommentEdit(effects: Effect[]): void {
  if (effects.some((e) => e.kind === "move_tracking_comment")) return;
  const notice = effects.findIndex((e) => e.kind === "post_notice");
  const edit: Effect = { kind: "update_tracking_comment" };
  if (notice === -1) effects.push(edit);
  else effects.splice(notice, 0, edit);
}
