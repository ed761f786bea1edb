import type { Finding, Usage } from "../contracts/stage-result.js";
import {
  type Attempt,
  currentAttempt,
  type RunState,
  type StageRun,
} from "../engine/run-state.js";
import { formatDuration } from "../workflow/duration.js";
import { resolveAgent } from "../workflow/resolve-agent.js";
import {
  MAX_ANNOTATIONS,
  type PlannedAnnotations,
  renderAnnotations,
  SEVERITIES,
} from "./render-annotations.js";
import {
  attemptDuration,
  blobUrl,
  type CheckRunAction,
  cell,
  clip,
  codeBlock,
  commitUrl,
  fitLines,
  formatTime,
  inline,
  linkText,
  plural,
  RETRY_ACTION,
  repoUrl,
  stageTitle,
  trackingCommentUrl,
  treeUrl,
  truncate,
  truncateStart,
} from "./render-status.js";

/** GitHub caps a check run's summary and text at 65,535 characters. */
export const MAX_CHECK_TEXT = 65_000;

/** Shares of the summary, so that one long part cannot push out the rest. */
const BUDGET = {
  error: 4_000,
  files: 10_000,
  findings: 10_000,
  log: 20_000,
  message: 15_000,
};
const MAX_FILES = 50;

type Conclusion = "success" | "failure" | "timed_out" | "cancelled" | "skipped";

const CONCLUSIONS: Partial<Record<Attempt["status"], Conclusion>> = {
  succeeded: "success",
  failed: "failure",
  timed_out: "timed_out",
  cancelled: "cancelled",
  skipped: "skipped",
};

export interface CheckRunFields {
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion?: Conclusion;
  started_at?: string;
  completed_at?: string;
  details_url?: string;
  output: { title: string; summary: string; text?: string };
  /** Buttons; an empty list removes earlier ones. */
  actions: CheckRunAction[];
}

export function checkRunName(state: RunState, stage: StageRun): string {
  return `Specwright: ${stageTitle(state, stage)}`;
}

function definition(state: RunState, stage: StageRun) {
  return state.workflow.stages.find((s) => s.id === stage.id);
}

/** The attempt's next one is scheduled: the stage is `retrying` after it. */
function retryAt(stage: StageRun, attempt: Attempt): string | undefined {
  return stage.status === "retrying" && currentAttempt(stage) === attempt
    ? (stage.retry_at ?? undefined)
    : undefined;
}

function firstLine(text: string, max: number): string {
  return clip(inline(text.trim().split(/\r?\n/)[0] ?? ""), max);
}

function title(state: RunState, stage: StageRun, attempt: Attempt): string {
  const name = stageTitle(state, stage);
  const retry = retryAt(stage, attempt);
  switch (attempt.status) {
    case "succeeded": {
      if (attempt.findings.length > 0) {
        const worst = SEVERITIES.find((s) =>
          attempt.findings.some((f) => f.severity === s),
        );
        const count = attempt.findings.filter(
          (f) => f.severity === worst,
        ).length;
        return `${name} succeeded: ${plural(attempt.findings.length, "finding")} (${count} ${worst})`;
      }
      return attempt.commit_sha === null
        ? `${name} succeeded without changes`
        : `${name} succeeded: ${plural(attempt.changed_paths.length, "file")} changed`;
    }
    case "failed":
    case "timed_out":
    case "cancelled": {
      const word =
        attempt.status === "failed"
          ? "failed"
          : attempt.status === "timed_out"
            ? "timed out"
            : "was cancelled";
      if (retry !== undefined)
        return `${name} ${word} (attempt ${attempt.attempt}); retrying at ${formatTime(retry)}`;
      return attempt.error_message && attempt.status !== "cancelled"
        ? `${name} ${word}: ${firstLine(attempt.error_message, 120)}`
        : `${name} ${word}`;
    }
    case "skipped":
      return `${name} was skipped`;
    case "running":
      return `${name} is running`;
    default:
      return `${name} is queued`;
  }
}

function lead(state: RunState, stage: StageRun, attempt: Attempt): string {
  const name = cell(inline(stageTitle(state, stage)));
  const n = `attempt ${attempt.attempt}`;
  switch (attempt.status) {
    case "succeeded":
      return attempt.commit_sha === null
        ? `### ✅ ${name} succeeded (${n}) without changing a file`
        : `### ✅ ${name} succeeded (${n}) and committed ${plural(attempt.changed_paths.length, "file")}`;
    case "failed":
      return `### ❌ ${name} failed (${n})`;
    case "timed_out":
      return `### ⌛ ${name} timed out (${n})`;
    case "cancelled":
      return `### 🚫 ${name} was cancelled (${n})`;
    case "skipped":
      return `### ⏭️ ${name} was skipped`;
    case "running":
      return `### 🔄 ${name} is running (${n})`;
    default:
      return `### ⏳ ${name} is queued (${n}): it waits for a runner`;
  }
}

const EXECUTION: Readonly<
  Record<NonNullable<Attempt["execution_path"]>, (skill: string) => string>
> = {
  skill: (skill) => `ran skill ${skill}`,
  direct_fallback: (skill) =>
    `ran the direct prompt after ${skill ? `skill ${skill}` : "the skill"} failed`,
  direct_only: () => "ran the direct prompt, without a skill",
};

function usageText(usage: Usage): string | undefined {
  const n = (value: number) => value.toLocaleString("en-US");
  const parts: string[] = [];
  if (usage.input_tokens !== undefined || usage.output_tokens !== undefined)
    parts.push(
      `${n(usage.input_tokens ?? 0)} input + ${n(usage.output_tokens ?? 0)} output tokens`,
    );
  if (usage.turns !== undefined) parts.push(plural(usage.turns, "turn"));
  if (usage.cost_usd !== undefined)
    parts.push(
      usage.cost_usd > 0 && usage.cost_usd < 0.01
        ? "< $0.01"
        : `$${usage.cost_usd.toFixed(2)}`,
    );
  return parts.length > 0 ? parts.join(" · ") : undefined;
}

function agentText(state: RunState, stage: StageRun, attempt: Attempt): string {
  const agent = resolveAgent(
    state.settings.agent,
    definition(state, stage)?.agent,
  );
  return [
    `\`${agent.backend}\``,
    ...(attempt.agent_version ? [inline(attempt.agent_version)] : []),
    ...(agent.model ? [`· model \`${inline(agent.model)}\``] : []),
  ].join(" ");
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

function facts(
  state: RunState,
  stage: StageRun,
  attempt: Attempt,
  now: Date,
): string[] {
  const progress = trackingCommentUrl(state);
  const rows: [string, string][] = [
    ["Run", `\`${state.id}\`${progress ? ` · [progress](${progress})` : ""}`],
    ["Attempt", String(attempt.attempt)],
  ];
  if (attempt.trigger)
    rows.push(["Why this attempt", clip(inline(attempt.trigger), 500)]);
  if (attempt.execution_path)
    rows.push([
      "Execution path",
      `\`${attempt.execution_path}\`: ${EXECUTION[attempt.execution_path](
        attempt.selected_skill ? `\`${inline(attempt.selected_skill)}\`` : "",
      )}`,
    ]);
  else if (attempt.selected_skill)
    rows.push(["Skill", `\`${inline(attempt.selected_skill)}\``]);
  rows.push(["Agent", agentText(state, stage, attempt)]);
  if (attempt.started_at)
    rows.push(["Started", formatTime(attempt.started_at)]);
  // GitHub shows a running check run's time itself; this text would go stale.
  const duration =
    attempt.completed_at === null ? undefined : attemptDuration(attempt, now);
  if (duration) rows.push(["Duration", duration]);
  const usage = attempt.usage ? usageText(attempt.usage) : undefined;
  if (usage) rows.push(["Usage", usage]);
  rows.push([
    "Ran against",
    `[${short(attempt.base_sha)}](${commitUrl(state, attempt.base_sha)})`,
  ]);
  if (attempt.commit_sha)
    rows.push([
      "Commit",
      `[${short(attempt.commit_sha)}](${commitUrl(state, attempt.commit_sha)}) on [\`${linkText(state.branch)}\`](${treeUrl(state, state.branch)})`,
    ]);
  if (attempt.workflow_run_url)
    rows.push(["Actions run", `[logs](${attempt.workflow_run_url})`]);
  return [
    "| | |",
    "| --- | --- |",
    ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`),
  ];
}

function errorSection(attempt: Attempt): string[] {
  const error = attempt.error_message?.trim();
  if (!error) return [];
  const label =
    attempt.status === "cancelled" ? "Why it stopped" : "Why it failed";
  const text = truncate(error, BUDGET.error, " …");
  return text.includes("\n")
    ? [`**${label}:**`, "", codeBlock(text)]
    : [`**${label}:** ${inline(text)}`];
}

function retrySection(stage: StageRun, attempt: Attempt): string[] {
  const retry = retryAt(stage, attempt);
  if (retry === undefined) return [];
  return [
    `🔁 **Retrying:** attempt ${attempt.attempt + 1} starts at ${formatTime(retry)}.`,
  ];
}

function filesSection(state: RunState, attempt: Attempt): string[] {
  if (attempt.commit_sha === null || attempt.changed_paths.length === 0)
    return [];
  const commit = commitUrl(state, attempt.commit_sha);
  const lines = attempt.changed_paths.map(
    (path) => `- [${linkText(path)}](${blobUrl(state, state.branch, path)})`,
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
    ? ` in \`${inline(finding.path).replace(/`/g, "'")}\``
    : "";
  const recommendation = finding.recommendation
    ? ` *Recommendation:* ${inline(finding.recommendation)}`
    : "";
  return clip(
    `- **${finding.severity}** \`${inline(finding.id).replace(/`/g, "'")}\` ${inline(finding.category)}${where}: ${inline(finding.summary)}${recommendation}`,
    2_000,
  );
}

function findingsSection(
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

function artifactsSection(
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

function logSection(attempt: Attempt): string[] {
  if (
    attempt.log_tail === null ||
    attempt.log_tail.trim() === "" ||
    (attempt.status !== "failed" && attempt.status !== "timed_out")
  )
    return [];
  return [
    "#### The end of the agent's log",
    "",
    codeBlock(truncateStart(attempt.log_tail, BUDGET.log), "text"),
  ];
}

/** Last, since it is the agent's own Markdown: nothing after it to break. */
function messageSection(stage: StageRun, attempt: Attempt): string[] {
  const message = attempt.final_message?.trim();
  if (!message) return [];
  const text = truncate(message, BUDGET.message, "\n\n… (cut)");
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
function details(state: RunState, attempt: Attempt): string {
  const lines: string[] = [];
  if (attempt.phases.length > 0) {
    lines.push(
      "### Phases",
      "",
      "| Phase | Status | Duration |",
      "| --- | --- | --- |",
      ...attempt.phases.map(
        (p) =>
          `| ${cell(inline(p.phase))} | ${p.status} | ${formatDuration(Math.max(0, Date.parse(p.completed_at) - Date.parse(p.started_at)))} |`,
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
        ? `[${linkText(f.path)}${f.start_line ? `:${f.start_line}` : ""}](${blobUrl(state, attempt.base_sha, f.path)}${line})`
        : "—";
      return clip(
        `| ${cell(inline(f.id))} | ${f.severity} | ${cell(inline(f.category))} | ${cell(where)} | ${cell(inline(f.summary))} | ${cell(inline(f.recommendation ?? ""))} |`,
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

/** The Retry button, for an attempt that failed for good in a run that can go on. */
function actions(
  state: RunState,
  stage: StageRun,
  attempt: Attempt,
): CheckRunAction[] {
  const failed = attempt.status === "failed" || attempt.status === "timed_out";
  if (
    !failed ||
    state.status === "cancelled" ||
    currentAttempt(stage) !== attempt ||
    stage.status === "retrying"
  )
    return [];
  return [
    {
      label: "Retry",
      description: clip(`Run ${stageTitle(state, stage)} again`, 40),
      identifier: RETRY_ACTION,
    },
  ];
}

function join(sections: string[][]): string {
  return sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join("\n"))
    .join("\n\n");
}

/**
 * A stage attempt's check run, as it should look now: the outcome in the
 * title; the summary with how it ran (path, skill, agent), how long and at
 * what cost, why it was made, what it changed, its result bundle, and on
 * failure why and the end of the log; `analyze`'s findings and report. The
 * Actions run is the details link.
 */
export function renderCheckRun(
  state: RunState,
  stage: StageRun,
  attempt: Attempt,
  now: Date,
): CheckRunFields {
  const conclusion = CONCLUSIONS[attempt.status];
  const planned = renderAnnotations(attempt.findings);
  const summary = join([
    [lead(state, stage, attempt)],
    errorSection(attempt),
    retrySection(stage, attempt),
    facts(state, stage, attempt, now),
    filesSection(state, attempt),
    findingsSection(stage, attempt, planned),
    artifactsSection(state, attempt, now),
    logSection(attempt),
    messageSection(stage, attempt),
  ]);
  const text = details(state, attempt);
  return {
    name: checkRunName(state, stage),
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
    output: {
      title: clip(title(state, stage, attempt), 200),
      summary: truncate(summary, MAX_CHECK_TEXT),
      ...(text ? { text: truncate(text, MAX_CHECK_TEXT) } : {}),
    },
    actions: actions(state, stage, attempt),
  };
}
