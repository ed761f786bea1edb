import type { Effect } from "../engine/effects.js";
import type { RunEvent } from "../engine/events.js";
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
import {
  createTrackingComment,
  moveTrackingComment,
  updateTrackingComment,
} from "./tracking-comment.js";

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
      return collectResult(context, effect);
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
 * What the run learns when an effect cannot be performed at all: the stage
 * or run it was for fails with the reason. Reporting effects (comments,
 * check runs) fail alone.
 */
export function giveUpEvent(
  effect: Effect,
  error: string,
  at: string,
): RunEvent | null {
  switch (effect.kind) {
    case "create_branch":
      return { type: "branch_failed", error, at };
    case "dispatch_stage":
      return {
        type: "dispatch_failed",
        stage: effect.stage,
        attempt: effect.attempt,
        error,
        at,
      };
    case "collect_result":
      // GitHub kept failing us, not the agent: the retry policy applies.
      return {
        type: "result_missing",
        stage: effect.stage,
        attempt: effect.attempt,
        error: `the result could not be collected: ${error}`,
        retryable: true,
        at,
      };
    default:
      return null;
  }
}
