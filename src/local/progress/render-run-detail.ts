import { join } from "node:path";
import { gateCommands } from "../../engine/progress/progress-event.js";
import type { Attempt, RunState, StageRun } from "../../engine/run-state.js";
import { formatDuration } from "./format-duration.js";
import { formatDateTime } from "./format-time.js";
import { formatUsage } from "./format-usage.js";
import { STATUS_LOOK } from "./stage-status.js";
import { terminalSafe } from "./terminal-safe.js";

export interface RunDetailExtra {
  /** Each attempt's step folder name, by `<stage>#<attempt>`. */
  steps: Record<string, string>;
  /** The run folder. */
  folder: string;
}

/** How many lines of an error the detail shows; the step folder has all. */
const ERROR_LINES = 12;

/** Untrusted text of several lines, indented under its label. */
function block(label: string, text: string, indent: string): string[] {
  const lines = terminalSafe(text, { multiline: true }).split("\n");
  const shown = lines.slice(0, ERROR_LINES);
  if (lines.length > ERROR_LINES)
    shown.push(`… (${lines.length - ERROR_LINES} more lines)`);
  const pad = " ".repeat(label.length);
  return shown.map((line, i) => `${indent}${i === 0 ? label : pad}${line}`);
}

function between(from: string | null, to: string | null): string | null {
  if (from === null || to === null) return null;
  return formatDuration(Date.parse(to) - Date.parse(from));
}

function header(state: RunState, folder: string): string[] {
  const summary =
    state.result_summary === null
      ? ""
      : ` — ${terminalSafe(state.result_summary)}`;
  return [
    `Run ${state.id}`,
    ...block("  Feature:   ", state.feature, ""),
    `  Workflow:  ${terminalSafe(state.workflow.name)}`,
    `  Status:    ${state.status}${summary}`,
    `  Branch:    ${terminalSafe(state.branch)}`,
    `  Started:   ${state.started_at === null ? "not yet" : formatDateTime(state.started_at, true)}`,
    `  Duration:  ${between(state.started_at, state.completed_at) ?? (state.started_at === null ? "–" : "still running")}`,
    `  Folder:    ${terminalSafe(folder)}`,
  ];
}

/** How the attempt ran: the skill, or the direct prompt (and after which skill). */
function executionPath(attempt: Attempt): string {
  const skill =
    attempt.selected_skill === null
      ? "the skill"
      : `skill ${terminalSafe(attempt.selected_skill)}`;
  switch (attempt.execution_path) {
    case null:
      return "";
    case "skill":
      return `via ${skill}`;
    case "direct_fallback":
      return `via the direct prompt, after ${skill} failed`;
    case "direct_only":
      return "via the direct prompt";
  }
}

function attemptLines(
  stage: StageRun,
  attempt: Attempt,
  extra: RunDetailExtra,
): string[] {
  const facts = [
    `attempt ${attempt.attempt}`,
    STATUS_LOOK[attempt.status].word,
    executionPath(attempt),
    between(
      attempt.started_at ?? attempt.dispatched_at,
      attempt.completed_at,
    ) ?? "",
    formatUsage(attempt.usage, attempt.cost_estimated ?? false),
    attempt.commit_sha === null
      ? ""
      : `commit ${attempt.commit_sha.slice(0, 8)}`,
  ];
  const lines = [`    ${facts.filter((f) => f !== "").join("  ")}`];
  if (attempt.trigger !== null)
    lines.push(`      why:   ${terminalSafe(attempt.trigger)}`);
  if (attempt.error_message !== null)
    lines.push(...block("error: ", attempt.error_message, "      "));
  const dir = extra.steps[`${stage.id}#${attempt.attempt}`];
  if (dir !== undefined)
    lines.push(
      `      steps: ${terminalSafe(join(extra.folder, "steps", dir))}`,
    );
  return lines;
}

function stageLines(
  state: RunState,
  stage: StageRun,
  extra: RunDetailExtra,
): string[] {
  const look = STATUS_LOOK[stage.status];
  const notes = [
    stage.reason === null ? null : terminalSafe(stage.reason),
    stage.approved_by === null
      ? null
      : `approved by ${terminalSafe(stage.approved_by)}`,
    // The reason already says who rejected it, and why.
    stage.rejected_by === null || stage.reason?.startsWith("rejected by")
      ? null
      : `rejected by ${terminalSafe(stage.rejected_by)}`,
    stage.status === "waiting_approval" && stage.waiting_since !== null
      ? `since ${formatDateTime(stage.waiting_since, true)}`
      : null,
  ].filter((note) => note !== null);
  const lines = [
    `  ${look.symbol} ${stage.id}  ${look.word}${notes.length > 0 ? ` — ${notes.join("; ")}` : ""}`,
  ];
  for (const attempt of stage.attempts)
    lines.push(...attemptLines(stage, attempt, extra));
  if (stage.status === "waiting_approval") {
    const commands = gateCommands(state.id, stage.id);
    lines.push(
      `    approve: ${commands.approve}`,
      `    reject:  ${commands.reject}`,
    );
  }
  return lines;
}

/**
 * One run in full for `specwright runs <id>`: what was asked and how it
 * ended, then each stage with every attempt (status, execution path,
 * skill, time, usage, commit, error, step folder) and, for a stage that
 * waits, the commands that approve or reject it.
 */
export function renderRunDetail(
  state: RunState,
  extra: RunDetailExtra,
): string {
  const lines = [...header(state, extra.folder), "", "Stages"];
  for (const stage of state.stages)
    lines.push(...stageLines(state, stage, extra));
  return `${lines.join("\n")}\n`;
}
