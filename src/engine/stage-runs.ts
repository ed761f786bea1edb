import {
  type Attempt,
  type RunState,
  type StageRun,
  TERMINAL_RUN_STATUSES,
  TERMINAL_STAGE_STATUSES,
} from "./run-state.js";

// Making and asking about a run's stages and attempts (run-state.ts has
// their shape).

/** A stage that has not run, as a run starts with it or a re-run resets it. */
export function pendingStage(id: string): StageRun {
  return {
    id,
    status: "pending",
    attempts: [],
    outputs: null,
    approved_by: null,
    rejected_by: null,
    waiting_since: null,
    gate_check_run_id: null,
    retry_at: null,
    next_trigger: null,
    stopped_by_run: false,
    reason: null,
  };
}

/** A new attempt of a stage, dispatched now against `baseSha`. */
export function newAttempt(
  number: number,
  baseSha: string,
  at: string,
  trigger: string | null,
): Attempt {
  return {
    attempt: number,
    status: "dispatched",
    base_sha: baseSha,
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
    findings: [],
    final_message: null,
    log_tail: null,
    warnings: [],
    trigger,
    cancel_requested: false,
    redispatches: 0,
    dispatched_at: at,
    started_at: null,
    completed_at: null,
  };
}

export function findStage(state: RunState, id: string): StageRun | undefined {
  return state.stages.find((stage) => stage.id === id);
}

export function currentAttempt(stage: StageRun): Attempt | undefined {
  return stage.attempts[stage.attempts.length - 1];
}

export function isTerminalRun(state: RunState): boolean {
  return TERMINAL_RUN_STATUSES.includes(state.status);
}

export function isTerminalStage(stage: StageRun): boolean {
  return TERMINAL_STAGE_STATUSES.includes(stage.status);
}

/** How many commits the run has made to its branch. */
export function commitCount(state: RunState): number {
  let count = 0;
  for (const stage of state.stages) {
    for (const attempt of stage.attempts)
      if (attempt.commit_sha !== null) count++;
  }
  return count;
}
