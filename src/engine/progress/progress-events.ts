import {
  type Attempt,
  isTerminalRun,
  pendingStage,
  type RunState,
  type StageRun,
  TERMINAL_STAGE_STATUSES,
} from "../run-state.js";
import {
  type GateCommands,
  gateCommands,
  type ProgressEvent,
} from "./progress-event.js";

export interface ProgressContext {
  /** How people call the CLI, for the approve and reject commands (default `specwright`). */
  command?: string;
  /**
   * How people approve and reject a waiting stage where the events are
   * shown, when that is not the CLI (the App says the comment commands,
   * `commentGateCommands`). Without it, the CLI's commands with `command`.
   */
  gateCommands?: GateCommands;
  /**
   * The engine event's time. Only used for changes the state keeps no time
   * of (a stage skipped by its condition, a gate stage approved); without
   * it, the latest time the state records.
   */
  at?: string;
}

/** What each change of one stage needs besides the two stage states. */
interface StageDiff {
  run: RunState;
  previous: StageRun;
  stage: StageRun;
  fallback: string;
  gate: GateCommands;
}

/**
 * What happened between two states of a run, as progress events: the run
 * started (it was queued, or there is no earlier state), attempts that
 * started and ended, stages that ended without an attempt, gates that
 * began to wait, the run that ended.
 * Pure: the driver calls it after every transition. Without an earlier
 * state, every stage is compared with a pending one, so a run picked up
 * midway reports what it had done. Stage events come in time order, file
 * order among equal times; `run_started` first and `run_completed` last.
 */
export function progressEvents(
  before: RunState | null,
  after: RunState,
  context: ProgressContext = {},
): ProgressEvent[] {
  const fallback = context.at ?? latestTime(after);
  const command = context.command ?? "specwright";
  const gate =
    context.gateCommands ??
    ((runId: string, stage: string) => gateCommands(runId, stage, command));
  const events: ProgressEvent[] = [];
  // The driver's first change is the queued run starting; a driver that
  // joins midway has no earlier state and tells the start too.
  if (
    before === null ||
    (before.started_at === null && after.started_at !== null)
  )
    events.push(runStarted(after));

  const stageEvents = after.stages.flatMap((stage) =>
    stageChanges({
      run: after,
      previous:
        before?.stages.find((s) => s.id === stage.id) ?? pendingStage(stage.id),
      stage,
      fallback,
      gate,
    }),
  );
  stageEvents.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  events.push(...stageEvents);

  if (
    isTerminalRun(after) &&
    (before === null ||
      !isTerminalRun(before) ||
      before.completed_at !== after.completed_at)
  ) {
    events.push({
      event: "run_completed",
      run_id: after.id,
      at: after.completed_at ?? fallback,
      status: after.status,
      summary: after.result_summary,
      duration_ms: between(after.started_at, after.completed_at),
    });
  }
  return events;
}

function runStarted(run: RunState): ProgressEvent {
  return {
    event: "run_started",
    run_id: run.id,
    at: run.started_at ?? run.created_at,
    feature: run.feature,
    workflow: run.workflow.name,
    branch: run.branch,
    stages: run.stages.map((stage) => stage.id),
  };
}

function stageChanges(diff: StageDiff): ProgressEvent[] {
  const { run, previous, stage } = diff;
  const events: ProgressEvent[] = [];
  let attemptEnded = false;
  for (const attempt of stage.attempts) {
    const earlier = previous.attempts.find(
      (a) => a.attempt === attempt.attempt,
    );
    // `started_at` is set exactly when the attempt first shows as running.
    if (attempt.started_at !== null && (earlier?.started_at ?? null) === null) {
      events.push({
        event: "stage_started",
        run_id: run.id,
        at: attempt.started_at,
        stage: stage.id,
        attempt: attempt.attempt,
      });
    }
    if (hasEnded(attempt) && (earlier === undefined || !hasEnded(earlier))) {
      events.push(attemptEnd(diff, attempt));
      attemptEnded = true;
    }
  }
  if (
    !attemptEnded &&
    stage.status !== previous.status &&
    TERMINAL_STAGE_STATUSES.includes(stage.status)
  ) {
    events.push(stageEnd(diff));
  }
  if (
    stage.status === "waiting_approval" &&
    stage.waiting_since !== null &&
    (previous.status !== "waiting_approval" ||
      previous.waiting_since !== stage.waiting_since)
  ) {
    events.push({
      event: "gate_waiting",
      run_id: run.id,
      at: stage.waiting_since,
      stage: stage.id,
      ...diff.gate(run.id, stage.id),
    });
  }
  return events;
}

/** An attempt that ended, well or badly. */
function attemptEnd(diff: StageDiff, attempt: Attempt): ProgressEvent {
  const { run, stage } = diff;
  const common = {
    run_id: run.id,
    at: attempt.completed_at ?? diff.fallback,
    stage: stage.id,
    attempt: attempt.attempt,
  };
  if (attempt.status === "succeeded" || attempt.status === "skipped") {
    return {
      event: "stage_completed",
      ...common,
      status: attempt.status,
      duration_ms: between(
        attempt.started_at ?? attempt.dispatched_at,
        attempt.completed_at,
      ),
      commit: attempt.commit_sha,
      usage: attempt.usage,
    };
  }
  const last = stage.attempts[stage.attempts.length - 1];
  return {
    event: "stage_failed",
    ...common,
    status: attempt.status as "failed" | "timed_out" | "cancelled",
    error: attempt.error_message ?? stage.reason ?? "the stage failed",
    will_retry: stage.status === "retrying" && last === attempt,
  };
}

/**
 * A stage that ended with no attempt ending: skipped (its condition, a
 * failed dependency, the run ending first), a gate stage approved, a gate
 * rejected, a retry the run's end called off.
 */
function stageEnd(diff: StageDiff): ProgressEvent {
  const { run, stage } = diff;
  const at =
    stage.stopped_by_run && run.completed_at !== null
      ? run.completed_at
      : diff.fallback;
  const reason =
    stage.reason ??
    (stage.approved_by === null ? null : `approved by ${stage.approved_by}`);
  if (stage.status === "succeeded" || stage.status === "skipped") {
    return {
      event: "stage_completed",
      run_id: run.id,
      at,
      stage: stage.id,
      attempt: 0,
      status: stage.status,
      duration_ms: null,
      commit: null,
      usage: null,
      ...(reason === null ? {} : { reason }),
    };
  }
  return {
    event: "stage_failed",
    run_id: run.id,
    at,
    stage: stage.id,
    attempt: null,
    status: stage.status as "failed" | "timed_out" | "cancelled",
    error: reason ?? `the stage ${stage.status}`,
    will_retry: false,
  };
}

function hasEnded(attempt: Attempt): boolean {
  return TERMINAL_STAGE_STATUSES.includes(attempt.status);
}

/** Milliseconds from one recorded time to another, when both are known. */
function between(from: string | null, to: string | null): number | null {
  if (from === null || to === null) return null;
  return Math.max(0, Date.parse(to) - Date.parse(from));
}

/** The latest time the state records: when its last change happened, or after. */
function latestTime(run: RunState): string {
  const times: (string | null)[] = [
    run.created_at,
    run.started_at,
    run.completed_at,
    run.hold?.at ?? null,
    ...run.problems.map((problem) => problem.at),
  ];
  for (const stage of run.stages) {
    times.push(stage.waiting_since);
    for (const attempt of stage.attempts)
      times.push(
        attempt.dispatched_at,
        attempt.started_at,
        attempt.completed_at,
      );
  }
  let latest = run.created_at;
  for (const time of times) {
    if (time !== null && Date.parse(time) > Date.parse(latest)) latest = time;
  }
  return latest;
}
