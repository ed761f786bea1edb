import type { AgentReport } from "./agent-report.js";
import {
  firstLine,
  int,
  isObject,
  lastJsonValue,
  resultObject,
  tail,
  usageOf,
} from "./json.js";

/** Gemini CLI stops itself at `model.maxSessionTurns` with this error. */
const TURN_LIMIT_ERROR = "FatalTurnLimitedError";

/** Whether an error object is the CLI's own turn limit. */
function turnLimit(error: unknown): { limitReached?: "turns" } {
  return isObject(error) && error.type === TURN_LIMIT_ERROR
    ? { limitReached: "turns" }
    : {};
}

/**
 * A failed run prints nothing on stdout: its error object is the last JSON
 * on stderr, after the stack traces.
 */
function stderrError(stderr: string): {
  error: string | null;
  limitReached?: "turns";
} {
  const value = lastJsonValue(stderr);
  const error = isObject(value) && isObject(value.error) ? value.error : null;
  if (!error || typeof error.message !== "string") return { error: null };
  return {
    error: `Gemini CLI reported an error: ${firstLine(apiMessage(error.message))}`,
    ...turnLimit(error),
  };
}

/** The API's own message, where the CLI passes its JSON body on as the text. */
function apiMessage(text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    const error = isObject(body) && isObject(body.error) ? body.error : {};
    if (typeof error.message === "string") {
      return `${error.message}${typeof error.code === "number" ? ` (HTTP ${error.code})` : ""}`;
    }
  } catch {
    // Plain text.
  }
  return text;
}

/**
 * Gemini CLI's `--output-format json`: the response, and per model the
 * tokens of the prompt and the candidates (no cost).
 */
export function parseGeminiOutput(stdout: string, stderr = ""): AgentReport {
  const result = resultObject(stdout);
  if (!result) {
    return {
      finalMessage: tail(stdout),
      usage: null,
      ...stderrError(stderr),
    };
  }
  let input = 0;
  let output = 0;
  let requests = 0;
  const models =
    isObject(result.stats) && isObject(result.stats.models)
      ? result.stats.models
      : {};
  for (const model of Object.values(models)) {
    const tokens =
      isObject(model) && isObject(model.tokens) ? model.tokens : {};
    input += int(tokens.prompt) ?? 0;
    output += int(tokens.candidates) ?? 0;
    // The agent loop's requests are the `main` role's; others are the
    // CLI's own (routing, summaries).
    const roles = isObject(model) && isObject(model.roles) ? model.roles : null;
    const api = isObject(model) && isObject(model.api) ? model.api : {};
    const main = roles ? (isObject(roles.main) ? roles.main : {}) : api;
    requests += int(main.totalRequests) ?? 0;
  }
  const error = isObject(result.error) ? result.error.message : undefined;
  return {
    finalMessage: typeof result.response === "string" ? result.response : null,
    usage:
      input + output > 0
        ? usageOf({
            input,
            output,
            ...(requests > 0 ? { turns: requests } : {}),
          })
        : null,
    error:
      typeof error === "string"
        ? `Gemini CLI reported an error: ${firstLine(error)}`
        : null,
    ...turnLimit(result.error),
  };
}
