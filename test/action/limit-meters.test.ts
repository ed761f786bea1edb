import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { limitReason } from "../../action/src/agents/limits/limit-reason.js";
import { meterOutput } from "../../action/src/agents/limits/meter-output.js";
import { watchLimits } from "../../action/src/agents/limits/watch-limits.js";
import { parseAgentOutput } from "../../action/src/agents/parse-agent-output.js";
import { readAnswerUsage } from "../../action/src/agents/proxy/answer-usage.js";
import { createStageMeter } from "../../action/src/agents/proxy/proxy-meter.js";
import type { StageRequest } from "../../src/contracts/stage-request.js";
import {
  StageResult,
  type StoppedBy,
} from "../../src/contracts/stage-result.js";

// What counts an agent's turns and tokens while it runs, fed what the real
// CLIs printed and what the model APIs answer (the recorded outputs of
// test/fixtures/agent-output/, 1,200 tokens in and 80 out per answer).

const read = (name: string) =>
  readFileSync(join("test/fixtures/agent-output", name), "utf8");

const agent = (
  limits: Partial<StageRequest["agent"]>,
): StageRequest["agent"] => ({
  backend: "copilot",
  args: [],
  timeout_minutes: 10,
  prompt_via: "stdin",
  ...limits,
});

/** Feeds a recorded output to the backend's meter in chunks that split lines. */
function feed(backend: "copilot" | "codex", text: string, max = {}) {
  const watch = watchLimits(agent({ backend, ...max }));
  const sink = meterOutput(backend, watch);
  for (let at = 0; at < text.length; at += 97) sink?.(text.slice(at, at + 97));
  return watch;
}

describe("the meter of a CLI's streamed output", () => {
  it("counts Copilot CLI's turns as its usage does, and does not stop it when its last allowed turn is its answer", () => {
    const output = read("copilot.success.jsonl");
    // Its fourth turn asks for no tool: it is done, not stopped.
    const watch = feed("copilot", output, { max_turns: 4 });
    expect(watch.turns()).toBe(4);
    expect(parseAgentOutput("copilot", output).usage?.turns).toBe(4);
    expect(watch.signal.aborted).toBe(false);
    expect(watch.stoppedBy()).toBeUndefined();
  });

  it.each([1, 3])(
    "stops Copilot CLI at the end of turn %i, which asked for tools, before the next",
    (max) => {
      const watch = feed("copilot", read("copilot.success.jsonl"), {
        max_turns: max,
      });
      expect(watch.signal.aborted).toBe(true);
      expect(watch.stoppedBy()).toEqual({ limit: "turns", max, used: max });
    },
  );

  it("reads codex's tokens from turn.completed", () => {
    const watch = feed("codex", read("codex.success.jsonl"), {
      max_tokens: 3_000,
    });
    expect(watch.stoppedBy()).toEqual({
      limit: "tokens",
      max: 3_000,
      used: 3_840,
    });
  });
});

describe("the CLIs' own turn limits, as they report them", () => {
  it("Claude Code's error_max_turns", () => {
    expect(
      parseAgentOutput("claude", read("claude.max-turns.json")),
    ).toMatchObject({ limitReached: "turns", usage: { turns: 2 } });
  });

  it("Gemini CLI's FatalTurnLimitedError, on stderr in JSON mode", () => {
    expect(
      parseAgentOutput("gemini", "", {
        stderr: read("gemini.max-turns.stderr.txt"),
      }),
    ).toMatchObject({ limitReached: "turns" });
  });

  it("not for another error", () => {
    expect(
      parseAgentOutput("gemini", "", {
        stderr: read("gemini.wrong-key-401.stderr.txt"),
      }).limitReached,
    ).toBeUndefined();
    expect(
      parseAgentOutput("claude", read("claude.401.json")).limitReached,
    ).toBeUndefined();
  });
});

/** An answer's body read by the proxy's usage reader in small chunks. */
function usageOf(contentType: string, body: string) {
  const reader = readAnswerUsage(contentType);
  const bytes = Buffer.from(body);
  for (let at = 0; at < bytes.length; at += 13)
    reader.push(bytes.subarray(at, at + 13));
  return reader.end();
}

const sse = (events: object[]) =>
  events.map((e) => `event: x\ndata: ${JSON.stringify(e)}\n\n`).join("");

describe("the usage the credential proxy reads from the model's answers", () => {
  it.each([
    [
      "Anthropic Messages, streamed (cache reads and writes are input)",
      "text/event-stream; charset=utf-8",
      sse([
        {
          type: "message_start",
          message: {
            usage: {
              input_tokens: 1000,
              cache_creation_input_tokens: 150,
              cache_read_input_tokens: 50,
              output_tokens: 1,
            },
          },
        },
        { type: "content_block_delta", delta: { text: "Hi" } },
        { type: "message_delta", usage: { output_tokens: 80 } },
        { type: "message_stop" },
      ]),
      { input_tokens: 1200, output_tokens: 80 },
    ],
    [
      "OpenAI Responses, streamed",
      "text/event-stream",
      `${sse([
        { type: "response.created", response: { usage: null } },
        {
          type: "response.completed",
          response: { usage: { input_tokens: 1200, output_tokens: 80 } },
        },
      ])}data: [DONE]\n\n`,
      { input_tokens: 1200, output_tokens: 80 },
    ],
    [
      "a whole JSON answer",
      "application/json",
      JSON.stringify({ usage: { input_tokens: 1200, output_tokens: 80 } }),
      { input_tokens: 1200, output_tokens: 80 },
    ],
    [
      "Chat Completions",
      "application/json",
      JSON.stringify({ usage: { prompt_tokens: 7, completion_tokens: 3 } }),
      { input_tokens: 7, output_tokens: 3 },
    ],
    ["a model list", "application/json", '{"data":[]}', undefined],
    ["plain text", "text/plain", "usage: 5", undefined],
  ])("%s", (_name, type, body, expected) => {
    expect(usageOf(type, body)).toEqual(expected);
  });

  it("meters the attached run: its model requests as turns (codex), refusing the one past the limit", () => {
    const meter = createStageMeter();
    const watch = watchLimits(agent({ backend: "codex", max_turns: 2 }));
    const detach = meter.attach(watch, { countTurns: true });
    expect(meter.request("GET", "/v1/models")).toBe(true);
    expect(meter.request("POST", "/v1/responses")).toBe(true);
    expect(meter.request("POST", "/v1/responses")).toBe(true);
    expect(meter.request("POST", "/v1/responses")).toBe(false);
    expect(watch.stoppedBy()).toEqual({ limit: "turns", max: 2, used: 2 });
    // Nothing more goes through for a stopped run.
    expect(meter.request("GET", "/v1/models")).toBe(false);
    detach();
    expect(meter.request("POST", "/v1/responses")).toBe(true);
  });

  it("adds up the answers' tokens and stops the run past its token limit", () => {
    const meter = createStageMeter();
    const watch = watchLimits(agent({ backend: "claude", max_tokens: 2_000 }));
    meter.attach(watch, { countTurns: false });
    meter.answered({ input_tokens: 1200, output_tokens: 80 });
    expect(watch.stoppedBy()).toBeUndefined();
    expect(meter.request("POST", "/v1/messages")).toBe(true);
    meter.answered({ input_tokens: 1200, output_tokens: 80 });
    expect(watch.stoppedBy()).toEqual({
      limit: "tokens",
      max: 2_000,
      used: 2_560,
    });
    expect(meter.request("POST", "/v1/messages")).toBe(false);
  });
});

describe("the reason", () => {
  it.each<[StoppedBy, boolean, string]>([
    [
      { limit: "turns", max: 30, used: 30 },
      false,
      "the agent was stopped at its turn limit (30 turns)",
    ],
    [
      { limit: "time", max: 20, used: 20 },
      false,
      "the agent was stopped at its time limit (20m)",
    ],
    [
      { limit: "tokens", max: 100_000, used: 100_480 },
      false,
      "the agent was stopped at its token limit (100,000 tokens; it used 100,480 tokens)",
    ],
    [
      { limit: "cost", max: 2, used: 2.134 },
      true,
      "the agent went past its cost limit ($2.00; it used $2.13, reported when it ended)",
    ],
  ])("%j", (stoppedBy, atEnd, sentence) => {
    expect(limitReason(stoppedBy, atEnd)).toBe(sentence);
  });

  it("stops at cost only where it is reported", () => {
    const watch = watchLimits(agent({ max_cost_usd: 0.01 }));
    watch.usage({ input_tokens: 1_000_000 });
    expect(watch.stoppedBy()).toBeUndefined();
    watch.usage({ cost_usd: 0.0144 });
    expect(watch.stoppedBy()).toEqual({
      limit: "cost",
      max: 0.01,
      used: 0.0144,
    });
  });

  it("is an optional field of the result: older bundles parse", () => {
    const result = {
      version: 1,
      run_id: "22222222-2222-4222-8222-222222222222",
      stage: "specify",
      attempt: 1,
      status: "failed",
      execution_path: "direct_only",
      selected_skill_id: null,
      duration_ms: 5,
      outputs: {},
      spec_dir: null,
      artifacts: [],
      error_message: "the agent was stopped at its turn limit (1 turn)",
      phases: [],
      usage: null,
      agent: { backend: "codex", version: null },
    };
    expect(StageResult.safeParse(result).success).toBe(true);
    expect(
      StageResult.safeParse({
        ...result,
        stopped_by: { limit: "turns", max: 1, used: 1 },
      }).success,
    ).toBe(true);
    expect(
      StageResult.safeParse({
        ...result,
        stopped_by: { limit: "money", max: 1, used: 1 },
      }).success,
    ).toBe(false);
  });
});
