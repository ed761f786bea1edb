import { evaluateExpression } from "../workflow/expressions/evaluate-expression.js";
import { ExpressionError } from "../workflow/expressions/expression-error.js";
import { parseCondition } from "../workflow/expressions/parse-template.js";
import { isTruthy } from "../workflow/expressions/values.js";
import { type Stage, stageGate, stageName } from "../workflow/schema.js";
import { holdAtBudgetGate } from "./budget-gate.js";
import { buildStageRequest } from "./build-stage-request.js";
import { expressionScope } from "./expression-scope.js";
import {
  type Attempt,
  commitCount,
  currentAttempt,
  isTerminalStage,
  newAttempt,
  type RunState,
  type StageRun,
  TERMINAL_STAGE_STATUSES,
} from "./run-state.js";
import type { TransitionContext } from "./transition-context.js";

const FAILED = new Set(["failed", "timed_out", "cancelled"]);

export function definition(state: RunState, id: string): Stage {
  const stage = state.workflow.stages.find((s) => s.id === id);
  if (stage === undefined)
    throw new Error(`specwright: stage '${id}' is not in the run's workflow`);
  return stage;
}

/** Whether a stage that ended in failure stops the run's success. */
function failureCounts(state: RunState, stage: StageRun): boolean {
  return (
    FAILED.has(stage.status) &&
    definition(state, stage.id).error_policy.on_failure !== "continue"
  );
}

/** Every stage that depends on `id`, directly or through others. */
export function dependentsOf(state: RunState, id: string): Set<string> {
  const found = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const stage of state.workflow.stages) {
      if (found.has(stage.id)) continue;
      if (stage.depends_on.some((d) => d === id || found.has(d))) {
        found.add(stage.id);
        changed = true;
      }
    }
  }
  return found;
}

/** Skips the stages after `id` that have not started, saying why. */
function skipDependents(
  context: TransitionContext,
  id: string,
  reason: string,
): void {
  const after = dependentsOf(context.state, id);
  for (const candidate of context.state.stages) {
    if (after.has(candidate.id) && candidate.status === "pending") {
      candidate.status = "skipped";
      candidate.reason = reason;
    }
  }
}

/**
 * A stage failed for good: apply its `on_failure` — `halt` fails the run,
 * `skip_dependents` skips every stage that depends on it (directly or not),
 * `continue` lets them run. Unless the run ends with it, people are told.
 */
export function failStage(
  context: TransitionContext,
  stage: StageRun,
  reason: string,
): void {
  const { state } = context;
  if (!isTerminalStage(stage)) stage.status = "failed";
  stage.reason = reason;
  const def = definition(state, stage.id);
  const policy = def.error_policy.on_failure;
  if (policy === "halt") {
    finishRun(context, "failed", `Stage ${stageName(def)} failed: ${reason}`);
    return;
  }
  const attempt = currentAttempt(stage);
  context.effects.push({
    kind: "post_notice",
    notice: { type: "stage_failed", stage: stage.id },
    key: `failed:${stage.id}:${attempt?.attempt ?? 0}:${context.at}`,
  });
  if (policy === "skip_dependents") {
    skipDependents(context, stage.id, `skipped because ${stage.id} failed`);
  }
  advance(context);
}

/**
 * Ends an attempt still under way on our side: its workflow run is
 * cancelled (or will be, once known) and its check run shows why.
 */
export function stopAttempt(
  context: TransitionContext,
  stage: StageRun,
  attempt: Attempt,
  status: "cancelled" | "timed_out",
  why: string,
): void {
  attempt.status = status;
  attempt.error_message = why;
  attempt.completed_at = context.at;
  attempt.cancel_requested = true;
  if (attempt.workflow_run_id !== null) {
    context.effects.push({
      kind: "cancel_workflow_run",
      stage: stage.id,
      attempt: attempt.attempt,
      workflow_run_id: attempt.workflow_run_id,
    });
  }
  context.effects.push({
    kind: "update_check_run",
    stage: stage.id,
    attempt: attempt.attempt,
  });
}

/**
 * Ends the run. What is still under way stops: workflow runs are cancelled
 * (their work would not be committed), waiting gates close, stages that
 * never started are marked as such. People are told once.
 */
export function finishRun(
  context: TransitionContext,
  status: "succeeded" | "failed" | "no_changes" | "cancelled",
  summary: string,
): void {
  const { state } = context;
  if (state.status !== "in_progress" && state.status !== "queued") return;
  state.status = status;
  state.result_summary = summary;
  state.completed_at = context.at;
  state.hold = null;
  const why =
    status === "cancelled" ? summary : `not run: the run ${status} first`;
  for (const stage of state.stages) {
    if (isTerminalStage(stage)) continue;
    const attempt = currentAttempt(stage);
    if (
      attempt !== undefined &&
      !TERMINAL_STAGE_STATUSES.includes(attempt.status)
    ) {
      stopAttempt(context, stage, attempt, "cancelled", why);
    }
    const wasWaiting = stage.status === "waiting_approval";
    stage.status = status === "cancelled" ? "cancelled" : "skipped";
    stage.reason = why;
    stage.retry_at = null;
    stage.stopped_by_run = true;
    if (wasWaiting && stage.gate_check_run_id !== null) {
      context.effects.push({ kind: "update_gate_check_run", stage: stage.id });
    }
  }
  context.effects.push({
    kind: "post_notice",
    notice: { type: "run_finished" },
    key: `finished:${context.at}`,
  });
}

/**
 * Starts what can start; finishes the run when every stage has ended. While
 * the run is on hold, nothing new starts.
 */
export function advance(context: TransitionContext): void {
  const { state } = context;
  if (state.status !== "in_progress") return;
  if (state.hold === null) {
    for (let progress = true; progress && state.status === "in_progress"; ) {
      progress = false;
      for (const stage of state.stages) {
        if (stage.status !== "pending") continue;
        if (startStage(context, stage)) progress = true;
        if (state.status !== "in_progress") return;
      }
    }
  }
  if (state.status === "in_progress" && state.stages.every(isTerminalStage)) {
    complete(context);
  }
}

/** Moves one pending stage on if its dependencies allow; true if it changed. */
function startStage(context: TransitionContext, stage: StageRun): boolean {
  const { state } = context;
  const def = definition(state, stage.id);
  const dependencies = def.depends_on.map(
    (id) => state.stages.find((s) => s.id === id) as StageRun,
  );
  if (!dependencies.every(isTerminalStage)) return false;

  if (def.condition !== undefined) {
    try {
      const { expression } = parseCondition(def.condition);
      if (!isTruthy(evaluateExpression(expression, expressionScope(state)))) {
        stage.status = "skipped";
        stage.reason = "its condition is false";
        return true;
      }
    } catch (error) {
      const message =
        error instanceof ExpressionError ? error.message : String(error);
      stage.status = "failed";
      failStage(
        context,
        stage,
        `its condition could not be evaluated: ${message}`,
      );
      return true;
    }
  }

  if (stageGate(def) !== undefined && stage.approved_by === null) {
    stage.status = "waiting_approval";
    stage.waiting_since = context.at;
    stage.gate_check_run_id = null;
    context.effects.push(
      {
        kind: "create_gate_check_run",
        stage: stage.id,
        waiting_since: context.at,
      },
      {
        kind: "post_notice",
        notice: { type: "gate_waiting", stage: stage.id },
        key: `gate:${stage.id}:${context.at}`,
      },
    );
    return true;
  }
  if (def.type === "gate") {
    stage.status = "succeeded";
    stage.outputs = {};
    return true;
  }

  if (holdAtBudgetGate(context, stage)) return true;
  const number = stage.attempts.length + 1;
  const built = buildStageRequest(state, def, number, context.at);
  if ("error" in built) {
    stage.status = "failed";
    failStage(context, stage, built.error);
    return true;
  }
  stage.status = "dispatched";
  stage.attempts.push({
    ...newAttempt(number, state.head_sha ?? "", context.at, stage.next_trigger),
    model: built.model,
  });
  stage.next_trigger = null;
  context.effects.push(
    { kind: "create_check_run", stage: stage.id, attempt: number },
    {
      kind: "dispatch_stage",
      stage: stage.id,
      attempt: number,
      request: built.request,
    },
  );
  return true;
}

function complete(context: TransitionContext): void {
  const { state } = context;
  const failed = state.stages.filter((stage) => failureCounts(state, stage));
  if (failed.length > 0) {
    finishRun(
      context,
      "failed",
      `Failed: ${failed.map((s) => s.id).join(", ")}`,
    );
  } else if (commitCount(state) === 0) {
    finishRun(
      context,
      "no_changes",
      "Every stage finished, and none changed the repository",
    );
  } else {
    finishRun(context, "succeeded", "Every stage finished");
  }
}
