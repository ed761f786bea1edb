import type { AgentReport } from "./agent-report.js";
import {
  firstLine,
  int,
  isObject,
  type Json,
  jsonLines,
  tail,
  usageOf,
} from "./json.js";

/**
 * Tokens from the file `--usage-output-file` writes (its JSON output has
 * none): each model's `usage`, cache reads counted as input.
 */
function usageFromFile(file: string | undefined): {
  input?: number;
  output?: number;
} {
  if (!file) return {};
  let data: unknown;
  try {
    data = JSON.parse(file);
  } catch {
    return {};
  }
  const models =
    isObject(data) && isObject(data.modelMetrics) ? data.modelMetrics : {};
  let input = 0;
  let output = 0;
  let any = false;
  for (const model of Object.values(models)) {
    const usage = isObject(model) && isObject(model.usage) ? model.usage : {};
    if (int(usage.inputTokens) === undefined) continue;
    any = true;
    input += (int(usage.inputTokens) ?? 0) + (int(usage.cacheReadTokens) ?? 0);
    output += int(usage.outputTokens) ?? 0;
  }
  return any ? { input, output } : {};
}

/**
 * A `skill` tool call that found no such skill (the run goes on without
 * it), when no other call loaded one.
 */
function skillRefusal(events: Json[]): string | null {
  const skillCalls = new Map<string, string>();
  let refusal: string | null = null;
  for (const event of events) {
    const data = isObject(event.data) ? event.data : {};
    if (event.type === "tool.execution_start" && data.toolName === "skill") {
      const args = isObject(data.arguments) ? data.arguments : {};
      skillCalls.set(String(data.toolCallId), String(args.skill ?? ""));
    }
    if (
      event.type === "tool.execution_complete" &&
      skillCalls.has(String(data.toolCallId))
    ) {
      const telemetry =
        isObject(data.toolTelemetry) && isObject(data.toolTelemetry.properties)
          ? data.toolTelemetry.properties
          : {};
      if (data.success === false || telemetry.found === "false") {
        refusal ??= `Skill not found: ${skillCalls.get(String(data.toolCallId))}`;
      } else return null;
    }
  }
  return refusal;
}

/**
 * Copilot CLI's `--output-format json`: one event a line, the assistant's
 * messages, a turn start per model turn, `session.error` when it fails.
 * Without events (text output), its last words are the final message.
 */
export function parseCopilotOutput(
  stdout: string,
  usageFile?: string,
): AgentReport {
  const events = jsonLines(stdout);
  const tokens = usageFromFile(usageFile);
  if (events.length === 0) {
    return {
      finalMessage: tail(stdout),
      usage: usageOf(tokens),
      error: null,
    };
  }
  let finalMessage: string | null = null;
  let turns = 0;
  let error: string | null = null;
  for (const event of events) {
    const data = isObject(event.data) ? event.data : {};
    if (event.type === "assistant.turn_start") turns++;
    if (
      event.type === "assistant.message" &&
      typeof data.content === "string" &&
      data.content.trim() !== ""
    ) {
      finalMessage = data.content;
    }
    if (event.type === "session.error" && typeof data.message === "string") {
      error = `Copilot CLI reported an error: ${firstLine(data.message)}`;
    }
  }
  const refusal = skillRefusal(events);
  return {
    finalMessage,
    usage: usageOf({ ...tokens, turns }),
    error,
    ...(refusal ? { skillRefusal: refusal } : {}),
  };
}
