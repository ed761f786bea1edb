import { anthropicAdapter } from "./anthropic.js";
import { copilotAdapter } from "./copilot.js";
import { geminiAdapter } from "./gemini.js";
import { openaiResponsesAdapter } from "./openai-responses.js";
import type { Backend } from "./script.js";
import { ModelApi } from "./server.js";

/** A stand-in that speaks every backend's model API. */
export function allModelApis(): ModelApi {
  return new ModelApi([
    anthropicAdapter,
    openaiResponsesAdapter,
    geminiAdapter,
    copilotAdapter,
  ]);
}

/** The model each backend's tests ask for (codex offers its plain tools to this family). */
export const TEST_MODELS: Readonly<Record<Backend, string>> = {
  claude: "claude-sonnet-4-5",
  codex: "gpt-5.5",
  gemini: "gemini-2.5-pro",
  copilot: "gpt-4.1",
};

/** The action input each backend's credential comes in. */
export const CREDENTIAL_INPUTS: Readonly<Record<Backend, string>> = {
  claude: "anthropic-api-key",
  codex: "openai-api-key",
  gemini: "gemini-api-key",
  copilot: "copilot-token",
};

/** The repository secret the stage workflow passes to that input. */
export const CREDENTIAL_SECRETS: Readonly<Record<Backend, string>> = {
  claude: "ANTHROPIC_API_KEY",
  codex: "OPENAI_API_KEY",
  gemini: "GEMINI_API_KEY",
  copilot: "COPILOT_GITHUB_TOKEN",
};
