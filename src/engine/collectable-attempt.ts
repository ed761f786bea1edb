import {
  type Attempt,
  findStage,
  isTerminalRun,
  type RunState,
  TERMINAL_STAGE_STATUSES,
} from "./run-state.js";

/**
 * The attempt whose result may be collected now, or why not: it is not
 * part of the run, or it ended meanwhile (the run was halted or cancelled,
 * the attempt timed out or was replaced) and its work must not be
 * committed, nor the branch moved. On GitHub and in a local run alike.
 */
export function collectableAttempt(
  state: RunState,
  stageId: string,
  number: number,
): { attempt: Attempt } | { error: string } {
  const stage = findStage(state, stageId);
  const attempt = stage?.attempts.find((a) => a.attempt === number);
  if (stage === undefined || attempt === undefined)
    return { error: "the attempt is not part of the run" };
  if (
    isTerminalRun(state) ||
    stage.attempts.at(-1) !== attempt ||
    TERMINAL_STAGE_STATUSES.includes(attempt.status)
  ) {
    return {
      error: `the attempt ended (${attempt.status}) before its result was collected; nothing is committed`,
    };
  }
  return { attempt };
}
