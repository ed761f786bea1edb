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

/**
 * The last JSON value in text that may have other lines around it: the
 * whole text, else the last line that parses (JSON Lines), else the last
 * pretty-printed block (a line `{` or `[` to the next line `}` or `]`).
 */
function lastJsonValue(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    // Look for the value among other output.
  }
  const lines = trimmed.split("\n").map((l) => l.trimEnd());
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    if (line === "{" || line === "[") {
      const close = line === "{" ? "}" : "]";
      const end = lines.indexOf(close, i + 1);
      if (end === -1) continue;
      try {
        return JSON.parse(lines.slice(i, end + 1).join("\n"));
      } catch {
        // Not JSON after all.
      }
    } else if (line.startsWith("{") || line.startsWith("[")) {
      try {
        return JSON.parse(line);
      } catch {
        // Not JSON after all.
      }
    }
  }
  return undefined;
}

/**
 * The result object in what Claude Code or Gemini CLI printed. With
 * `--verbose` (or `verbose` in its settings) Claude Code prints every
 * message as a JSON array, its result last
 * (anthropics/claude-code#84784).
 */
function resultObject(text: string): Json | undefined {
  const value = lastJsonValue(text);
  if (!Array.isArray(value)) return isObject(value) ? value : undefined;
  const objects = value.filter(isObject);
  return objects.findLast((o) => o.type === "result") ?? objects.at(-1);
}

/** The first line of an error text, short enough for a check run. */
function firstLine(text: string): string {
  const line = text.trim().split("\n")[0]?.trim() ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * Claude Code fails two ways: `is_error` with the error text as the result
 * (an API error, subtype `success`), or an `error_*` subtype such as
 * `error_max_turns` or `error_during_execution`, where `is_error` may be
 * false.
 */
function claudeError(result: Json): string | null {
  const subtype = typeof result.subtype === "string" ? result.subtype : "";
  if (result.is_error !== true && !subtype.startsWith("error")) return null;
  const errors = Array.isArray(result.errors)
    ? result.errors.filter((e): e is string => typeof e === "string")
    : [];
  const text =
    typeof result.result === "string" && result.result.trim() !== ""
      ? result.result
      : (errors[0] ?? "");
  const kind = subtype && subtype !== "success" ? ` (${subtype})` : "";
  return `Claude Code reported an error${kind}${text ? `: ${firstLine(text)}` : ""}`;
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
      const result = resultObject(stdout);
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
        error: claudeError(result),
      };
    }
    case "codex": {
      // Codex prints `error` for a stream error it retries ("Reconnecting...
      // 1/5") as well as for a fatal one, so only an error no completed
      // turn follows counts. Each `turn.completed` carries the thread's
      // usage so far, not the turn's (codex-rs/exec/src/
      // event_processor_with_jsonl_output.rs), so the last one is the total.
      let finalMessage: string | null = null;
      let usage: Json | undefined;
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
        } else if (event.type === "turn.completed") {
          turns++;
          error = null;
          if (isObject(event.usage)) usage = event.usage;
        } else if (event.type === "turn.failed" || event.type === "error") {
          const detail = isObject(event.error)
            ? event.error.message
            : event.message;
          error = `Codex reported an error${typeof detail === "string" ? `: ${firstLine(detail)}` : ""}`;
        }
      }
      return {
        finalMessage,
        usage:
          turns > 0 && usage
            ? usageOf({
                input: usage.input_tokens,
                output: usage.output_tokens,
                turns,
              })
            : null,
        error,
      };
    }
    case "gemini": {
      const result = resultObject(stdout);
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
