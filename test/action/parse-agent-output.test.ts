import { describe, expect, it } from "vitest";
import {
  type AgentReport,
  parseAgentOutput,
} from "../../action/src/agents/parse-agent-output.js";

const jsonl = (...events: unknown[]) =>
  events.map((e) => JSON.stringify(e)).join("\n");

/** Claude Code's `--output-format json` result (a successful run). */
const claudeResult = {
  type: "result",
  subtype: "success",
  is_error: false,
  duration_ms: 48_211,
  duration_api_ms: 41_870,
  num_turns: 12,
  result: "Created specs/001-dark-mode/spec.md.",
  session_id: "5f1c0d7e-0b8a-4c53-9d2e-6f2d1a9b7c10",
  total_cost_usd: 0.3187,
  usage: {
    input_tokens: 2_310,
    cache_creation_input_tokens: 14_022,
    cache_read_input_tokens: 88_540,
    output_tokens: 3_117,
    server_tool_use: { web_search_requests: 0 },
  },
};
const claudeUsage = {
  input_tokens: 2_310 + 14_022 + 88_540,
  output_tokens: 3_117,
  cost_usd: 0.3187,
  turns: 12,
};

describe("parseAgentOutput: Claude Code", () => {
  it.each<[string, string]>([
    ["the documented single object", JSON.stringify(claudeResult)],
    [
      "the array --verbose prints, result last (anthropics/claude-code#84784)",
      JSON.stringify([
        { type: "system", subtype: "init", model: "claude-sonnet-4-5" },
        {
          type: "assistant",
          message: { content: [{ type: "text", text: "Working on it" }] },
        },
        { type: "rate_limit_event" },
        claudeResult,
      ]),
    ],
    [
      "stream-json lines, result last",
      jsonl(
        { type: "system", subtype: "init" },
        { type: "assistant", message: { content: [] } },
        claudeResult,
      ),
    ],
    [
      "a warning line before the object",
      `Warning: settings.json has an unknown key\n${JSON.stringify(claudeResult)}`,
    ],
    [
      "a notice after the object",
      `${JSON.stringify(claudeResult)}\nA newer version is available: run claude update`,
    ],
    [
      "a pretty-printed object between log lines",
      `[info] starting\n${JSON.stringify(claudeResult, null, 2)}\n[info] done`,
    ],
  ])("reads the result from %s", (_, stdout) => {
    expect(parseAgentOutput("claude", stdout)).toEqual({
      finalMessage: "Created specs/001-dark-mode/spec.md.",
      usage: claudeUsage,
      error: null,
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "an API error (subtype success, is_error, the error as the result)",
      {
        subtype: "success",
        is_error: true,
        result: "Invalid API key · Please run /login",
      },
      "Claude Code reported an error: Invalid API key · Please run /login",
    ],
    [
      "the turn limit, which is_error does not flag",
      { subtype: "error_max_turns", is_error: false },
      "Claude Code reported an error (error_max_turns)",
    ],
    [
      "an error during execution, with its errors",
      {
        subtype: "error_during_execution",
        is_error: true,
        errors: [42, "Tool use was denied\nstack trace"],
      },
      "Claude Code reported an error (error_during_execution): Tool use was denied",
    ],
    [
      "is_error without any text",
      { subtype: "success", is_error: true, result: "  " },
      "Claude Code reported an error",
    ],
  ])("reports %s", (_, patch, error) => {
    const stdout = JSON.stringify({
      type: "result",
      num_turns: 3,
      total_cost_usd: 0.01,
      ...patch,
    });
    expect(parseAgentOutput("claude", stdout).error).toBe(error);
  });

  it("keeps an error text short enough for a check run", () => {
    const stdout = JSON.stringify({
      type: "result",
      subtype: "success",
      is_error: true,
      result: "x".repeat(1_000),
    });
    expect(parseAgentOutput("claude", stdout).error).toBe(
      `Claude Code reported an error: ${"x".repeat(300)}…`,
    );
  });

  it.each<[string, Record<string, unknown>, AgentReport["usage"]]>([
    ["no usage, cost or turns", {}, null],
    ["only a cost", { total_cost_usd: 0.05 }, { cost_usd: 0.05 }],
    [
      "token counts that are not whole, negative or not numbers",
      {
        usage: { input_tokens: 10.6, output_tokens: "300" },
        num_turns: -2,
      },
      { input_tokens: 11, turns: 0 },
    ],
    [
      "a usage object without input counts",
      { usage: { output_tokens: 7 } },
      { input_tokens: 0, output_tokens: 7 },
    ],
    ["a usage that is not an object", { usage: [1, 2] }, null],
  ])("reads usage from %s", (_, patch, usage) => {
    const stdout = JSON.stringify({ type: "result", result: "ok", ...patch });
    expect(parseAgentOutput("claude", stdout).usage).toEqual(usage);
  });

  it("has no final message when the result is not text", () => {
    expect(
      parseAgentOutput("claude", JSON.stringify({ type: "result", result: 7 })),
    ).toEqual({ finalMessage: null, usage: null, error: null });
  });

  it("takes the last object of an array that has no result", () => {
    const stdout = JSON.stringify([
      { type: "assistant" },
      "noise",
      { type: "system", result: "from the last object" },
    ]);
    expect(parseAgentOutput("claude", stdout).finalMessage).toBe(
      "from the last object",
    );
  });

  it.each<[string, string, string | null]>([
    [
      "plain text",
      "All done.\nCreated the spec.\n",
      "All done.\nCreated the spec.",
    ],
    ["nothing", "  \n", null],
    ["a JSON value that is not an object", "42", "42"],
    ["an array of no objects", '["a", 1]', '["a", 1]'],
    [
      "a truncated object",
      '{"type":"result","result":"cut',
      '{"type":"result","result":"cut',
    ],
    [
      "a lone brace line and a line that only looks like JSON",
      "{\nnot json\n}\n[warn] disk almost full",
      "{\nnot json\n}\n[warn] disk almost full",
    ],
    [
      "an opening brace never closed",
      'before\n{\n  "a": 1',
      'before\n{\n  "a": 1',
    ],
  ])("falls back to the text for %s", (_, stdout, finalMessage) => {
    expect(parseAgentOutput("claude", stdout)).toEqual({
      finalMessage,
      usage: null,
      error: null,
    });
  });

  it("keeps the end of a long text", () => {
    const stdout = `${"a".repeat(10_000)}THE END`;
    const { finalMessage } = parseAgentOutput("claude", stdout);
    expect(finalMessage).toHaveLength(8_000);
    expect(finalMessage?.endsWith("THE END")).toBe(true);
  });
});

describe("parseAgentOutput: Codex", () => {
  const usage = (input: number, output: number) => ({
    input_tokens: input,
    cached_input_tokens: 0,
    output_tokens: output,
  });

  it("reads the last agent message and the usage from the event stream, skipping what is not an event", () => {
    const stdout = [
      "2026-11-21T10:00:00Z WARN codex_core: config.toml has an unknown key",
      jsonl(
        { type: "thread.started", thread_id: "0199a213-81c0-7800-8aa1" },
        { type: "turn.started" },
        {
          type: "item.completed",
          item: { id: "item_0", type: "reasoning", text: "Reading spec.md" },
        },
        {
          type: "item.completed",
          item: { id: "item_1", type: "agent_message", text: "First draft." },
        },
        {
          type: "item.started",
          item: {
            id: "item_2",
            type: "command_execution",
            command: "bash -lc ls",
            status: "in_progress",
          },
        },
        {
          type: "item.completed",
          item: { id: "item_3", type: "agent_message", text: 17 },
        },
        {
          type: "item.completed",
          item: { id: "item_4", type: "agent_message", text: "Wrote plan.md." },
        },
      ),
      "42",
      "[1, 2]",
      '{"type": "turn.completed", "usage": ',
      jsonl({ type: "turn.completed", usage: usage(12_000, 900) }),
      "",
    ].join("\n");
    expect(parseAgentOutput("codex", stdout)).toEqual({
      finalMessage: "Wrote plan.md.",
      // Codex reports no count of the model's turns.
      usage: { input_tokens: 12_000, output_tokens: 900 },
      error: null,
    });
  });

  it("takes the last turn's usage, which is the thread's total so far", () => {
    const stdout = jsonl(
      { type: "turn.completed", usage: usage(1_000, 100) },
      { type: "turn.completed", usage: usage(2_500, 240) },
    );
    expect(parseAgentOutput("codex", stdout).usage).toEqual({
      input_tokens: 2_500,
      output_tokens: 240,
    });
  });

  it("has no usage before a turn completes, or when the turn has none", () => {
    expect(
      parseAgentOutput("codex", jsonl({ type: "turn.started" })).usage,
    ).toBeNull();
    expect(
      parseAgentOutput("codex", jsonl({ type: "turn.completed" })).usage,
    ).toBeNull();
  });

  it("ignores a stream error Codex retried when the turn then completed", () => {
    const stdout = jsonl(
      { type: "turn.started" },
      { type: "error", message: "Reconnecting... 1/5 (stream disconnected)" },
      {
        type: "item.completed",
        item: { id: "item_0", type: "agent_message", text: "Done." },
      },
      { type: "turn.completed", usage: usage(10, 2) },
    );
    expect(parseAgentOutput("codex", stdout).error).toBeNull();
  });

  it.each<[string, unknown[], string]>([
    [
      "a failed turn",
      [
        { type: "error", message: "Reconnecting... 5/5" },
        {
          type: "turn.failed",
          error: { message: "stream disconnected before completion" },
        },
      ],
      "Codex reported an error: stream disconnected before completion",
    ],
    [
      "a fatal error event",
      [{ type: "error", message: "unexpected status 401 Unauthorized" }],
      "Codex reported an error: unexpected status 401 Unauthorized",
    ],
    [
      "an error without a message",
      [{ type: "turn.failed", error: { code: 500 } }],
      "Codex reported an error",
    ],
  ])("reports %s", (_, events, error) => {
    expect(
      parseAgentOutput("codex", jsonl({ type: "turn.started" }, ...events)),
    ).toMatchObject({ error, finalMessage: null });
  });
});

describe("parseAgentOutput: Gemini CLI", () => {
  const result = {
    response: "The plan is in specs/001-dark-mode/plan.md.",
    stats: {
      models: {
        "gemini-2.5-pro": {
          api: { totalRequests: 4, totalErrors: 0, totalLatencyMs: 9_120 },
          tokens: {
            prompt: 24_310,
            candidates: 1_802,
            total: 26_900,
            cached: 0,
            thoughts: 788,
            tool: 0,
          },
        },
        "gemini-2.5-flash": {
          tokens: { prompt: 1_200, candidates: 80, total: 1_280 },
        },
        broken: "not an object",
        partial: { tokens: { prompt: "many" } },
      },
      tools: { totalCalls: 6 },
    },
  };

  it("reads the response and sums every model's tokens, after a log line", () => {
    const stdout = `Loaded cached credentials.\n${JSON.stringify(result, null, 2)}\n`;
    expect(parseAgentOutput("gemini", stdout)).toEqual({
      finalMessage: "The plan is in specs/001-dark-mode/plan.md.",
      usage: { input_tokens: 25_510, output_tokens: 1_882, turns: 4 },
      error: null,
    });
  });

  it("reports the error the JSON carries", () => {
    const stdout = JSON.stringify({
      response: null,
      error: { type: "FatalAuthenticationError", message: "API key not valid" },
    });
    expect(parseAgentOutput("gemini", stdout)).toEqual({
      finalMessage: null,
      usage: null,
      error: "Gemini CLI reported an error: API key not valid",
    });
  });

  it.each<[string, unknown]>([
    ["no stats", { response: "ok" }],
    ["stats without models", { response: "ok", stats: { models: 3 } }],
    [
      "zero tokens",
      {
        response: "ok",
        stats: { models: { m: { tokens: { prompt: 0, candidates: 0 } } } },
      },
    ],
    ["an error that is not an object", { response: "ok", error: "boom" }],
  ])("has no usage or error with %s", (_, value) => {
    expect(parseAgentOutput("gemini", JSON.stringify(value))).toEqual({
      finalMessage: "ok",
      usage: null,
      error: null,
    });
  });

  it("falls back to the text when there is no JSON", () => {
    expect(parseAgentOutput("gemini", "Quota exceeded.\n")).toEqual({
      finalMessage: "Quota exceeded.",
      usage: null,
      error: null,
    });
  });
});

describe("parseAgentOutput: text backends", () => {
  it.each(["command"] as const)(
    "takes %s's output as the final message, JSON or not",
    (backend) => {
      const stdout = `Thinking...\n${JSON.stringify(claudeResult)}\n`;
      expect(parseAgentOutput(backend, stdout)).toEqual({
        finalMessage: stdout.trim(),
        usage: null,
        error: null,
      });
      expect(parseAgentOutput(backend, "")).toEqual({
        finalMessage: null,
        usage: null,
        error: null,
      });
    },
  );
});
