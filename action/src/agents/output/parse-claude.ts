import type { AgentReport } from "./agent-report.js";
import {
  firstLine,
  int,
  isObject,
  type Json,
  resultObject,
  tail,
  usageOf,
} from "./json.js";

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

/**
 * A slash command Claude Code does not have is answered, without asking
 * the model, "Unknown command: /speckit-converge" — as a success.
 */
function claudeRefusal(result: Json): string | null {
  const text = typeof result.result === "string" ? result.result : "";
  return /^Unknown (?:command|skill): /.test(text) && !int(result.num_turns)
    ? firstLine(text)
    : null;
}

/**
 * Claude Code's `--output-format json` result: tokens in (cache reads and
 * writes included) and out, summed over the run, the cost it computed and
 * its turn count.
 */
export function parseClaudeOutput(stdout: string): AgentReport {
  const result = resultObject(stdout);
  if (!result) return { finalMessage: tail(stdout), usage: null, error: null };
  const usage = isObject(result.usage) ? result.usage : {};
  const input =
    (int(usage.input_tokens) ?? 0) +
    (int(usage.cache_creation_input_tokens) ?? 0) +
    (int(usage.cache_read_input_tokens) ?? 0);
  const refusal = claudeRefusal(result);
  return {
    finalMessage: typeof result.result === "string" ? result.result : null,
    usage: usageOf({
      input: isObject(result.usage) ? input : undefined,
      output: usage.output_tokens,
      cost: result.total_cost_usd,
      turns: result.num_turns,
    }),
    error: claudeError(result),
    ...(refusal ? { skillRefusal: refusal } : {}),
    ...(result.subtype === "error_max_turns"
      ? { limitReached: "turns" as const }
      : {}),
  };
}
