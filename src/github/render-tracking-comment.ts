import {
  commitCount,
  currentAttempt,
  type RunState,
} from "../engine/run-state.js";
import {
  attemptDuration,
  cell,
  checkRunUrl,
  STATUS_LABELS,
  stageTitle,
  truncate,
} from "./render-status.js";

const RUN_STATUS: Readonly<Record<RunState["status"], string>> = {
  queued: "queued",
  in_progress: "in progress",
  succeeded: "succeeded",
  failed: "failed",
  no_changes: "finished without changes",
  cancelled: "cancelled",
};

/** The hidden marker that finds a run's tracking comment again. */
export function trackingMarker(runId: string): string {
  return `<!-- specwright:run=${runId} -->`;
}

/** GitHub refuses comments over 65,536 characters; keep a margin. */
export const MAX_COMMENT_LENGTH = 65_000;

/**
 * The run's tracking comment: one table row per stage (status, attempt,
 * duration, links to the check run and the Actions run), and the outcome.
 */
export function renderTrackingComment(state: RunState, now: Date): string {
  const feature = state.feature.split("\n")[0]?.trim() ?? "";
  const facts = [
    `Run \`${state.id}\``,
    `**${RUN_STATUS[state.status]}**`,
    `branch \`${state.branch}\``,
    ...(state.pull_request
      ? [`pull request #${state.pull_request.number}`]
      : []),
  ];
  const lines = [
    trackingMarker(state.id),
    `### Specwright: ${cell(feature.length > 100 ? `${feature.slice(0, 99)}…` : feature)}`,
    "",
    facts.join(" · "),
    "",
    "| Stage | Status | Attempt | Duration | Links |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const stage of state.stages) {
    const attempt = currentAttempt(stage);
    const links = [
      attempt && checkRunUrl(state, attempt)
        ? `[check run](${checkRunUrl(state, attempt)})`
        : undefined,
      attempt?.workflow_run_url
        ? `[Actions run](${attempt.workflow_run_url})`
        : undefined,
    ].filter((x) => x !== undefined);
    lines.push(
      `| ${cell(stageTitle(state, stage))} | ${STATUS_LABELS[stage.status]} | ${attempt?.attempt ?? "—"} | ${(attempt && attemptDuration(attempt, now)) ?? "—"} | ${links.join(" · ") || "—"} |`,
    );
  }
  const waiting = state.stages.filter((s) => s.status === "waiting_approval");
  if (waiting.length > 0 && state.status === "in_progress") {
    lines.push(
      "",
      `**Waiting for approval:** ${waiting.map((s) => stageTitle(state, s)).join(", ")}. Comment \`/approve\` to run ${waiting.length === 1 ? "it" : "them"}.`,
    );
  }
  if (state.result_summary !== null) {
    const commits = commitCount(state);
    lines.push(
      "",
      `**Result:** ${cell(state.result_summary)} (${commits} commit${commits === 1 ? "" : "s"}).`,
    );
  }
  return truncate(lines.join("\n"), MAX_COMMENT_LENGTH);
}
