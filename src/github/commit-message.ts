import type { StoppedBy } from "../contracts/stage-result.js";
import { limitWords } from "../engine/keep-stopped-work.js";
import type { RunState } from "../engine/run-state.js";
import { stageName } from "../workflow/schema.js";
import { untrusted } from "./untrusted-text.js";

function shorten(text: string, max: number): string {
  const line = text.split("\n")[0]?.trim() ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * A stage attempt's commit, on GitHub and in a local run alike: a subject
 * that names the stage and the feature, and trailers that identify the
 * attempt (a retry finds the commit an earlier try made by them).
 */
export function stageCommit(
  state: RunState,
  stage: string,
  attempt: number,
): { message: string; trailers: Record<string, string> } {
  const def = state.workflow.stages.find((s) => s.id === stage);
  return {
    message: `specwright(${stage}): ${def ? stageName(def) : stage} for "${shorten(state.feature, 60)}"`,
    trailers: {
      "Specwright-Run": state.id,
      "Specwright-Stage": stage,
      "Specwright-Attempt": String(attempt),
    },
  };
}

/**
 * The commit of an attempt stopped at one of its limits, whose work is kept
 * for the next attempt: the stage's subject, saying so, and the same
 * trailers.
 */
export function keptWorkCommit(
  state: RunState,
  stage: string,
  attempt: number,
  stopped: StoppedBy,
): { message: string; trailers: Record<string, string> } {
  const commit = stageCommit(state, stage, attempt);
  return {
    message: `${commit.message} (unfinished: stopped at its ${limitWords(stopped)})`,
    trailers: commit.trailers,
  };
}

export function trailerText(trailers: Record<string, string>): string {
  return Object.entries(trailers)
    .map(([key, value]) => `${key}: ${untrusted(value, "line")}`)
    .join("\n");
}

/**
 * The commit message: the subject on one line, as untrusted text (no
 * closing keyword that would close an issue once the commit reaches the
 * default branch, no mention), then a blank line and the trailers, last.
 * Git reads trailers from the last paragraph only, so nothing in the
 * subject (a `Specwright-Run:` or `Co-authored-by:` line in the feature)
 * can become one.
 */
export function commitMessage(subject: string, trailers: string): string {
  return `${untrusted(subject, "line")}\n\n${trailers}`;
}
