import type { Usage } from "../../../src/contracts/stage-result.js";
import type { AgentBackend } from "../../../src/workflow/schema.js";

export interface AgentReport {
  /** The agent's last message, if it says. */
  finalMessage: string | null;
  usage: Usage | null;
  /** The agent itself says it failed. */
  error: string | null;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const num = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;
const int = (value: unknown): number | undefined => {
  const n = num(value);
  return n === undefined ? undefined : Math.max(0, Math.round(n));
};

function usageOf(fields: {
  input?: unknown;
  output?: unknown;
  cost?: unknown;
  turns?: unknown;
}): Usage | null {
  const usage: Usage = {};
  const input = int(fields.input);
  const output = int(fields.output);
  const cost = num(fields.cost);
  const turns = int(fields.turns);
  if (input !== undefined) usage.input_tokens = input;
  if (output !== undefined) usage.output_tokens = output;
  if (cost !== undefined) usage.cost_usd = cost;
  if (turns !== undefined) usage.turns = turns;
  return Object.keys(usage).length > 0 ? usage : null;
}

/** The last JSON object in text that may have other lines around it. */
function lastJsonObject(text: string): Json | undefined {
  const trimmed = text.trim();
  try {
    const value: unknown = JSON.parse(trimmed);
    if (isObject(value)) return value;
  } catch {
    // Look for the object among other output.
  }
  const start = trimmed.lastIndexOf("\n{");
  if (start === -1) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed.slice(start + 1));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function tail(text: string, max = 8_000): string | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  return trimmed.length > max ? trimmed.slice(-max) : trimmed;
}

/**
 * Reads what an agent CLI printed: Claude Code's and Gemini CLI's JSON
 * result, Codex's JSON event stream, or plain text (the last part is the
 * final message).
 */
export function parseAgentOutput(
  backend: AgentBackend,
  stdout: string,
): AgentReport {
  switch (backend) {
    case "claude": {
      const result = lastJsonObject(stdout);
      if (!result)
        return { finalMessage: tail(stdout), usage: null, error: null };
      const usage = isObject(result.usage) ? result.usage : {};
      const input =
        (int(usage.input_tokens) ?? 0) +
        (int(usage.cache_creation_input_tokens) ?? 0) +
        (int(usage.cache_read_input_tokens) ?? 0);
      return {
        finalMessage: typeof result.result === "string" ? result.result : null,
        usage: usageOf({
          input: isObject(result.usage) ? input : undefined,
          output: usage.output_tokens,
          cost: result.total_cost_usd,
          turns: result.num_turns,
        }),
        error:
          result.is_error === true
            ? `Claude Code reported an error (${String(result.subtype ?? "error")})`
            : null,
      };
    }
    case "codex": {
      let finalMessage: string | null = null;
      let input = 0;
      let output = 0;
      let turns = 0;
      let error: string | null = null;
      for (const line of stdout.split("\n")) {
        let event: unknown;
        try {
          event = JSON.parse(line);
        } catch {
          continue;
        }
        if (!isObject(event)) continue;
        const item = isObject(event.item) ? event.item : undefined;
        if (
          event.type === "item.completed" &&
          item?.type === "agent_message" &&
          typeof item.text === "string"
        ) {
          finalMessage = item.text;
        } else if (event.type === "turn.completed" && isObject(event.usage)) {
          turns++;
          input += int(event.usage.input_tokens) ?? 0;
          output += int(event.usage.output_tokens) ?? 0;
        } else if (event.type === "turn.failed" || event.type === "error") {
          const detail = isObject(event.error)
            ? event.error.message
            : event.message;
          error = `Codex reported an error${typeof detail === "string" ? `: ${detail}` : ""}`;
        }
      }
      return {
        finalMessage,
        usage: turns > 0 ? usageOf({ input, output, turns }) : null,
        error,
      };
    }
    case "gemini": {
      const result = lastJsonObject(stdout);
      if (!result)
        return { finalMessage: tail(stdout), usage: null, error: null };
      let input = 0;
      let output = 0;
      const models =
        isObject(result.stats) && isObject(result.stats.models)
          ? result.stats.models
          : {};
      for (const model of Object.values(models)) {
        const tokens =
          isObject(model) && isObject(model.tokens) ? model.tokens : {};
        input += int(tokens.prompt) ?? 0;
        output += int(tokens.candidates) ?? 0;
      }
      const error = isObject(result.error) ? result.error.message : undefined;
      return {
        finalMessage:
          typeof result.response === "string" ? result.response : null,
        usage: input + output > 0 ? usageOf({ input, output }) : null,
        error:
          typeof error === "string"
            ? `Gemini CLI reported an error: ${error}`
            : null,
      };
    }
    default:
      return { finalMessage: tail(stdout), usage: null, error: null };
  }
}
