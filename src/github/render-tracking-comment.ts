import {
  type Attempt,
  commitCount,
  currentAttempt,
  type RunState,
  type StageRun,
} from "../engine/run-state.js";
import { formatDuration } from "../workflow/duration.js";
import type { StageStatus } from "../workflow/expressions/namespaces.js";
import { renderMermaid } from "../workflow/plan/render-mermaid.js";
import type { Workflow } from "../workflow/schema.js";
import { budgetGateOf, totalUsageText } from "./render-budget.js";
import { DRAFT_REFUSED_NOTE } from "./render-problems.js";
import {
  attemptDuration,
  cell,
  checkRunUrl,
  clip,
  codeBlock,
  fitLines,
  formatTime,
  inline,
  linkText,
  MAX_COMMENT_LENGTH,
  plural,
  repoUrl,
  STATUS_LABELS,
  stageTitle,
  treeUrl,
  truncate,
} from "./render-status.js";
import { isLive, waitingPoints } from "./render-tracking-alerts.js";
import { untrusted } from "./untrusted-text.js";

const RUN_STATUS: Readonly<Record<RunState["status"], [string, string]>> = {
  queued: ["⏳", "queued"],
  in_progress: ["🔄", "in progress"],
  succeeded: ["✅", "succeeded"],
  failed: ["❌", "failed"],
  no_changes: ["✅", "finished without changes"],
  cancelled: ["🚫", "cancelled"],
};

/** The hidden marker that finds a run's tracking comment again. */
export function trackingMarker(runId: string): string {
  return `<!-- specwright:run=${runId} -->`;
}

/** What is left on the issue once the tracking comment moved to the pull request. */
export function renderMovedComment(state: RunState): string {
  const pull = state.pull_request;
  return [
    `<!-- specwright:moved=${state.id} -->`,
    `Specwright run \`${state.id}\` continues on ${pull ? `#${pull.number}` : "its pull request"}: its progress is tracked there.`,
  ].join("\n");
}

export { MAX_COMMENT_LENGTH } from "./render-status.js";

/** Shares of the comment, so that one long part cannot push out the rest. */
const BUDGET = { alerts: 12_000, table: 30_000 };

function header(state: RunState): string[] {
  const feature = state.feature.split("\n")[0]?.trim() ?? "";
  const [mark, word] = RUN_STATUS[state.status];
  const facts = [
    `**${word}**${state.hold && isLive(state) ? " (on hold)" : ""}`,
    `branch [\`${linkText(state.branch)}\`](${treeUrl(state, state.branch)})`,
    ...(state.pull_request
      ? [`pull request #${state.pull_request.number}`]
      : []),
    `run \`${state.id}\``,
    `requested by @${state.requested_by}`,
  ];
  const lines = [
    trackingMarker(state.id),
    `### ${state.hold && isLive(state) ? "⏸️" : mark} Specwright: ${clip(untrusted(feature), 100)}`,
    "",
    facts.join(" · "),
  ];
  if (state.pull_request !== null && state.pull_request_draft_refused)
    lines.push("", DRAFT_REFUSED_NOTE);
  if (state.tracking_comment_on !== null && state.issue !== null) {
    lines.push(
      "",
      `Started from issue #${state.issue.number}: [${untrusted(clip(state.issue.title, 100), "link")}](${state.issue.url}).`,
    );
  }
  return lines;
}

function statusCell(stage: StageRun): string {
  const label = STATUS_LABELS[stage.status];
  if (stage.status === "waiting_approval" && budgetGateOf(stage))
    return "💰 held at a budget gate";
  if (stage.status === "retrying" && stage.retry_at)
    return `${label} at ${formatTime(stage.retry_at)}`;
  if (
    stage.reason &&
    (stage.status === "skipped" || stage.status === "cancelled")
  )
    return `${label} (${clip(untrusted(stage.reason), 80)})`;
  return label;
}

/**
 * How long the attempt took; for what is still under way, since when (the
 * comment is edited on events, not as time passes).
 */
function durationCell(
  stage: StageRun,
  attempt: Attempt | undefined,
  now: Date,
): string {
  if (stage.status === "waiting_approval" && stage.waiting_since)
    return `since ${formatTime(stage.waiting_since)}`;
  if (attempt?.status === "running" && attempt.started_at)
    return `since ${formatTime(attempt.started_at)}`;
  return (attempt && attemptDuration(attempt, now)) ?? "—";
}

function table(state: RunState, now: Date): string[] {
  const rows = state.stages.map((stage) => {
    const attempt = currentAttempt(stage);
    const check = attempt ? checkRunUrl(state, attempt) : undefined;
    const links = [
      ...(check ? [`[check run](${check})`] : []),
      ...(attempt?.workflow_run_url
        ? [`[Actions run](${attempt.workflow_run_url})`]
        : []),
      ...(stage.gate_check_run_id !== null
        ? [`[approval](${repoUrl(state)}/runs/${stage.gate_check_run_id})`]
        : []),
    ];
    return `| ${cell(inline(stageTitle(state, stage)))} | ${cell(statusCell(stage))} | ${attempt?.attempt ?? "—"} | ${durationCell(stage, attempt, now)} | ${totalUsageText(stage.attempts) ?? "—"} | ${links.join(" · ") || "—"} |`;
  });
  const total = totalUsageText(state.stages.flatMap((s) => s.attempts));
  return [
    "| Stage | Status | Attempt | Duration | Usage | Links |",
    "| --- | --- | --- | --- | --- | --- |",
    ...fitLines(
      rows,
      BUDGET.table,
      (left) => `| … and ${plural(left, "more stage")} | | | | | |`,
    ),
    ...(total ? [`| **Run total** | | | | ${total} | |`] : []),
  ];
}

/** The longest chain of dependencies, in stages. */
function depth(workflow: Pick<Workflow, "stages">): number {
  const byId = new Map(workflow.stages.map((s) => [s.id, s]));
  const memo = new Map<string, number>();
  const visit = (id: string, seen: Set<string>): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const stage = byId.get(id);
    if (stage === undefined || seen.has(id)) return 0;
    seen.add(id);
    const result =
      1 + Math.max(0, ...stage.depends_on.map((d) => visit(d, seen)));
    seen.delete(id);
    memo.set(id, result);
    return result;
  };
  return Math.max(0, ...workflow.stages.map((s) => visit(s.id, new Set())));
}

/**
 * The workflow as a Mermaid flowchart coloured by status. Left to right
 * while the longest chain fits the width of a comment, top down beyond.
 */
function diagram(state: RunState): string[] {
  const statuses = new Map<string, StageStatus>(
    state.stages.map((s) => [s.id, s.status]),
  );
  let text = renderMermaid(state.workflow, statuses);
  if (depth(state.workflow) <= 6)
    text = text.replace(/^flowchart TD/, "flowchart LR");
  return [codeBlock(text, "mermaid")];
}

function outcome(state: RunState): string[] {
  if (state.result_summary === null) return [];
  const commits = commitCount(state);
  const took =
    state.started_at && state.completed_at
      ? `, in ${formatDuration(Math.max(0, Date.parse(state.completed_at) - Date.parse(state.started_at)))}`
      : "";
  const lines = [
    `**Result:** ${cell(untrusted(state.result_summary))} (${plural(commits, "commit")}${took}).`,
  ];
  const pull = state.pull_request;
  if (pull && state.status === "succeeded")
    lines.push(
      "",
      `The work is ready for review in pull request #${pull.number}.`,
    );
  return lines;
}

function footer(state: RunState): string[] {
  if (!isLive(state)) return [];
  return [
    `<sub>Specwright edits this comment as the run goes on. Comment \`/hold\` to pause it, \`/cancel\` to stop it, \`/help\` for every command.</sub>`,
  ];
}

function join(sections: readonly string[][]): string {
  return sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join("\n").trimEnd())
    .join("\n\n");
}

/**
 * The run's tracking comment, edited in place: what it is and where
 * (linking back to the issue once it lives on the pull request), where it
 * waits and what to do about it (a gate, a hold, a retry, a failure), one
 * table row per stage (status, attempt, duration, links to the check run
 * and the Actions run), the workflow as a diagram coloured by status, and
 * the outcome. The hidden marker stays the first line.
 */
export function renderTrackingComment(state: RunState, now: Date): string {
  const before = [
    header(state),
    waitingPoints(state, BUDGET.alerts),
    table(state, now),
  ];
  const after = [outcome(state), footer(state)];
  const full = join([...before, diagram(state), ...after]);
  if (full.length <= MAX_COMMENT_LENGTH) return full;
  // A cut diagram would not render at all: leave it out instead.
  return truncate(
    join([
      ...before,
      ["_The workflow diagram is left out: it would not fit in a comment._"],
      ...after,
    ]),
    MAX_COMMENT_LENGTH,
  );
}
