import type { AgentBackend } from "../../../src/workflow/schema.js";

/**
 * The agent CLIs Specwright is tested with: the project's devDependencies
 * at exactly these versions run in its tests, and the stage workflow
 * installs these unless the repository variable SPECWRIGHT_AGENT_VERSION
 * says otherwise. A test keeps the three in step.
 */
export const TESTED_CLIS: Readonly<
  Record<Exclude<AgentBackend, "command">, { package: string; version: string }>
> = {
  claude: { package: "@anthropic-ai/claude-code", version: "2.1.197" },
  codex: { package: "@openai/codex", version: "0.171.0" },
  gemini: { package: "@google/gemini-cli", version: "0.61.0" },
  copilot: { package: "@github/copilot", version: "1.0.102" },
};

/** The first x.y.z in what `<cli> --version` printed. */
export function versionNumber(printed: string | null): string | null {
  return (
    /\b(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)\b/.exec(printed ?? "")?.[1] ?? null
  );
}
