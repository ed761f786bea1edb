import { evaluateExpression } from "../workflow/expressions/evaluate-expression.js";
import { ExpressionError } from "../workflow/expressions/expression-error.js";
import { parseCondition } from "../workflow/expressions/parse-template.js";
import { isTruthy } from "../workflow/expressions/values.js";
import { type Stage, stageGate, stageName } from "../workflow/schema.js";
import { buildStageRequest } from "./build-stage-request.js";
import { expressionScope } from "./expression-scope.js";
import {
  commitCount,
  isTerminalStage,
  type RunState,
  type StageRun,
} from "./run-state.js";
import type { TransitionContext } from "./transition-context.js";

const FAILED = new Set(["failed", "timed_out", "cancelled"]);

function definition(state: RunState, id: string): Stage {
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

/**
 * A stage failed for good: apply its `on_failure` — `halt` fails the run,
 * `skip_dependents` skips every stage that depends on it (directly or not),
 * `continue` lets them run.
 */
export function failStage(
  context: TransitionContext,
  stage: StageRun,
  reason: string,
): void {
  const { state } = context;
  if (!isTerminalStage(stage)) stage.status = "failed";
  stage.reason = reason;
  const policy = definition(state, stage.id).error_policy.on_failure;
  if (policy === "halt") {
    finishRun(
      context,
      "failed",
      `Stage ${stageName(definition(state, stage.id))} failed: ${reason}`,
    );
    return;
  }
  if (policy === "skip_dependents") {
    const skip = new Set([stage.id]);
    for (let changed = true; changed; ) {
      changed = false;
      for (const candidate of state.stages) {
        if (skip.has(candidate.id) || candidate.status !== "pending") continue;
        if (
          definition(state, candidate.id).depends_on.some((d) => skip.has(d))
        ) {
          candidate.status = "skipped";
          candidate.reason = `skipped because ${stage.id} failed`;
          skip.add(candidate.id);
          changed = true;
        }
      }
    }
  }
  advance(context);
}

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
}

/** Starts what can start; finishes the run when every stage has ended. */
export function advance(context: TransitionContext): void {
  const { state } = context;
  if (state.status !== "in_progress") return;
  for (let progress = true; progress && state.status === "in_progress"; ) {
    progress = false;
    for (const stage of state.stages) {
      if (stage.status !== "pending") continue;
      if (startStage(context, stage)) progress = true;
      if (state.status !== "in_progress") return;
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
    return true;
  }
  if (def.type === "gate") {
    stage.status = "succeeded";
    stage.outputs = {};
    return true;
  }

  const number = stage.attempts.length + 1;
  const built = buildStageRequest(state, def, number);
  if ("error" in built) {
    stage.status = "failed";
    failStage(context, stage, built.error);
    return true;
  }
  stage.status = "dispatched";
  stage.attempts.push({
    attempt: number,
    status: "dispatched",
    base_sha: state.head_sha ?? "",
    workflow_run_id: null,
    workflow_run_url: null,
    check_run_id: null,
    conclusion: null,
    commit_sha: null,
    commit_parent: null,
    changed_paths: [],
    execution_path: null,
    selected_skill: null,
    agent_version: null,
    outputs: null,
    error_message: null,
    phases: [],
    usage: null,
    artifacts: [],
    dispatched_at: context.at,
    started_at: null,
    completed_at: null,
  });
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
