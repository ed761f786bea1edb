import { DEFAULT_PRICES } from "../config/prices.js";
import { advance, definition } from "./advance.js";
import {
  attemptOf,
  endAttempt,
  type FoundAttempt,
  isLive,
  liveAttempt,
} from "./attempts.js";
import { buildStageRequest } from "./build-stage-request.js";
import { estimateCost } from "./estimate-cost.js";
import { hasProblem } from "./problems.js";
import { commitCount, isTerminalRun } from "./run-state.js";
import type { Handlers, TransitionContext } from "./transition-context.js";

/** The reconciler sends a lost dispatch again this many times, then gives up. */
export const MAX_REDISPATCHES = 2;

type AttemptEvent =
  | "stage_dispatched"
  | "dispatch_failed"
  | "dispatch_lost"
  | "workflow_run_updated"
  | "result_collected"
  | "result_missing";

/** What happens to a stage attempt: dispatched, running, finished, lost. */
export const ATTEMPT_HANDLERS: Handlers<AttemptEvent> = {
  stage_dispatched(context, event) {
    const found = attemptOf(context.state, event.stage, event.attempt);
    if (found === undefined) return;
    learnWorkflowRun(context, found, event, false);
  },

  dispatch_failed(context, event) {
    const found = liveAttempt(context.state, event.stage, event.attempt);
    if (found === undefined || found.attempt.workflow_run_id !== null) return;
    endAttempt(
      context,
      found,
      "failed",
      `could not dispatch the stage workflow: ${event.error}`,
      false,
    );
  },

  dispatch_lost(context, event) {
    const { state } = context;
    const found = liveAttempt(state, event.stage, event.attempt);
    if (found === undefined || found.attempt.workflow_run_id !== null) return;
    const { stage, attempt } = found;
    if (attempt.redispatches >= MAX_REDISPATCHES) {
      endAttempt(
        context,
        found,
        "failed",
        `no workflow run started for the stage after ${attempt.redispatches + 1} dispatches`,
        false,
      );
      return;
    }
    const built = buildStageRequest(
      state,
      definition(state, stage.id),
      attempt.attempt,
      context.at,
    );
    if ("error" in built) {
      endAttempt(context, found, "failed", built.error, false);
      return;
    }
    attempt.redispatches++;
    context.effects.push({
      kind: "dispatch_stage",
      stage: stage.id,
      attempt: attempt.attempt,
      request: { ...built.request, base_sha: attempt.base_sha },
    });
  },

  workflow_run_updated(context, event) {
    const found = attemptOf(context.state, event.stage, event.attempt);
    if (found === undefined) return;
    const { attempt } = found;
    learnWorkflowRun(context, found, event, event.status === "completed");
    if (!isLive(attempt) || attempt.conclusion !== null) {
      // The attempt ended on our side (cancelled, timed out): record the
      // run's conclusion once it comes.
      if (event.status === "completed" && attempt.conclusion === null)
        attempt.conclusion = event.conclusion ?? "unknown";
      return;
    }
    if (isTerminalRun(context.state)) {
      if (event.status === "completed")
        attempt.conclusion = event.conclusion ?? "unknown";
      return;
    }
    if (attempt.status === "dispatched" && event.status !== "queued") {
      attempt.status = "running";
      attempt.started_at = event.at;
      found.stage.status = "running";
      context.effects.push({
        kind: "update_check_run",
        stage: event.stage,
        attempt: event.attempt,
      });
    }
    if (event.status === "completed") {
      attempt.conclusion = event.conclusion ?? "unknown";
      context.effects.push({
        kind: "collect_result",
        stage: event.stage,
        attempt: event.attempt,
        workflow_run_id: attempt.workflow_run_id ?? event.workflow_run_id,
        conclusion: attempt.conclusion,
      });
    }
  },

  result_collected(context, event) {
    const { state } = context;
    const found = liveAttempt(state, event.stage, event.attempt);
    if (found === undefined) return;
    const { stage, attempt } = found;
    const { result } = event;
    attempt.execution_path = result.execution_path;
    attempt.selected_skill = result.selected_skill;
    attempt.agent_version = result.agent_version;
    attempt.outputs = result.outputs;
    attempt.phases = result.phases;
    const { usage, estimated } = estimateCost(
      result.usage,
      attempt.model,
      // The built-in table, under the repository's own entries.
      { ...DEFAULT_PRICES, ...state.settings.prices },
    );
    attempt.usage = usage;
    if (estimated) attempt.cost_estimated = true;
    attempt.commit_sha = result.commit_sha;
    attempt.commit_parent = result.commit_parent;
    attempt.changed_paths = result.changed_paths;
    attempt.artifacts = result.artifacts;
    attempt.findings = result.findings;
    attempt.final_message = result.final_message;
    attempt.log_tail = result.log_tail;
    attempt.warnings = result.warnings;
    if (result.commit_sha !== null) state.head_sha = result.commit_sha;
    if (state.spec_dir === null && result.spec_dir !== null)
      state.spec_dir = result.spec_dir;
    if (result.status === "failed") {
      endAttempt(
        context,
        found,
        "failed",
        result.error_message ?? "the stage failed",
        false,
      );
      return;
    }
    attempt.status = "succeeded";
    attempt.completed_at = event.at;
    stage.status = "succeeded";
    stage.outputs = result.outputs;
    stage.reason = null;
    context.effects.push({
      kind: "update_check_run",
      stage: stage.id,
      attempt: attempt.attempt,
    });
    if (
      result.commit_sha !== null &&
      state.pull_request === null &&
      (commitCount(state) === 1 || hasProblem(state, "open_pull_request"))
    ) {
      // The first commit opens it; after a failed try, every commit tries again.
      context.effects.push({ kind: "open_pull_request" });
    }
    advance(context);
  },

  result_missing(context, event) {
    const found = liveAttempt(context.state, event.stage, event.attempt);
    if (found === undefined) return;
    endAttempt(context, found, "failed", event.error, event.retryable);
  },
};

/**
 * Records the workflow run of an attempt. An attempt that was stopped before
 * its run was known (the run ended, it timed out) has that run cancelled now.
 */
function learnWorkflowRun(
  context: TransitionContext,
  found: FoundAttempt,
  event: { workflow_run_id: number | null; workflow_run_url: string | null },
  completed: boolean,
): void {
  const { attempt } = found;
  const known = attempt.workflow_run_id !== null;
  attempt.workflow_run_id ??= event.workflow_run_id;
  attempt.workflow_run_url ??= event.workflow_run_url;
  if (
    !known &&
    attempt.workflow_run_id !== null &&
    attempt.cancel_requested &&
    !completed
  ) {
    context.effects.push({
      kind: "cancel_workflow_run",
      stage: found.stage.id,
      attempt: attempt.attempt,
      workflow_run_id: attempt.workflow_run_id,
    });
  }
}
