import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import {
  needsRepositorySpend,
  readRepositorySpend,
} from "../../src/engine/repository-spend.js";
import { fakeRepositorySpend } from "./fake-repository-spend.js";
import {
  at,
  attemptOf,
  BASE_SHA,
  committed,
  dispatched,
  dispatchOf,
  finishStage,
  LINEAR3,
  notRun,
  on,
  settingsFor,
  sha,
  stageOf,
  startedRun,
  step,
} from "./fixtures.js";

const C1 = sha(0xc1);
const C2 = sha(0xc2);

const spent = (cost: number, turns = 10) =>
  committed(C1, BASE_SHA, {
    usage: {
      input_tokens: 1000,
      output_tokens: 500,
      turns,
      cost_usd: cost,
    },
  });

const repositorySpend = (
  day: number,
  month: number,
  time: string,
): RunEvent => ({
  type: "repository_spend",
  day: { tokens: 0, cost_usd: day },
  month: { tokens: 0, cost_usd: month },
  at: time,
});

/** LINEAR3 with budgets; `a` finished having spent $`cost`. */
function afterA(budgets: Record<string, unknown>, cost = 1.2) {
  const { state } = startedRun(LINEAR3, {
    settings: settingsFor({ budgets }),
  });
  return finishStage(state, "a", spent(cost), at(5));
}

describe("the budget gate", () => {
  it("holds a stage that would start over the run's budget", () => {
    const { state, effects } = afterA({ run: { cost_usd: 1 } });
    expect(dispatched(effects)).toStrictEqual([]);
    expect(effects).toContainEqual({
      kind: "create_gate_check_run",
      stage: "b",
      waiting_since: at(5),
    });
    expect(effects).toContainEqual({
      kind: "post_notice",
      notice: { type: "gate_waiting", stage: "b" },
      key: `budget:b:${at(5)}`,
    });
    expect(stageOf(state, "b")).toMatchObject({
      status: "waiting_approval",
      waiting_since: at(5),
      approved_by: null,
      budget_gate: {
        since: at(5),
        over: [{ scope: "run", measure: "cost_usd", spent: 1.2, limit: 1 }],
        unreported: [],
        decision: null,
        decided_by: null,
        used: false,
      },
    });
  });

  it("lets one more stage run on /approve, then holds the next", () => {
    const waiting = afterA({ run: { cost_usd: 1 } }).state;
    const allowed = step(waiting, on.approve("b", "maintainer", at(7)));
    expect(dispatched(allowed.effects)).toStrictEqual(["b"]);
    expect(stageOf(allowed.state, "b")).toMatchObject({
      status: "dispatched",
      approved_by: null,
      budget_gate: {
        decision: "allowed",
        decided_by: "maintainer",
        used: true,
      },
    });
    // The stage knowingly over budget gets no cost cap from the spent run.
    expect(
      dispatchOf(allowed.effects, "b").request.agent.max_cost_usd,
    ).toBeUndefined();

    const next = finishStage(
      allowed.state,
      "b",
      committed(C2, C1, { usage: { cost_usd: 0.5, turns: 4 } }),
      at(9),
    );
    expect(dispatched(next.effects)).toStrictEqual([]);
    expect(stageOf(next.state, "c").budget_gate).toMatchObject({
      over: [{ scope: "run", measure: "cost_usd", spent: 1.7, limit: 1 }],
      decision: null,
    });
  });

  it("ends the run when the budget gate is rejected (Stop)", () => {
    const waiting = afterA({ run: { cost_usd: 1 } }).state;
    const { state, effects } = step(
      waiting,
      on.reject("b", "maintainer", null, at(8)),
    );
    expect(state.status).toBe("cancelled");
    expect(state.result_summary).toBe(
      "Stopped by @maintainer at the budget gate before b: cost of the run: $1.20 of $1.00",
    );
    expect(stageOf(state, "b").budget_gate).toMatchObject({
      decision: "stopped",
      decided_by: "maintainer",
    });
    expect(state.stages).toStrictEqual(
      notRun(
        waiting,
        "cancelled",
        "Stopped by @maintainer at the budget gate before b: cost of the run: $1.20 of $1.00",
      ).map((stage) =>
        stage.id === "b"
          ? { ...stage, budget_gate: stageOf(state, "b").budget_gate }
          : stage,
      ),
    );
    expect(dispatched(effects)).toStrictEqual([]);
  });

  it("has no time limit of its own (a gate's on_timeout does not apply)", () => {
    const waiting = afterA({ run: { cost_usd: 1 } }).state;
    const later = step(waiting, on.tick(60 * 24 * 30));
    expect(stageOf(later.state, "b").status).toBe("waiting_approval");
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["run tokens", { run: { tokens: 1500 } }, "tokens"],
    ["run turns", { run: { turns: 10 } }, "turns"],
    ["run time", { run: { time: "4m" } }, "time"],
  ])("holds on %s", (_, budgets, measure) => {
    const { state } = afterA(budgets);
    expect(stageOf(state, "b").budget_gate?.over).toMatchObject([
      { scope: "run", measure },
    ]);
  });

  it("checks a stage's budget against its earlier attempts (a /retry)", () => {
    const { state } = startedRun(
      { stages: [{ id: "a" }] },
      { settings: settingsFor({ budgets: { stage: { turns: 5 } } }) },
    );
    const failedOnce = finishStage(
      state,
      "a",
      committed(C1, BASE_SHA, {
        status: "failed",
        usage: { turns: 6 },
      }),
      at(5),
    );
    const retried = step(
      failedOnce.state,
      on.rerun("a", "maintainer", "/retry", at(20)),
    );
    expect(dispatched(retried.effects)).toStrictEqual([]);
    expect(stageOf(retried.state, "a").budget_gate?.over).toStrictEqual([
      { scope: "stage", measure: "turns", spent: 6, limit: 5 },
    ]);
  });

  it("says which budgeted measures were not reported", () => {
    const { state } = startedRun(LINEAR3, {
      settings: settingsFor({ budgets: { run: { cost_usd: 1, turns: 3 } } }),
    });
    const { state: after } = finishStage(
      state,
      "a",
      committed(C1, BASE_SHA, { usage: { turns: 4 } }),
      at(5),
    );
    expect(stageOf(after, "b").budget_gate).toMatchObject({
      over: [{ scope: "run", measure: "turns", spent: 4, limit: 3 }],
      unreported: ["cost_usd"],
    });
  });
});

describe("what a stage may use", () => {
  it("sends the smaller of the stage's budget and what is left of the run's", () => {
    const { state } = startedRun(LINEAR3, {
      settings: settingsFor({
        agent: { max_turns: 50 },
        budgets: {
          run: { cost_usd: 2, tokens: 10_000, turns: 30, time: "1h" },
          stage: { cost_usd: 0.5, tokens: 20_000, time: "2h" },
        },
      }),
    });
    const { effects } = finishStage(state, "a", spent(1.2, 25), at(5));
    expect(dispatchOf(effects, "b").request.agent).toMatchObject({
      max_cost_usd: 0.5,
      max_tokens: 8500,
      max_turns: 5,
      // 1h less the 5 minutes the run has taken.
      timeout_minutes: 30,
    });
  });

  it("sends no cap without budgets", () => {
    const { effects } = startedRun(LINEAR3);
    const { agent } = dispatchOf(effects, "a").request;
    expect(agent.max_tokens).toBeUndefined();
    expect(agent.max_cost_usd).toBeUndefined();
    expect(agent.max_turns).toBeUndefined();
    expect(agent.timeout_minutes).toBe(30);
  });
});

describe("repository budgets", () => {
  it("holds a stage when the repository's day is spent, and goes on on a new day", () => {
    const { state } = startedRun(LINEAR3, {
      settings: settingsFor({
        budgets: { repository: { daily: { cost_usd: 20 } } },
      }),
    });
    const told = step(state, repositorySpend(18, 100, at(2))).state;
    // `a` spends $2.50 after the snapshot: the day is at $20.50.
    const { state: held } = finishStage(told, "a", spent(2.5), at(5));
    expect(stageOf(held, "b").budget_gate?.over).toStrictEqual([
      { scope: "day", measure: "cost_usd", spent: 20.5, limit: 20 },
    ]);

    const nextDay = "2025-01-03T00:05:00.000Z";
    const { state: lifted, effects } = step(
      held,
      repositorySpend(0, 102.5, nextDay),
    );
    expect(dispatched(effects)).toStrictEqual(["b"]);
    expect(stageOf(lifted, "b").budget_gate).toMatchObject({
      decision: "lifted",
    });
    expect(attemptOf(lifted, "b").dispatched_at).toBe(nextDay);
  });

  it("counts only what the run spent when no snapshot was told", () => {
    const { state } = afterA(
      { repository: { monthly: { cost_usd: 1, tokens: 100_000 } } },
      1.2,
    );
    expect(stageOf(state, "b").budget_gate?.over).toStrictEqual([
      { scope: "month", measure: "cost_usd", spent: 1.2, limit: 1 },
    ]);
  });
});

describe("reading the repository's spend", () => {
  it("asks for the day's and the month's spend and builds the event", async () => {
    const source = fakeRepositorySpend([
      {
        owner: "acme",
        repo: "web",
        completed_at: "2025-01-02T01:00:00.000Z",
        tokens: 100,
        cost_usd: 1,
      },
      {
        owner: "acme",
        repo: "web",
        completed_at: "2025-01-01T23:00:00.000Z",
        tokens: 50,
        cost_usd: 2,
      },
      {
        owner: "acme",
        repo: "api",
        completed_at: "2025-01-02T01:00:00.000Z",
        tokens: 7,
        cost_usd: 9,
      },
    ]);
    const event = await readRepositorySpend(
      source,
      { owner: "acme", repo: "web" },
      new Date(at(5)),
    );
    expect(event).toStrictEqual({
      type: "repository_spend",
      day: { tokens: 100, cost_usd: 1 },
      month: { tokens: 150, cost_usd: 3 },
      at: at(5),
    });
    expect(source.calls).toStrictEqual([
      ["acme", "web", "2025-01-02T00:00:00.000Z"],
      ["acme", "web", "2025-01-01T00:00:00.000Z"],
    ]);
  });

  it("is needed only with a daily or monthly budget", () => {
    expect(needsRepositorySpend(settingsFor())).toBe(false);
    expect(
      needsRepositorySpend(
        settingsFor({ budgets: { repository: { monthly: { tokens: 5 } } } }),
      ),
    ).toBe(true);
  });
});
