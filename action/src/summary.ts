import type { StageOutcome } from "./stage/stage-dependencies.js";

/** The job summary's Markdown: what ran, how it went, what changed. */
export function renderSummary(
  outcome: Pick<
    StageOutcome,
    "result" | "profile" | "changes" | "artifactName"
  >,
): string {
  const { result, profile, changes } = outcome;
  const usage = result.usage;
  const rows: [string, string][] = [
    ["Stage", `${result.stage} (attempt ${result.attempt})`],
    ["Status", result.status === "succeeded" ? "✅ succeeded" : "❌ failed"],
    ["Execution path", `\`${result.execution_path}\``],
    [
      "Skill",
      result.selected_skill_id ? `\`${result.selected_skill_id}\`` : "none",
    ],
    [
      "Agent",
      `${profile.agent.backend} ${profile.agent.version ?? "(version unknown)"}`,
    ],
    ["Duration", `${Math.round(result.duration_ms / 1000)} s`],
  ];
  if (usage) {
    const parts = [
      usage.input_tokens === undefined
        ? undefined
        : `${usage.input_tokens.toLocaleString("en")} tokens in`,
      usage.output_tokens === undefined
        ? undefined
        : `${usage.output_tokens.toLocaleString("en")} out`,
      usage.cost_usd === undefined
        ? undefined
        : `$${usage.cost_usd.toFixed(4)}`,
      usage.turns === undefined ? undefined : `${usage.turns} turns`,
    ].filter((p) => p !== undefined);
    if (parts.length > 0) rows.push(["Usage", parts.join(", ")]);
  }
  rows.push(["Result bundle", `\`${outcome.artifactName}\``]);
  const lines = [
    `## Specwright: ${result.stage}`,
    "",
    "| | |",
    "| --- | --- |",
    ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, "\\|")} |`),
  ];
  if (result.error_message)
    lines.push("", `**Why it failed:** ${result.error_message}`);
  if (changes.files.length > 0) {
    lines.push("", `### Files changed (${changes.files.length})`, "");
    for (const file of changes.files.slice(0, 100)) {
      lines.push(`- \`${file.path}\`${"deleted" in file ? " (deleted)" : ""}`);
    }
    if (changes.files.length > 100)
      lines.push(`- … and ${changes.files.length - 100} more`);
  }
  return `${lines.join("\n")}\n`;
}
