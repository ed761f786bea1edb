import type { Finding } from "../contracts/stage-result.js";
import type { Attempt, RunState, StageRun } from "../engine/run-state.js";
import { formatDuration } from "../workflow/duration.js";
import {
  MAX_ANNOTATIONS,
  type PlannedAnnotations,
  SEVERITIES,
} from "./render-annotations.js";
import {
  blobUrl,
  cell,
  clip,
  codeBlock,
  commitUrl,
  fitLines,
  formatTime,
  inline,
  plural,
  repoUrl,
  truncate,
  truncateStart,
} from "./render-status.js";
import { untrusted } from "./untrusted-text.js";

// The sections of a stage attempt's check run that show what it produced:
// files, findings, the result bundle, the log, the agent's last message.

/** GitHub caps a check run's summary and text at 65,535 characters. */
export const MAX_CHECK_TEXT = 65_000;

/** Shares of the summary, so that one long part cannot push out the rest. */
const BUDGET = {
  files: 10_000,
  findings: 10_000,
  log: 20_000,
  message: 15_000,
};
const MAX_FILES = 50;

export function filesSection(state: RunState, attempt: Attempt): string[] {
  if (attempt.commit_sha === null || attempt.changed_paths.length === 0)
    return [];
  const commit = commitUrl(state, attempt.commit_sha);
  const lines = attempt.changed_paths.map(
    (path) =>
      `- [${untrusted(path, "link")}](${blobUrl(state, state.branch, path)})`,
  );
  return [
    `#### Files changed (${attempt.changed_paths.length})`,
    "",
    ...fitLines(
      lines,
      BUDGET.files,
      (left) => `- … and ${left} more: see [the commit](${commit})`,
      MAX_FILES,
    ),
  ];
}

function findingLine(finding: Finding): string {
  const where = finding.path
    ? ` in \`${untrusted(finding.path, "span")}\``
    : "";
  const recommendation = finding.recommendation
    ? ` *Recommendation:* ${untrusted(finding.recommendation)}`
    : "";
  return clip(
    `- **${finding.severity}** \`${untrusted(finding.id, "span")}\` ${untrusted(finding.category)}${where}: ${untrusted(finding.summary)}${recommendation}`,
    2_000,
  );
}

export function findingsSection(
  stage: StageRun,
  attempt: Attempt,
  planned: PlannedAnnotations,
): string[] {
  const { findings } = attempt;
  if (findings.length === 0) {
    return stage.id === "analyze" && attempt.status === "succeeded"
      ? ["#### Findings", "", "None: the artifacts are consistent."]
      : [];
  }
  const counts = SEVERITIES.map((severity) => {
    const count = findings.filter((f) => f.severity === severity).length;
    return count > 0 && (severity === "CRITICAL" || severity === "HIGH")
      ? `**${count} ${severity}**`
      : `${count} ${severity}`;
  });
  const lines = [
    `#### Findings (${findings.length})`,
    "",
    `${counts.join(" · ")}.`,
  ];
  if (planned.annotations.length > 0)
    lines.push(
      "",
      `${plural(planned.annotations.length, "finding is", "findings are")} shown as annotations on the files they concern (failures for CRITICAL and HIGH, warnings for MEDIUM, notices for LOW).`,
    );
  if (planned.left_out > 0)
    lines.push(
      "",
      `${plural(planned.left_out, "more finding is", "more findings are")} not shown as annotations: Specwright adds at most ${MAX_ANNOTATIONS.toLocaleString("en-US")} to a check run, the most severe first.`,
    );
  if (planned.unplaced.length > 0)
    lines.push(
      "",
      `Without a file and line, so not annotations (${planned.unplaced.length}):`,
      "",
      ...fitLines(
        planned.unplaced.map(findingLine),
        BUDGET.findings,
        (left) => `- … and ${left} more: every finding is in the details below`,
      ),
    );
  return lines;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function artifactsSection(
  state: RunState,
  attempt: Attempt,
  now: Date,
): string[] {
  const { artifacts } = attempt;
  const first = artifacts[0];
  if (first === undefined) return [];
  const id = first.storage_path.split("/")[0];
  const link =
    attempt.workflow_run_id !== null && id
      ? `[Download the result bundle](${repoUrl(state)}/actions/runs/${attempt.workflow_run_id}/artifacts/${encodeURIComponent(id)})`
      : "The result bundle";
  const expired = Date.parse(first.expires_at) <= now.getTime();
  return [
    "#### Result bundle",
    "",
    `${link} · ${expired ? "expired" : "expires"} ${formatTime(first.expires_at)}`,
    "",
    "| File | Type | Size | Expires |",
    "| --- | --- | --- | --- |",
    ...artifacts.map(
      (a) =>
        `| \`${cell(inline(a.name))}\` | ${a.type} | ${formatBytes(a.size_bytes)} | ${formatTime(a.expires_at)} |`,
    ),
  ];
}

export function logSection(attempt: Attempt): string[] {
  if (
    attempt.log_tail === null ||
    attempt.log_tail.trim() === "" ||
    (attempt.status !== "failed" && attempt.status !== "timed_out")
  )
    return [];
  return [
    "#### The end of the agent's log",
    "",
    codeBlock(
      truncateStart(untrusted(attempt.log_tail, "code"), BUDGET.log),
      "text",
    ),
  ];
}

/**
 * Last, since it is the agent's own Markdown, kept as Markdown but without
 * HTML (no `</details>` ending ours, no `<!--` hiding the rest), mention or
 * reference.
 */
export function messageSection(stage: StageRun, attempt: Attempt): string[] {
  const message = attempt.final_message?.trim();
  if (!message) return [];
  const text = truncate(
    untrusted(message, "markdown"),
    BUDGET.message,
    "\n\n… (cut)",
  );
  return stage.id === "analyze"
    ? ["#### Report", "", text]
    : [
        "<details><summary>The agent's last message</summary>",
        "",
        text,
        "",
        "</details>",
      ];
}

/** The attempt's phases and every finding, for the check run's details. */
export function details(state: RunState, attempt: Attempt): string {
  const lines: string[] = [];
  if (attempt.phases.length > 0) {
    lines.push(
      "### Phases",
      "",
      "| Phase | Status | Duration |",
      "| --- | --- | --- |",
      ...attempt.phases.map(
        (p) =>
          `| ${cell(untrusted(p.phase))} | ${p.status} | ${formatDuration(Math.max(0, Date.parse(p.completed_at) - Date.parse(p.started_at)))} |`,
      ),
    );
  }
  if (attempt.findings.length > 0) {
    const rows = attempt.findings.map((f) => {
      const line =
        f.start_line === undefined
          ? ""
          : `#L${f.start_line}${f.end_line && f.end_line > f.start_line ? `-L${f.end_line}` : ""}`;
      const where = f.path
        ? `[${untrusted(f.path, "link")}${f.start_line ? `:${f.start_line}` : ""}](${blobUrl(state, attempt.base_sha, f.path)}${line})`
        : "—";
      return clip(
        `| ${cell(untrusted(f.id))} | ${f.severity} | ${cell(untrusted(f.category))} | ${cell(where)} | ${cell(untrusted(f.summary))} | ${cell(untrusted(f.recommendation ?? ""))} |`,
        3_000,
      );
    });
    lines.push(
      ...(lines.length > 0 ? [""] : []),
      "### All findings",
      "",
      "| ID | Severity | Category | Where | Finding | Recommendation |",
      "| --- | --- | --- | --- | --- | --- |",
      ...fitLines(
        rows,
        MAX_CHECK_TEXT - 1_000,
        (left) => `\n… and ${left} more findings (cut to fit GitHub's limit)`,
      ),
    );
  }
  return lines.join("\n");
}
