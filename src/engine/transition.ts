import { advance, failStage, finishRun } from "./advance.js";
import type { Effect } from "./effects.js";
import type { RunEvent } from "./events.js";
import {
  type Attempt,
  commitCount,
  findStage,
  isTerminalRun,
  type RunState,
  type StageRun,
  TERMINAL_STAGE_STATUSES,
} from "./run-state.js";
import type { TransitionContext } from "./transition-context.js";

export interface Transition {
  state: RunState;
  effects: Effect[];
}

type Handler<T extends RunEvent["type"]> = (
  context: TransitionContext,
  event: Extract<RunEvent, { type: T }>,
) => void;

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

const HANDLERS: { [T in RunEvent["type"]]: Handler<T> } = {
  start({ state, effects }, event) {
    if (state.status !== "queued" || state.started_at !== null) return;
    state.started_at = event.at;
    if (state.issue !== null) effects.push({ kind: "create_tracking_comment" });
    effects.push({ kind: "create_branch" });
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

  check_run_created({ state }, event) {
    const found = attemptOf(state, event.stage, event.attempt);
    if (found) found.attempt.check_run_id ??= event.check_run_id;
  },

  stage_dispatched({ state }, event) {
    const found = attemptOf(state, event.stage, event.attempt);
    if (found === undefined) return;
    found.attempt.workflow_run_id ??= event.workflow_run_id;
    found.attempt.workflow_run_url ??= event.workflow_run_url;
  },

  dispatch_failed(context, event) {
    const found = liveAttempt(context.state, event.stage, event.attempt);
    if (found === undefined || found.attempt.workflow_run_id !== null) return;
    endAttempt(
      context,
      found,
      "failed",
      `could not dispatch the stage workflow: ${event.error}`,
    );
  },

  workflow_run_updated(context, event) {
    const found = attemptOf(context.state, event.stage, event.attempt);
    if (found === undefined) return;
    const { attempt } = found;
    attempt.workflow_run_id ??= event.workflow_run_id;
    attempt.workflow_run_url ??= event.workflow_run_url;
    if (!isLive(attempt) || attempt.conclusion !== null) return;
    if (isTerminalRun(context.state)) {
      // The run has ended: keep the record, start nothing.
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
        workflow_run_id: attempt.workflow_run_id,
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
    if (result.commit_sha !== null) state.head_sha = result.commit_sha;
    if (state.spec_dir === null && result.spec_dir !== null)
      state.spec_dir = result.spec_dir;
    if (result.status === "failed") {
      endAttempt(
        context,
        found,
        "failed",
        result.error_message ?? "the stage failed",
      );
      return;
    }
    attempt.status = "succeeded";
    attempt.completed_at = event.at;
    stage.status = "succeeded";
    stage.outputs = result.outputs;
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
    endAttempt(context, found, "failed", event.error);
  },

  pull_request_opened({ state }, event) {
    state.pull_request ??= { number: event.number, url: event.url };
  },

  approve(context, event) {
    const stage = findStage(context.state, event.stage);
    if (stage === undefined || stage.status !== "waiting_approval") return;
    stage.approved_by = event.by;
    stage.status = "pending";
    advance(context);
  },
};

/** An attempt ended without success: record it and apply the stage's failure policy. */
function endAttempt(
  context: TransitionContext,
  found: { stage: StageRun; attempt: Attempt },
  status: "failed" | "timed_out" | "cancelled",
  reason: string,
): void {
  const { stage, attempt } = found;
  attempt.status = status;
  attempt.error_message = reason;
  attempt.completed_at = context.at;
  stage.status = status;
  context.effects.push({
    kind: "update_check_run",
    stage: stage.id,
    attempt: attempt.attempt,
  });
  failStage(context, stage, reason);
}

/** Events still recorded after a run has ended; they start nothing. */
const BOOKKEEPING = new Set<RunEvent["type"]>([
  "tracking_comment_created",
  "pull_request_opened",
  "check_run_created",
  "stage_dispatched",
  "workflow_run_updated",
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
    event.type !== "tracking_comment_created"
  ) {
    context.effects.push({ kind: "update_tracking_comment" });
  }
  return { state, effects: context.effects };
}
