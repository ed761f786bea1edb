import type { Attempt, RunState, StageRun } from "../engine/run-state.js";
import { formatDuration } from "../workflow/duration.js";
import type { StageStatus } from "../workflow/expressions/namespaces.js";

/** A word and a mark for each status, the same everywhere Specwright reports. */
export const STATUS_LABELS: Readonly<Record<StageStatus, string>> = {
  pending: "⏳ pending",
  waiting_approval: "✋ waiting for approval",
  dispatched: "🚀 dispatched",
  running: "🔄 running",
  retrying: "🔁 retrying",
  succeeded: "✅ succeeded",
  failed: "❌ failed",
  timed_out: "⌛ timed out",
  cancelled: "🚫 cancelled",
  skipped: "⏭️ skipped",
};

/** How long an attempt took, or has been running. */
export function attemptDuration(
  attempt: Attempt,
  now: Date,
): string | undefined {
  const start = attempt.started_at ?? attempt.dispatched_at;
  const end =
    attempt.completed_at ??
    (attempt.status === "running" ? now.toISOString() : null);
  if (end === null) return undefined;
  return formatDuration(Math.max(0, Date.parse(end) - Date.parse(start)));
}

export function checkRunUrl(
  state: RunState,
  attempt: Attempt,
): string | undefined {
  return attempt.check_run_id === null
    ? undefined
    : `https://github.com/${state.owner}/${state.repo}/runs/${attempt.check_run_id}`;
}

export function stageTitle(state: RunState, stage: StageRun): string {
  const def = state.workflow.stages.find((s) => s.id === stage.id);
  return def?.name ?? stage.id;
}

/** Text safe inside a Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Cuts text to `max` characters at most, saying so. */
export function truncate(
  text: string,
  max: number,
  note = "\n\n… (cut to fit GitHub's limit)",
): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - note.length))}${note}`;
}
