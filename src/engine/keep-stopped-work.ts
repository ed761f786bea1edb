import type { StoppedBy } from "../contracts/stage-result.js";
import { formatDuration } from "../workflow/duration.js";
import { conflictingPaths } from "./conflicting-paths.js";
import type { Attempt, RunState } from "./run-state.js";

/** What the App knows of a finished attempt when it decides what to commit. */
export interface FinishedAttempt {
  status: "succeeded" | "failed";
  stopped_by?: StoppedBy | undefined;
  changedPaths: readonly string[];
}

/** The words for a limit, as people read them in a check run or a commit. */
export function limitWords(stopped: StoppedBy): string {
  switch (stopped.limit) {
    case "turns":
      return `turn limit (${stopped.max} turns)`;
    case "time":
      return `time limit (${formatDuration(stopped.max * 60_000)})`;
    case "tokens":
      return `token limit (${stopped.max.toLocaleString("en-US")} tokens)`;
    case "cost":
      return `cost limit ($${stopped.max >= 0.01 ? stopped.max.toFixed(2) : stopped.max})`;
  }
}

/**
 * Whether a failed attempt's work is committed all the same, so that the
 * next attempt goes on from it instead of starting over: the agent was
 * stopped at one of its limits (not failed on its own), it changed files
 * (a read-only stage hands back none), and none of them clashes with what
 * a sibling stage committed meanwhile. Its outputs are not checked: the
 * stage did not finish, and stays failed.
 */
export function keepsStoppedWork(
  state: RunState,
  attempt: Attempt,
  finished: FinishedAttempt,
): boolean {
  return (
    finished.status === "failed" &&
    finished.stopped_by !== undefined &&
    finished.changedPaths.length > 0 &&
    conflictingPaths(state, attempt, finished.changedPaths).length === 0
  );
}

/** What the attempt's failure says once its work is kept. */
export function keptWorkNote(commitSha: string): string {
  return `its work so far is committed (${commitSha.slice(0, 7)}) and the next attempt goes on from it`;
}
