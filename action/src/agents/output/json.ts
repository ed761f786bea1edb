import type { Usage } from "../../../../src/contracts/stage-result.js";

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
export const num = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;
export const int = (value: unknown): number | undefined => {
  const n = num(value);
  return n === undefined ? undefined : Math.max(0, Math.round(n));
};

/** A Usage of the fields given, or null when none is. */
export function usageOf(fields: {
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
export function lastJsonValue(text: string): unknown {
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

/** Every JSON object on its own line (JSON Lines among other output). */
export function jsonLines(text: string): Json[] {
  const out: Json[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isObject(value)) out.push(value);
    } catch {
      // Not an event.
    }
  }
  return out;
}

/**
 * The result object in what Claude Code or Gemini CLI printed. With
 * `--verbose` (or `verbose` in its settings) Claude Code prints every
 * message as a JSON array, its result last
 * (anthropics/claude-code#84784).
 */
export function resultObject(text: string): Json | undefined {
  const value = lastJsonValue(text);
  if (!Array.isArray(value)) return isObject(value) ? value : undefined;
  const objects = value.filter(isObject);
  return objects.findLast((o) => o.type === "result") ?? objects.at(-1);
}

/** The first line of an error text, short enough for a check run. */
export function firstLine(text: string): string {
  const line = text.trim().split("\n")[0]?.trim() ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** The end of a text, as the final message when there is nothing better. */
export function tail(text: string, max = 8_000): string | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  return trimmed.length > max ? trimmed.slice(-max) : trimmed;
}
