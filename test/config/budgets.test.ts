import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { DEFAULT_PRICES, PRICES_AS_OF } from "../../src/config/prices.js";

/** The located diagnostics of a file, as `line:col: message`. */
function problems(text: string): string[] {
  const result = loadConfig(text);
  if (result.ok) return [];
  return result.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`);
}

const yaml = (lines: string[]) => `${lines.join("\n")}\n`;

describe("budgets and prices in the configuration", () => {
  it("takes budgets per run, per stage, per named stage and per repository", () => {
    const result = loadConfig(
      yaml([
        "budgets:",
        "  run: { tokens: 2000000, cost_usd: 5, turns: 200, time: 2h }",
        "  stage: { cost_usd: 1.5, time: 30m }",
        "  stages:",
        "    implement: { cost_usd: 3 }",
        "  repository:",
        "    daily: { cost_usd: 20 }",
        "    monthly: { cost_usd: 300, tokens: 90000000 }",
      ]),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.budgets).toEqual({
      run: { tokens: 2_000_000, cost_usd: 5, turns: 200, time: "2h" },
      stage: { cost_usd: 1.5, time: "30m" },
      stages: { implement: { cost_usd: 3 } },
      repository: {
        daily: { cost_usd: 20 },
        monthly: { cost_usd: 300, tokens: 90_000_000 },
      },
    });
  });

  it("has no budget and the dated built-in price table by default", () => {
    const result = loadConfig("");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.budgets).toEqual({ stages: {}, repository: {} });
    expect(result.config.prices).toEqual(DEFAULT_PRICES);
    for (const entry of Object.values(result.config.prices))
      expect(entry.as_of).toBe(PRICES_AS_OF);
    for (const model of [
      "claude-sonnet-4-5",
      "gpt-5-codex",
      "gemini-2.5-pro",
      "claude-sonnet-4.5",
    ])
      expect(DEFAULT_PRICES[model]).toBeDefined();
  });

  it.each<[string, string[], string[]]>([
    [
      "negative, zero and non-numeric values",
      [
        "budgets:",
        "  run:",
        "    tokens: -5",
        "    cost_usd: 0",
        "    turns: many",
      ],
      [
        "3:13: a token budget must be more than 0; got -5",
        "4:15: a cost budget must be more than 0; got 0",
        '5:12: expected a number, got the string "many"',
      ],
    ],
    [
      "a fraction of a token and a cost in quotes",
      ["budgets:", "  stage:", "    tokens: 1.5", '    cost_usd: "1"'],
      [
        "3:13: expected an integer, got the number 1.5",
        '4:15: expected a number, got the string "1"',
      ],
    ],
    [
      "an unknown unit and a zero time",
      ["budgets:", "  run:", "    time: 30x", "  stage:", "    time: 0m"],
      [
        '3:11: expected a duration such as 30s, 5m, 2h, 7d or 1h30m; got the string "30x"',
        "5:11: a time budget must be longer than 0",
      ],
    ],
    [
      "an unknown key",
      ["budgets:", "  repository:", "    daily:", "      turns: 3"],
      ["4:7: unknown key 'turns'; expected one of: tokens, cost_usd"],
    ],
    [
      "a budget for a stage the workflow does not have",
      ["budgets:", "  stages:", "    plann:", "      turns: 3"],
      [
        "3:5: budgets.stages names stage 'plann', which the workflow does not have (did you mean 'plan'?)",
      ],
    ],
    [
      "a price for an unknown model",
      [
        "prices:",
        "  gpt-5-codx:",
        "    input_per_mtok: 1",
        "    output_per_mtok: 2",
      ],
      [
        "2:3: unknown model 'gpt-5-codx': not a model of claude, codex, gemini or copilot that Specwright knows, nor one this configuration runs (agent.model or a stage's agent.model) (did you mean 'gpt-5-codex'?)",
      ],
    ],
    [
      "a negative price",
      [
        "prices:",
        "  gpt-5:",
        "    input_per_mtok: -1",
        "    output_per_mtok: 2",
      ],
      ["3:21: a price cannot be negative"],
    ],
  ])("reports %s where it is", (_, lines, expected) => {
    expect(problems(yaml(lines))).toEqual(expected);
  });

  it("takes a price for the model the configuration runs", () => {
    const text = yaml([
      "agent:",
      "  model: house-model",
      "workflow:",
      "  stages:",
      "    - id: specify",
      "      agent: { model: other-model }",
      "prices:",
      "  house-model: { input_per_mtok: 1, output_per_mtok: 2 }",
      "  other-model: { input_per_mtok: 1, output_per_mtok: 2 }",
    ]);
    expect(problems(text)).toEqual([]);
  });
});
