import { formatDuration, parseDuration } from "../workflow/duration.js";
import { type Stage, stageGate, stageName } from "../workflow/schema.js";
import {
  definition,
  dependentsOf,
  failStage,
  finishRun,
  stopAttempt,
} from "./advance.js";
import { budgetGateRenewal } from "./budget-gate.js";
import { JOB_OVERHEAD_MINUTES } from "./build-stage-request.js";
import {
  APPROVED_ON_TIMEOUT,
  type Attempt,
  currentAttempt,
  isTerminalRun,
  type RunState,
  type StageRun,
  TERMINAL_STAGE_STATUSES,
  waitsAtBudgetGate,
} from "./run-state.js";
import type { TransitionContext } from "./transition-context.js";

const MINUTE = 60_000;

function ms(duration: string, fallback: number): number {
  return parseDuration(duration) ?? fallback;
}

/** The wait before automatic retry number `n` (1 for the first). */
export function retryDelayMs(def: Stage, n: number): number {
  const { initial_interval, backoff, max_interval } = def.error_policy.retry;
  const initial = ms(initial_interval, 30_000);
  const max = ms(max_interval, 300_000);
  return Math.min(max, initial * backoff ** Math.max(0, n - 1));
}

/**
 * When an attempt is overdue: its time limit, plus the time the stage job
 * has beyond the agent's (install, check out, upload). The action stops the
 * agent at the limit itself; an attempt with no result after this never
 * will have one.
 */
export function attemptDeadline(def: Stage, attempt: Attempt): number {
  return (
    Date.parse(attempt.dispatched_at) +
    ms(def.error_policy.timeout, 30 * MINUTE) +
    JOB_OVERHEAD_MINUTES * MINUTE
  );
}

/** When a waiting gate's time runs out, if the stage has a gate. */
export function gateDeadline(def: Stage, stage: StageRun): number | undefined {
  const gate = stageGate(def);
  // A budget gate waits for a person (or a new day): it has no time limit.
  if (
    gate === undefined ||
    stage.waiting_since === null ||
    waitsAtBudgetGate(stage)
  )
    return undefined;
  return Date.parse(stage.waiting_since) + ms(gate.timeout, 7 * 86_400_000);
}

function isLive(attempt: Attempt): boolean {
  return !TERMINAL_STAGE_STATUSES.includes(attempt.status);
}

/**
 * The next time something is due in the run without any event from GitHub:
 * a retry, an attempt's deadline, a gate's. The reconciler wakes the run
 * then (a `tick`). Null when nothing is.
 */
export function nextWake(state: RunState): string | null {
  if (isTerminalRun(state) || state.status === "queued") return null;
  let next = Number.POSITIVE_INFINITY;
  for (const stage of state.stages) {
    const def = definition(state, stage.id);
    // A run on hold starts no retry: nothing is due until /unhold.
    if (
      stage.status === "retrying" &&
      stage.retry_at !== null &&
      state.hold === null
    ) {
      next = Math.min(next, Date.parse(stage.retry_at));
    }
    if (stage.status === "waiting_approval") {
      next = Math.min(next, gateDeadline(def, stage) ?? next);
      next = Math.min(next, budgetGateRenewal(state, stage) ?? next);
    }
    const attempt = currentAttempt(stage);
    // An attempt whose workflow run finished is being collected: no deadline.
    if (
      attempt !== undefined &&
      isLive(attempt) &&
      attempt.conclusion === null
    ) {
      next = Math.min(next, attemptDeadline(def, attempt));
    }
  }
  return Number.isFinite(next) ? new Date(next).toISOString() : null;
}

/**
 * Does what time has made due: attempts past their deadline are stopped
 * and marked `timed_out`; gates past theirs get their `on_timeout`; retries
 * whose wait is over go back to pending (not while the run is on hold).
 */
export function applyDue(context: TransitionContext): void {
  const { state } = context;
  const now = Date.parse(context.at);
  for (const stage of state.stages) {
    if (state.status !== "in_progress") return;
    const def = definition(state, stage.id);
    const attempt = currentAttempt(stage);
    if (
      attempt !== undefined &&
      isLive(attempt) &&
      attempt.conclusion === null &&
      now >= attemptDeadline(def, attempt)
    ) {
      timeOut(context, stage, attempt, def);
      continue;
    }
    if (stage.status === "waiting_approval") {
      const deadline = gateDeadline(def, stage);
      if (deadline !== undefined && now >= deadline)
        gateTimedOut(context, stage, def);
      continue;
    }
    if (
      stage.status === "retrying" &&
      state.hold === null &&
      stage.retry_at !== null &&
      now >= Date.parse(stage.retry_at)
    ) {
      stage.status = "pending";
      stage.retry_at = null;
    }
  }
}

function timeOut(
  context: TransitionContext,
  stage: StageRun,
  attempt: Attempt,
  def: Stage,
): void {
  const limit = formatDuration(ms(def.error_policy.timeout, 30 * MINUTE));
  const why = `no result within the stage's ${limit} time limit (and ${JOB_OVERHEAD_MINUTES}m for the job around it); the workflow run was cancelled`;
  stopAttempt(context, stage, attempt, "timed_out", why);
  stage.status = "timed_out";
  failStage(context, stage, why);
}

function gateTimedOut(
  context: TransitionContext,
  stage: StageRun,
  def: Stage,
): void {
  const gate = stageGate(def);
  if (gate === undefined) return;
  const waited = formatDuration(ms(gate.timeout, 7 * 86_400_000));
  if (stage.gate_check_run_id !== null) {
    context.effects.push({ kind: "update_gate_check_run", stage: stage.id });
  }
  if (gate.on_timeout === "approve") {
    stage.approved_by = APPROVED_ON_TIMEOUT;
    stage.reason = `nobody decided within ${waited}`;
    stage.status = "pending";
    return;
  }
  if (gate.on_timeout === "skip") {
    stage.status = "skipped";
    stage.reason = `nobody approved within ${waited}`;
    const after = dependentsOf(context.state, stage.id);
    for (const other of context.state.stages) {
      if (after.has(other.id) && other.status === "pending") {
        other.status = "skipped";
        other.reason = `skipped because ${stage.id} was not approved in time`;
      }
    }
    return;
  }
  stage.status = "timed_out";
  stage.reason = `nobody approved within ${waited}`;
  finishRun(
    context,
    "failed",
    `Stage ${stageName(def)} was not approved within ${waited}`,
  );
}
