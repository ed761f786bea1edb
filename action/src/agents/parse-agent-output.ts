import type { AgentBackend } from "../../../src/workflow/schema.js";
import type { AgentReport } from "./output/agent-report.js";
import { tail } from "./output/json.js";
import { parseClaudeOutput } from "./output/parse-claude.js";
import { parseCodexOutput } from "./output/parse-codex.js";
import { parseCopilotOutput } from "./output/parse-copilot.js";
import { parseGeminiOutput } from "./output/parse-gemini.js";

export type { AgentReport } from "./output/agent-report.js";

/**
 * Reads what an agent CLI printed in the output mode the action runs it in
 * (and, for Copilot CLI, the usage file it wrote): the final message, the
 * usage, an error the agent reports, a skill it says it does not have.
 */
export function parseAgentOutput(
  backend: AgentBackend,
  stdout: string,
  more: { stderr?: string; usageFile?: string | undefined } = {},
): AgentReport {
  switch (backend) {
    case "claude":
      return parseClaudeOutput(stdout);
    case "codex":
      return parseCodexOutput(stdout);
    case "gemini":
      return parseGeminiOutput(stdout, more.stderr);
    case "copilot":
      return parseCopilotOutput(stdout, more.usageFile);
    default:
      return { finalMessage: tail(stdout), usage: null, error: null };
  }
}
