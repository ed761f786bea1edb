import {
  currentAttempt,
  type RunState,
  type StageRun,
} from "../engine/run-state.js";
import { type Stage, stageName } from "../workflow/schema.js";
import { budgetGateOf } from "./render-budget.js";
import { budgetGateLines } from "./render-budget-gate.js";
import {
  approvalHowTo,
  approversText,
  gateDeadlineText,
  gateMessage,
  quote,
} from "./render-notice.js";
import { describeProblem, trackingCommentProblems } from "./render-problems.js";
import {
  clip,
  fitLines,
  formatTime,
  inline,
  plural,
  stageTitle,
} from "./render-status.js";
import { untrusted } from "./untrusted-text.js";

function definition(state: RunState, id: string): Stage | undefined {
  return state.workflow.stages.find((s) => s.id === id);
}

/** The run can still change: it has not ended. */
export function isLive(state: RunState): boolean {
  return state.status === "in_progress" || state.status === "queued";
}

/** A GitHub alert: a block quote whose first line names its kind. */
function alert(
  kind: "NOTE" | "IMPORTANT" | "WARNING" | "CAUTION",
  lines: readonly string[],
): string {
  return [`[!${kind}]`, ...lines]
    .join("\n")
    .split("\n")
    .map((line) => (line === "" ? ">" : `> ${line}`))
    .join("\n");
}

function gateAlert(state: RunState, stage: StageRun): string {
  const def = definition(state, stage.id);
  if (def === undefined) return "";
  if (budgetGateOf(stage) !== undefined) {
    return alert("IMPORTANT", [
      `💰 **${inline(stageName(def))}** is held at a budget gate${stage.waiting_since ? ` since ${formatTime(stage.waiting_since)}` : ""}.`,
      "",
      ...budgetGateLines(state, stage, stageName(def), "comment").slice(4),
    ]);
  }
  const message = gateMessage(state, def);
  const deadline = gateDeadlineText(def, stage);
  return alert("IMPORTANT", [
    `✋ **${inline(stageName(def))}** is waiting for approval${stage.waiting_since ? ` since ${formatTime(stage.waiting_since)}` : ""}.`,
    ...(message ? ["", quote(clip(message, 2_000))] : []),
    "",
    `Who may approve: ${approversText(def)}. ${approvalHowTo(state, def)}`,
    ...(deadline ? ["", deadline] : []),
  ]);
}

function retryAlert(state: RunState, stage: StageRun): string {
  const attempt = currentAttempt(stage);
  const when = stage.retry_at ? ` at ${formatTime(stage.retry_at)}` : "";
  return alert("NOTE", [
    `🔁 **${inline(stageTitle(state, stage))}** ${attempt ? `failed on attempt ${attempt.attempt}` : "failed"} and is retried automatically: attempt ${(attempt?.attempt ?? 0) + 1} starts${when}.`,
  ]);
}

function failedAlert(state: RunState, stage: StageRun): string {
  const attempt = currentAttempt(stage);
  const button =
    attempt?.check_run_id != null &&
    (attempt.status === "failed" || attempt.status === "timed_out") &&
    state.status !== "cancelled";
  const reason = stage.reason ? `: ${clip(untrusted(stage.reason), 500)}` : "";
  return alert("CAUTION", [
    `❌ **${inline(stageTitle(state, stage))}** ${stage.status === "timed_out" ? "timed out" : "failed"}${reason}`,
    "",
    `To run it again, and the stages after it that already ran, comment \`/retry ${stage.id}\`${button ? " or press **Retry** on its check run" : ""}.`,
  ]);
}

/**
 * Where the run waits, what failed, and what a person can do about it: a
 * hold, gates, retries, failed stages, effects that failed for good.
 */
export function waitingPoints(state: RunState, budget: number): string[] {
  const alerts: string[] = [];
  const live = isLive(state);
  if (live && state.hold) {
    alerts.push(
      alert("WARNING", [
        `⏸️ **On hold** since ${formatTime(state.hold.at)}, by @${state.hold.by}: no new stage starts. Comment \`/unhold\` to go on.`,
      ]),
    );
  }
  for (const stage of state.stages) {
    if (live && stage.status === "waiting_approval")
      alerts.push(gateAlert(state, stage));
    else if (live && stage.status === "retrying")
      alerts.push(retryAlert(state, stage));
    else if (
      (stage.status === "failed" || stage.status === "timed_out") &&
      state.status !== "cancelled"
    )
      alerts.push(failedAlert(state, stage));
  }
  for (const problem of trackingCommentProblems(state))
    alerts.push(alert("WARNING", [`⚠️ ${describeProblem(state, problem)}`]));
  return fitLines(
    alerts.filter((a) => a !== "").map((a) => `${a}\n`),
    budget,
    (left) => `… and ${plural(left, "more note")}: see the table.`,
  );
}
