import type { AgentBackend } from "../../../src/workflow/schema.js";

/**
 * What each CLI prints when the command or skill it was asked to run does
 * not exist, where its structured output does not say it (see
 * output/parse-*.ts): often exiting 0 all the same.
 */
const REFUSALS: Readonly<Record<AgentBackend, readonly RegExp[]>> = {
  claude: [/^Unknown (?:skill|slash command|command): ?\S*/im],
  codex: [],
  gemini: [],
  copilot: [
    /^(?:Error: )?Skill not found: ?\S*/im,
    /^(?:Error: )?No such agent: ?[^,\n]*/im,
  ],
  command: [],
};

/**
 * The CLI's own words saying the skill did not run, if it said so: a skill
 * that did not run must never be reported as the path taken.
 */
export function findSkillRefusal(
  backend: AgentBackend,
  output: { stdout: string; stderr: string },
): string | null {
  for (const pattern of REFUSALS[backend]) {
    const match =
      pattern.exec(output.stderr) ?? pattern.exec(output.stdout) ?? null;
    if (match) return match[0].trim().slice(0, 200);
  }
  return null;
}
