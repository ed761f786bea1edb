import { describe, expect, it } from "vitest";
import type { RunState } from "../../src/engine/run-state.js";
import { renderCheckRun } from "../../src/github/render-check-run.js";
import {
  gateCheckRunName,
  renderGateCheckRun,
} from "../../src/github/render-gate-check-run.js";
import { renderNotice } from "../../src/github/render-notice.js";
import { renderTrackingComment } from "../../src/github/render-tracking-comment.js";
import {
  at,
  attemptOf,
  BASE_SHA,
  committed,
  finishStage,
  LINEAR3,
  on,
  settingsFor,
  sha,
  stageOf,
  startedRun,
  step,
} from "../engine/fixtures.js";

const NOW = new Date(at(60));
const C1 = sha(0xc1);

/** LINEAR3 under a $1 run budget: `a` spent $1.20, `b` is held. */
function held(
  usage = { input_tokens: 1000, output_tokens: 500, turns: 10, cost_usd: 1.2 },
): RunState {
  const { state } = startedRun(LINEAR3, {
    settings: settingsFor({ budgets: { run: { cost_usd: 1 } } }),
  });
  return finishStage(state, "a", committed(C1, BASE_SHA, { usage }), at(5))
    .state;
}

describe("usage in the check run and the tracking comment", () => {
  it("shows an estimated cost as an estimate", () => {
    const { state } = startedRun(LINEAR3);
    const done = finishStage(
      state,
      "a",
      committed(C1, BASE_SHA, {
        usage: { input_tokens: 100_000, output_tokens: 20_000, turns: 7 },
      }),
      at(5),
    ).state;
    const { summary } = renderCheckRun(
      done,
      stageOf(done, "a"),
      attemptOf(done, "a"),
      NOW,
    ).output;
    // 100,000 × $3 + 20,000 × $15 per million: $0.60.
    expect(summary).toContain(
      "| Usage | 100,000 input + 20,000 output tokens · 7 turns · ~$0.60 (estimated) |",
    );
    const comment = renderTrackingComment(done, NOW);
    expect(comment).toContain(
      "| 100,000 input + 20,000 output tokens · 7 turns · ~$0.60 (estimated) |",
    );
    expect(comment).toContain(
      "| **Run total** | | | | 100,000 input + 20,000 output tokens · 7 turns · ~$0.60 (estimated) | |",
    );
  });

  it("says usage not reported when the agent reported none", () => {
    const { state } = startedRun(LINEAR3);
    const done = finishStage(state, "a", committed(C1, BASE_SHA), at(5)).state;
    const { summary } = renderCheckRun(
      done,
      stageOf(done, "a"),
      attemptOf(done, "a"),
      NOW,
    ).output;
    expect(summary).toContain("| Usage | usage not reported |");
  });

  it("adds up the run total from every stage", () => {
    const state = held();
    const allowed = step(state, on.approve("b", "maintainer", at(7))).state;
    const both = finishStage(
      allowed,
      "b",
      committed(sha(0xc2), C1, {
        usage: { input_tokens: 10, output_tokens: 5, turns: 1, cost_usd: 0.3 },
      }),
      at(9),
    ).state;
    expect(renderTrackingComment(both, NOW)).toContain(
      "| **Run total** | | | | 1,010 input + 505 output tokens · 11 turns · $1.50 | |",
    );
  });
});

describe("the budget gate on GitHub", () => {
  it("shows the spend against the limit, with Allow one more and Stop run", () => {
    const state = held();
    const stage = stageOf(state, "b");
    expect(gateCheckRunName(state, stage)).toBe("Specwright: b (budget)");
    const fields = renderGateCheckRun(state, stage, NOW);
    expect(fields.conclusion).toBe("action_required");
    expect(fields.output.title).toBe("b is held at a budget gate");
    expect(fields.output.summary).toContain(
      [
        "### 💰 b is held at a budget gate before it runs",
        "",
        "A budget is reached, so the stage does not start until someone decides.",
        "",
        "| Budget | Spent | Limit |",
        "| --- | --- | --- |",
        "| Cost of this run | $1.20 | $1.00 |",
        "",
        "To go on, press **Allow one more** above to run it over budget (the stages after it are checked again), or **Stop run** to end the run here; or comment `/approve b` (this stage runs over budget, knowingly) or `/reject b` (the run ends here). Needs write permission.",
      ].join("\n"),
    );
    expect(fields.actions).toStrictEqual([
      {
        label: "Allow one more",
        description: "Run b over budget",
        identifier: "approve",
      },
      {
        label: "Stop run",
        description: "End the run before b",
        identifier: "reject",
      },
    ]);
  });

  it("says when usage was not reported and what the budgets fall back to", () => {
    const { state } = startedRun(LINEAR3, {
      settings: settingsFor({ budgets: { run: { cost_usd: 1, turns: 5 } } }),
    });
    const done = finishStage(
      state,
      "a",
      committed(C1, BASE_SHA, { usage: { turns: 6 } }),
      at(5),
    ).state;
    const { summary } = renderGateCheckRun(
      done,
      stageOf(done, "b"),
      NOW,
    ).output;
    expect(summary).toContain("| Turns of this run | 6 | 5 |");
    expect(summary).toContain(
      "Some attempts did not report their cost (usage not reported): the spend counts what was reported, and the turn and time budgets still hold.",
    );
  });

  it("shows who allowed the stage over budget, without buttons", () => {
    const allowed = step(held(), on.approve("b", "maintainer", at(7))).state;
    const stage = stageOf(allowed, "b");
    const fields = renderGateCheckRun(allowed, stage, NOW);
    expect(gateCheckRunName(allowed, stage)).toBe("Specwright: b (budget)");
    expect(fields.conclusion).toBe("success");
    expect(fields.output.title).toBe("b: allowed over budget by @maintainer");
    expect(fields.actions).toStrictEqual([]);
  });

  it("shows the stop", () => {
    const stopped = step(
      held(),
      on.reject("b", "maintainer", null, at(8)),
    ).state;
    const fields = renderGateCheckRun(stopped, stageOf(stopped, "b"), NOW);
    expect(fields.conclusion).toBe("cancelled");
    expect(fields.output.title).toBe(
      "b: stopped at the budget gate by @maintainer; the run ended",
    );
  });

  it("asks in a comment and in the tracking comment", () => {
    const state = held();
    const notice = renderNotice(
      state,
      { type: "gate_waiting", stage: "b" },
      `budget:b:${at(5)}`,
    );
    expect(notice).toContain("💰 @octocat **b** is held at a budget gate.");
    expect(notice).toContain("| Cost of this run | $1.20 | $1.00 |");
    expect(notice).toContain(
      "To go on, comment `/approve b` (this stage runs over budget, knowingly) or `/reject b` (the run ends here). Needs write permission.",
    );
    const comment = renderTrackingComment(state, NOW);
    expect(comment).toContain(
      "| b | 💰 held at a budget gate | — | since 2025-01-02 03:05 UTC | — | — |",
    );
    expect(comment).toContain(
      "> 💰 **b** is held at a budget gate since 2025-01-02 03:05 UTC.",
    );
    expect(comment).toContain("> | Cost of this run | $1.20 | $1.00 |");
  });
});
