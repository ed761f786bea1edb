import type { Effect } from "../engine/effects.js";
import type { RunEvent } from "../engine/events.js";
import { findProblem } from "../engine/problems.js";
import type { RunState } from "../engine/run-state.js";
import { cancelWorkflowRun } from "./cancel-workflow-run.js";
import {
  createCheckRun,
  createGateCheckRun,
  updateCheckRun,
  updateGateCheckRun,
} from "./check-runs.js";
import { collectResult } from "./collect-result.js";
import { createBranch } from "./create-branch.js";
import { dispatchStage } from "./dispatch-stage.js";
import type { EffectContext } from "./effect-context.js";
import { ensureLabels } from "./labels.js";
import { postNotice } from "./notices.js";
import { openPullRequest } from "./open-pull-request.js";
import { redactResult } from "./redact-result.js";
import {
  createTrackingComment,
  moveTrackingComment,
  updateTrackingComment,
} from "./tracking-comment.js";
import { redactSecrets } from "./untrusted-text.js";

/** Performs one effect against GitHub; returns what happened, for the engine. */
export function performEffect(
  effect: Effect,
  context: EffectContext,
): Promise<RunEvent | null> {
  switch (effect.kind) {
    case "create_tracking_comment":
      return createTrackingComment(context);
    case "update_tracking_comment":
      return updateTrackingComment(context);
    case "create_branch":
      return createBranch(context);
    case "create_check_run":
      return createCheckRun(context, effect);
    case "update_check_run":
      return updateCheckRun(context, effect);
    case "dispatch_stage":
      return dispatchStage(context, effect);
    case "collect_result":
      // The bundle's text is the agent's: no credential in it is kept or shown.
      return collectResult(context, effect).then((event) =>
        redactResult(event, context.state.settings.secret_patterns),
      );
    case "open_pull_request":
      return openPullRequest(context);
    case "move_tracking_comment":
      return moveTrackingComment(context);
    case "ensure_labels":
      return ensureLabels(context);
    case "cancel_workflow_run":
      return cancelWorkflowRun(context, effect);
    case "create_gate_check_run":
      return createGateCheckRun(context, effect);
    case "update_gate_check_run":
      return updateGateCheckRun(context, effect);
    case "post_notice":
      return postNotice(context, effect);
  }
}

/**
 * What the run learns when an effect cannot be performed at all: GitHub
 * refused it, or kept failing until the runner gave up (`transient`). The
 * engine decides what that means for the run (see `effect_failed`).
 */
export function giveUpEvent(
  effect: Effect,
  error: string,
  transient: boolean,
  at: string,
): RunEvent {
  return {
    type: "effect_failed",
    kind: effect.kind,
    stage: "stage" in effect ? effect.stage : null,
    attempt: "attempt" in effect ? effect.attempt : null,
    // Kept in the run and shown: nothing that looks like a credential.
    message: redactSecrets(error),
    transient,
    at,
  };
}

/**
 * What the run learns when an effect whose lasting failure it keeps has
 * now worked (and said nothing else): the problem can go. Null when the
 * run keeps no failure of it.
 */
export function recoveredEvent(
  effect: Effect,
  state: RunState,
  at: string,
): RunEvent | null {
  const stage = "stage" in effect ? effect.stage : null;
  const attempt = "attempt" in effect ? effect.attempt : null;
  if (findProblem(state, effect.kind, stage, attempt) === undefined)
    return null;
  return { type: "effect_recovered", kind: effect.kind, stage, attempt, at };
}
