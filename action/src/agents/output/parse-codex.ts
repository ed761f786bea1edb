import type { AgentReport } from "./agent-report.js";
import { firstLine, isObject, type Json, jsonLines, usageOf } from "./json.js";

/**
 * Codex's `--json` event stream. It prints `error` for a stream error it
 * retries ("Reconnecting... 1/5", the WebSocket it falls back from) as well
 * as for a fatal one, so only an error no completed turn follows counts.
 * `turn.completed` carries the usage of every request of the turn so far
 * (codex-rs/exec/src/event_processor_with_jsonl_output.rs), so the last one
 * is the total. It reports neither cost nor the model's turns.
 */
export function parseCodexOutput(stdout: string): AgentReport {
  let finalMessage: string | null = null;
  let usage: Json | undefined;
  let turns = 0;
  let error: string | null = null;
  for (const event of jsonLines(stdout)) {
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
        ? usageOf({ input: usage.input_tokens, output: usage.output_tokens })
        : null,
    error,
  };
}
