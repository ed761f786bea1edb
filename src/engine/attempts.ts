import { definition, failStage } from "./advance.js";
import {
  type Attempt,
  findStage,
  type RunState,
  type StageRun,
  TERMINAL_STAGE_STATUSES,
} from "./run-state.js";
import { retryDelayMs } from "./timers.js";
import type { TransitionContext } from "./transition-context.js";

/** A stage and one of its attempts. */
export interface FoundAttempt {
  stage: StageRun;
  attempt: Attempt;
}

export function attemptOf(
  state: RunState,
  stageId: string,
  number: number,
): FoundAttempt | undefined {
  const stage = findStage(state, stageId);
  const attempt = stage?.attempts.find((a) => a.attempt === number);
  return stage && attempt ? { stage, attempt } : undefined;
}

export function isLive(attempt: Attempt): boolean {
  return !TERMINAL_STAGE_STATUSES.includes(attempt.status);
}

/** The attempt an event is about, if it is the stage's current, unfinished one. */
export function liveAttempt(
  state: RunState,
  stageId: string,
  number: number,
): FoundAttempt | undefined {
  const found = attemptOf(state, stageId, number);
  if (found === undefined || !isLive(found.attempt)) return undefined;
  if (found.stage.attempts[found.stage.attempts.length - 1] !== found.attempt)
    return undefined;
  return found;
}

const AUTOMATIC = "automatic retry";

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

/**
 * An attempt ended without success: record it, then retry it when the
 * agent did not cause the failure and the policy allows another attempt,
 * else apply the stage's failure policy.
 */
export function endAttempt(
  context: TransitionContext,
  found: FoundAttempt,
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
