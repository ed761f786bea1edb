import type { Attempt, RunState, StageRun } from "../engine/run-state.js";
import {
  attemptDuration,
  cell,
  STATUS_LABELS,
  stageTitle,
  truncate,
} from "./render-status.js";

/** GitHub caps a check run's summary and text at 65,535 characters. */
export const MAX_CHECK_TEXT = 65_000;

const CONCLUSIONS: Partial<
  Record<
    Attempt["status"],
    "success" | "failure" | "timed_out" | "cancelled" | "skipped"
  >
> = {
  succeeded: "success",
  failed: "failure",
  timed_out: "timed_out",
  cancelled: "cancelled",
  skipped: "skipped",
};

export interface CheckRunFields {
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion?: "success" | "failure" | "timed_out" | "cancelled" | "skipped";
  started_at?: string;
  completed_at?: string;
  details_url?: string;
  output: { title: string; summary: string };
}

export function checkRunName(state: RunState, stage: StageRun): string {
  return `Specwright: ${stageTitle(state, stage)}`;
}

/** A stage attempt's check run, as it should look now. */
export function renderCheckRun(
  state: RunState,
  stage: StageRun,
  attempt: Attempt,
  now: Date,
): CheckRunFields {
  const name = checkRunName(state, stage);
  const conclusion = CONCLUSIONS[attempt.status];
  const title =
    conclusion === "success"
      ? `${stageTitle(state, stage)} succeeded${attempt.commit_sha ? "" : " (no changes)"}`
      : conclusion !== undefined
        ? `${stageTitle(state, stage)} ${STATUS_LABELS[attempt.status].replace(/^\S+ /, "")}`
        : attempt.status === "running"
          ? `${stageTitle(state, stage)} is running`
          : `${stageTitle(state, stage)} is queued`;
  const rows: [string, string][] = [
    ["Run", `\`${state.id}\``],
    ["Attempt", String(attempt.attempt)],
    ["Status", STATUS_LABELS[attempt.status]],
  ];
  if (attempt.execution_path)
    rows.push(["Execution path", `\`${attempt.execution_path}\``]);
  if (attempt.selected_skill)
    rows.push(["Skill", `\`${attempt.selected_skill}\``]);
  const duration = attemptDuration(attempt, now);
  if (duration) rows.push(["Duration", duration]);
  if (attempt.commit_sha)
    rows.push([
      "Commit",
      `${attempt.commit_sha.slice(0, 12)} (${attempt.changed_paths.length} file${attempt.changed_paths.length === 1 ? "" : "s"})`,
    ]);
  if (attempt.workflow_run_url)
    rows.push(["Actions run", attempt.workflow_run_url]);
  const summary = [
    "| | |",
    "| --- | --- |",
    ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`),
    ...(attempt.error_message
      ? ["", `**Why it failed:** ${attempt.error_message}`]
      : []),
  ].join("\n");
  return {
    name,
    status:
      conclusion !== undefined
        ? "completed"
        : attempt.status === "running"
          ? "in_progress"
          : "queued",
    ...(conclusion === undefined
      ? {}
      : {
          conclusion,
          completed_at: attempt.completed_at ?? now.toISOString(),
        }),
    ...(attempt.started_at ? { started_at: attempt.started_at } : {}),
    ...(attempt.workflow_run_url
      ? { details_url: attempt.workflow_run_url }
      : {}),
    output: { title, summary: truncate(summary, MAX_CHECK_TEXT) },
  };
}
