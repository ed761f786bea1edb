import type { Attempt, RunState, StageRun } from "../engine/run-state.js";
import { resolveAgent } from "../workflow/resolve-agent.js";
import { attemptUsageText, totalUsageText } from "./render-budget.js";
import {
  attemptDuration,
  cell,
  clip,
  commitUrl,
  formatTime,
  linkText,
  trackingCommentUrl,
  treeUrl,
} from "./render-status.js";
import { untrusted } from "./untrusted-text.js";

const EXECUTION: Readonly<
  Record<NonNullable<Attempt["execution_path"]>, (skill: string) => string>
> = {
  skill: (skill) => `ran skill ${skill}`,
  direct_fallback: (skill) =>
    `ran the direct prompt after ${skill ? `skill ${skill}` : "the skill"} failed`,
  direct_only: () => "ran the direct prompt, without a skill",
};

function agentText(state: RunState, stage: StageRun, attempt: Attempt): string {
  const def = state.workflow.stages.find((s) => s.id === stage.id);
  const agent = resolveAgent(state.settings.agent, def?.agent);
  return [
    `\`${agent.backend}\``,
    ...(attempt.agent_version ? [untrusted(attempt.agent_version)] : []),
    ...(agent.model ? [`· model \`${untrusted(agent.model, "span")}\``] : []),
  ].join(" ");
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

/** The attempt at a glance: run, attempt, path, agent, time, cost, commits. */
export function facts(
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
    rows.push(["Why this attempt", clip(untrusted(attempt.trigger), 500)]);
  if (attempt.execution_path)
    rows.push([
      "Execution path",
      `\`${attempt.execution_path}\`: ${EXECUTION[attempt.execution_path](
        attempt.selected_skill
          ? `\`${untrusted(attempt.selected_skill, "span")}\``
          : "",
      )}`,
    ]);
  else if (attempt.selected_skill)
    rows.push(["Skill", `\`${untrusted(attempt.selected_skill, "span")}\``]);
  rows.push(["Agent", agentText(state, stage, attempt)]);
  if (attempt.started_at)
    rows.push(["Started", formatTime(attempt.started_at)]);
  // GitHub shows a running check run's time itself; this text would go stale.
  const duration =
    attempt.completed_at === null ? undefined : attemptDuration(attempt, now);
  if (duration) rows.push(["Duration", duration]);
  const usage = attemptUsageText(attempt);
  if (usage) rows.push(["Usage", usage]);
  // Earlier attempts spent too: the stage's total is what its budget counts.
  if (stage.attempts.length > 1) {
    const total = totalUsageText(stage.attempts);
    if (total) rows.push(["Usage, all attempts", total]);
  }
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
