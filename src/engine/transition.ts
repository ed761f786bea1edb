import {
  advance,
  definition,
  dependentsOf,
  failStage,
  finishRun,
} from "./advance.js";
import { buildStageRequest } from "./build-stage-request.js";
import type { Effect } from "./effects.js";
import type { RunEvent } from "./events.js";
import {
  type Attempt,
  commitCount,
  findStage,
  isTerminalRun,
  isTerminalStage,
  pendingStage,
  type RunState,
  type StageRun,
  TERMINAL_STAGE_STATUSES,
} from "./run-state.js";
import { applyDue, retryDelayMs } from "./timers.js";
import type { TransitionContext } from "./transition-context.js";

export interface Transition {
  state: RunState;
  effects: Effect[];
}

type Handler<T extends RunEvent["type"]> = (
  context: TransitionContext,
  event: Extract<RunEvent, { type: T }>,
) => void;

/** The reconciler sends a lost dispatch again this many times, then gives up. */
export const MAX_REDISPATCHES = 2;

function attemptOf(
  state: RunState,
  stageId: string,
  number: number,
): { stage: StageRun; attempt: Attempt } | undefined {
  const stage = findStage(state, stageId);
  const attempt = stage?.attempts.find((a) => a.attempt === number);
  return stage && attempt ? { stage, attempt } : undefined;
}

function isLive(attempt: Attempt): boolean {
  return !TERMINAL_STAGE_STATUSES.includes(attempt.status);
}

/** The attempt an event is about, if it is the stage's current, unfinished one. */
function liveAttempt(state: RunState, stageId: string, number: number) {
  const found = attemptOf(state, stageId, number);
  if (found === undefined || !isLive(found.attempt)) return undefined;
  if (found.stage.attempts[found.stage.attempts.length - 1] !== found.attempt)
    return undefined;
  return found;
}

/** Stages that are under way: an attempt out, or waiting to retry. */
function isBusy(stage: StageRun): boolean {
  return (
    stage.status === "dispatched" ||
    stage.status === "running" ||
    stage.status === "retrying"
  );
}

const HANDLERS: { [T in RunEvent["type"]]: Handler<T> } = {
  start({ state, effects }, event) {
    if (state.status !== "queued" || state.started_at !== null) return;
    state.started_at = event.at;
    if (state.issue !== null) effects.push({ kind: "create_tracking_comment" });
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

  tracking_comment_created({ state }, event) {
    state.tracking_comment_id ??= event.comment_id;
  },

  tracking_comment_moved({ state }, event) {
    state.tracking_comment_id = event.comment_id;
    state.tracking_comment_on = event.number;
  },

  check_run_created({ state }, event) {
    const found = attemptOf(state, event.stage, event.attempt);
    if (found) found.attempt.check_run_id ??= event.check_run_id;
  },

  gate_check_run_created({ state, effects }, event) {
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
    // Decided while the check run was being made: show the decision.
    if (stage.status !== "waiting_approval")
      effects.push({ kind: "update_gate_check_run", stage: stage.id });
  },

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
    attempt.usage = result.usage;
    attempt.commit_sha = result.commit_sha;
    attempt.commit_parent = result.commit_parent;
    attempt.changed_paths = result.changed_paths;
    attempt.artifacts = result.artifacts;
    attempt.findings = result.findings;
    attempt.final_message = result.final_message;
    attempt.log_tail = result.log_tail;
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
      commitCount(state) === 1
    ) {
      context.effects.push({ kind: "open_pull_request" });
    }
    advance(context);
  },

  result_missing(context, event) {
    const found = liveAttempt(context.state, event.stage, event.attempt);
    if (found === undefined) return;
    endAttempt(context, found, "failed", event.error, event.retryable);
  },

  pull_request_opened({ state, effects }, event) {
    if (state.pull_request !== null) return;
    state.pull_request = { number: event.number, url: event.url };
    if (
      state.tracking_comment_id !== null &&
      state.tracking_comment_on === null
    )
      effects.push({ kind: "move_tracking_comment" });
  },

  approve(context, event) {
    const stage = findStage(context.state, event.stage);
    if (stage === undefined || stage.status !== "waiting_approval") return;
    stage.approved_by = event.by;
    stage.status = "pending";
    if (stage.gate_check_run_id !== null)
      context.effects.push({ kind: "update_gate_check_run", stage: stage.id });
    advance(context);
  },

  reject(context, event) {
    const stage = findStage(context.state, event.stage);
    if (stage === undefined || stage.status !== "waiting_approval") return;
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

  rerun(context, event) {
    const { state } = context;
    const stage = findStage(state, event.stage);
    if (stage === undefined || !isTerminalStage(stage)) return;
    if (state.status === "cancelled" || state.base_sha === null) return;
    const affected = [stage.id, ...dependentsOf(state, stage.id)];
    const stages = affected.map((id) => findStage(state, id) as StageRun);
    if (stages.some(isBusy)) return;
    // A halt or a cancel stopped other stages too: they run again as well.
    const reopening = isTerminalRun(state);
    if (reopening) {
      for (const other of state.stages) {
        if (other.stopped_by_run && !stages.includes(other)) stages.push(other);
      }
    }
    // Gates that waited are asked again later: their buttons go now.
    for (const other of stages) {
      if (
        other.status === "waiting_approval" &&
        other.gate_check_run_id !== null
      ) {
        context.effects.push({
          kind: "update_gate_check_run",
          stage: other.id,
          check_run_id: other.gate_check_run_id,
          superseded: true,
        });
      }
    }
    // The stage keeps its own approval (it runs the same work again); the
    // stages after it will work from new results, so their gates ask again.
    const approvedBy = stage.approved_by;
    for (const other of stages) {
      const fresh = pendingStage(other.id);
      Object.assign(other, { ...fresh, attempts: other.attempts });
    }
    stage.approved_by = approvedBy;
    stage.next_trigger = event.why;
    if (reopening) {
      state.status = "in_progress";
      state.result_summary = null;
      state.completed_at = null;
    }
    advance(context);
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

  tick(context) {
    if (context.state.status !== "in_progress") return;
    applyDue(context);
    advance(context);
  },
};

/**
 * Records the workflow run of an attempt. An attempt that was stopped before
 * its run was known (the run ended, it timed out) has that run cancelled now.
 */
function learnWorkflowRun(
  context: TransitionContext,
  found: { stage: StageRun; attempt: Attempt },
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

/**
 * How many attempts in a row the retry policy has made: the last one and
 * the automatic retries before it, back to the last one a person or the
 * run's own progress started.
 */
function automaticRun(stage: StageRun): number {
  let count = 0;
  for (let i = stage.attempts.length - 1; i >= 0; i--) {
    count++;
    if (!stage.attempts[i]?.trigger?.startsWith(AUTOMATIC)) break;
  }
  return count;
}

const AUTOMATIC = "automatic retry";

/**
 * An attempt ended without success: record it, then retry it when the
 * agent did not cause the failure and the policy allows another attempt,
 * else apply the stage's failure policy.
 */
function endAttempt(
  context: TransitionContext,
  found: { stage: StageRun; attempt: Attempt },
  status: "failed" | "timed_out" | "cancelled",
  reason: string,
  retryable: boolean,
): void {
  const { stage, attempt } = found;
  attempt.status = status;
  attempt.error_message = reason;
  attempt.completed_at = context.at;
  context.effects.push({
    kind: "update_check_run",
    stage: stage.id,
    attempt: attempt.attempt,
  });
  const def = definition(context.state, stage.id);
  const made = automaticRun(stage);
  if (retryable && made < def.error_policy.retry.max_attempts) {
    stage.status = "retrying";
    stage.retry_at = new Date(
      Date.parse(context.at) + retryDelayMs(def, made),
    ).toISOString();
    stage.next_trigger = `${AUTOMATIC} ${made} of ${def.error_policy.retry.max_attempts - 1}, after: ${reason}`;
    return;
  }
  stage.status = status;
  failStage(context, stage, reason);
}

/** Events still recorded after a run has ended; they start nothing. */
const BOOKKEEPING = new Set<RunEvent["type"]>([
  "tracking_comment_created",
  "tracking_comment_moved",
  "pull_request_opened",
  "check_run_created",
  "gate_check_run_created",
  "stage_dispatched",
  "workflow_run_updated",
  // Re-running a stage opens a failed or finished run again.
  "rerun",
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
  const state = structuredClone(current);
  const context: TransitionContext = { state, effects: [], at: event.at };
  const handler = HANDLERS[event.type] as Handler<typeof event.type>;
  handler(context, event as never);
  const changed = JSON.stringify(state) !== JSON.stringify(current);
  if (!changed && context.effects.length === 0)
    return { state: current, effects: [] };
  state.version = current.version + 1;
  if (
    state.tracking_comment_id !== null &&
    event.type !== "tracking_comment_created" &&
    event.type !== "tracking_comment_moved"
  ) {
    context.effects.push({ kind: "update_tracking_comment" });
  }
  return { state, effects: context.effects };
}
