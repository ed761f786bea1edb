import type { AgentBackend } from "../../../../src/workflow/schema.js";
import { isObject } from "../output/json.js";
import type { LimitWatch } from "./watch-limits.js";

/** What one line of a CLI's streamed JSON events tells the watch. */
type LineMeter = (event: Record<string, unknown>, watch: LimitWatch) => void;

/**
 * Copilot CLI's events for a model turn: `assistant.turn_start`, the
 * assistant's message (with the tools it asks for), the tools' runs,
 * `assistant.turn_end`. A turn that asked for tools is followed by
 * another: at the end of the last one allowed, the agent is stopped
 * before it asks the model again.
 */
function meterCopilot(): LineMeter {
  let asksForTools = false;
  return (event, watch) => {
    const data = isObject(event.data) ? event.data : {};
    if (event.type === "assistant.turn_start") {
      asksForTools = false;
      watch.turn();
    } else if (
      event.type === "assistant.message" &&
      Array.isArray(data.toolRequests) &&
      data.toolRequests.length > 0
    ) {
      asksForTools = true;
    } else if (event.type === "assistant.turn_end" && asksForTools) {
      watch.turnEnded();
    }
  };
}

/** codex's `turn.completed` carries the tokens of every request so far. */
const meterCodex: LineMeter = (event, watch) => {
  if (event.type === "turn.completed" && isObject(event.usage)) {
    watch.usage({
      input_tokens: Number(event.usage.input_tokens) || 0,
      output_tokens: Number(event.usage.output_tokens) || 0,
    });
  }
};

/** The CLIs whose output streams events while they run (in the output modes backends.ts sets). */
const METERS: Partial<Record<AgentBackend, () => LineMeter>> = {
  copilot: meterCopilot,
  codex: () => meterCodex,
};

/**
 * A sink for the agent's standard output, chunk by chunk, that tells the
 * watch what the backend's events say; undefined for a backend whose
 * output says nothing while it runs.
 */
export function meterOutput(
  backend: AgentBackend,
  watch: LimitWatch,
): ((chunk: string) => void) | undefined {
  const meter = METERS[backend]?.();
  if (!meter) return undefined;
  let partial = "";
  return (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    // A line longer than this is no event of interest (a file's content).
    if (partial.length > 1_000_000) partial = "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      try {
        const event: unknown = JSON.parse(line);
        if (isObject(event)) meter(event, watch);
      } catch {
        // Not an event.
      }
    }
  };
}
