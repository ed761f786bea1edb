import { isTerminalRun, type RunState } from "../engine/run-state.js";
import { stageName } from "../workflow/schema.js";
import { cell, inline } from "./render-status.js";
import { untrusted } from "./untrusted-text.js";

/**
 * The reply to `/status`: one line per stage (why it ended as it did, in
 * the run's words or an agent's: untrusted text), what the run waits for,
 * its pull request and its result.
 */
export function renderStatusReply(run: RunState): string {
  const title = (id: string) => {
    const def = run.workflow.stages.find((s) => s.id === id);
    return def ? stageName(def) : id;
  };
  const lines = [
    `Run \`${run.id}\` (branch \`${run.branch}\`) is **${run.status.replace("_", " ")}**${run.hold ? `, on hold by @${run.hold.by}` : ""}.`,
    "",
    "| Stage | Status | Attempts |",
    "| --- | --- | --- |",
    ...run.stages.map(
      (s) =>
        `| ${cell(inline(title(s.id)))} | ${s.status.replace("_", " ")}${s.reason ? ` (${cell(untrusted(s.reason.slice(0, 120)))})` : ""} | ${s.attempts.length} |`,
    ),
  ];
  const waiting = run.stages.filter((s) => s.status === "waiting_approval");
  if (waiting.length > 0 && !isTerminalRun(run)) {
    lines.push(
      "",
      `Waiting for approval: ${waiting.map((s) => `\`${s.id}\``).join(", ")}: \`/approve <stage>\`.`,
    );
  }
  if (run.pull_request) lines.push("", `Pull request: ${run.pull_request.url}`);
  if (run.result_summary)
    lines.push("", `Result: ${untrusted(run.result_summary)}`);
  return lines.join("\n");
}
