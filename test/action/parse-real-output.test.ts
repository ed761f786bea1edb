import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAgentOutput } from "../../action/src/agents/parse-agent-output.js";

// What the real agent CLIs printed (the pinned versions, against the model
// API stand-in of test/support/model-api/, which answers 1,200 tokens in
// and 80 out per request), in the output mode the action runs them in.
// test/agents/real-*.test.ts captured them (CAPTURE_AGENT_OUTPUT=1 writes
// Copilot's again).
const read = (name: string) =>
  readFileSync(join("test/fixtures/agent-output", name), "utf8");

describe("usage and errors as the real CLIs report them", () => {
  it("Claude Code 2.1.197: tokens summed over its 3 requests, its cost and turn count", () => {
    expect(parseAgentOutput("claude", read("claude.success.json"))).toEqual({
      finalMessage: "All done.",
      usage: {
        input_tokens: 3_600,
        output_tokens: 240,
        cost_usd: 0.014400000000000001,
        turns: 5,
      },
      error: null,
    });
  });

  it.each([
    [
      "claude.max-turns.json",
      "Claude Code reported an error (error_max_turns): Reached maximum number of turns (1)",
    ],
    [
      "claude.401.json",
      "Claude Code reported an error: Invalid API key · Fix external API key",
    ],
  ])("Claude Code 2.1.197: %s is an error", (file, error) => {
    expect(parseAgentOutput("claude", read(file)).error).toBe(error);
  });

  it("Claude Code 2.1.197: a command it does not have is a refusal, not a success", () => {
    expect(
      parseAgentOutput("claude", read("claude.unknown-command.json")),
    ).toMatchObject({
      error: null,
      skillRefusal: "Unknown command: /speckit-nosuch",
    });
  });

  it.each(["codex.success.jsonl", "codex.success-http.jsonl"])(
    "codex 0.171.0: %s — the turn's tokens, its WebSocket retries no error",
    (file) => {
      const report = parseAgentOutput("codex", read(file));
      expect(report.usage).toEqual({ input_tokens: 3_600, output_tokens: 240 });
      expect(report.error).toBeNull();
      expect(report.finalMessage).toEqual(expect.any(String));
    },
  );

  it("codex 0.171.0: a refused key is an error", () => {
    expect(parseAgentOutput("codex", read("codex.401.jsonl"))).toMatchObject({
      usage: null,
      error: expect.stringMatching(/^Codex reported an error: .*401/),
    });
  });

  it("Gemini CLI 0.61.0: tokens and the main loop's requests", () => {
    expect(parseAgentOutput("gemini", read("gemini.success.json"))).toEqual({
      finalMessage: "Specification written.",
      usage: { input_tokens: 3_600, output_tokens: 240, turns: 3 },
      error: null,
    });
  });

  it("Gemini CLI 0.61.0: every model's tokens, the router's too, and only the main loop's turns", () => {
    const report = parseAgentOutput(
      "gemini",
      read("gemini.success-auto-model.json"),
    );
    const stats = JSON.parse(read("gemini.success-auto-model.json")) as {
      stats: { models: Record<string, { tokens: { prompt: number } }> };
    };
    const models = Object.values(stats.stats.models);
    expect(models.length).toBe(2);
    expect(report.usage?.input_tokens).toBe(
      models.reduce((sum, m) => sum + m.tokens.prompt, 0),
    );
    expect(report.usage?.turns).toBe(3);
  });

  it.each([
    [
      "gemini.wrong-key-401.stderr.txt",
      "Gemini CLI reported an error: Request had invalid authentication credentials. (HTTP 401)",
    ],
    [
      "gemini.invalid-key-400.stderr.txt",
      expect.stringMatching(/^Gemini CLI reported an error: .*API key/),
    ],
  ])("Gemini CLI 0.61.0: %s (nothing on stdout) is an error", (file, error) => {
    expect(parseAgentOutput("gemini", "", { stderr: read(file) })).toEqual({
      finalMessage: null,
      usage: null,
      error,
    });
  });

  it("Copilot CLI 1.0.102: tokens from its usage file, turns and the answer from its JSON", () => {
    expect(
      parseAgentOutput("copilot", read("copilot.success.jsonl"), {
        usageFile: read("copilot.success.usage.json"),
      }),
    ).toEqual({
      finalMessage: "Specification written.",
      usage: { input_tokens: 4_800, output_tokens: 320, turns: 4 },
      error: null,
    });
  });

  it("Copilot CLI 1.0.102: a refused key is an error", () => {
    expect(
      parseAgentOutput("copilot", read("copilot.401.jsonl")),
    ).toMatchObject({
      error:
        "Copilot CLI reported an error: Authentication failed with provider at http://127.0.0.1:34895/v1 (HTTP 401).",
    });
  });

  it("Copilot CLI 1.0.102: a skill the model asked for and the CLI did not have", () => {
    const events = read("copilot.success.jsonl").replace(
      '"found":"true"',
      '"found":"false"',
    );
    expect(parseAgentOutput("copilot", events).skillRefusal).toBe(
      "Skill not found: speckit-specify",
    );
  });
});
