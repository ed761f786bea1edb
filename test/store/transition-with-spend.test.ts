import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import type { RunState } from "../../src/engine/run-state.js";
import { nextWake } from "../../src/engine/timers.js";
import { transition } from "../../src/engine/transition.js";
import { transitionWithSpend } from "../../src/store/transition-with-spend.js";
import {
  fakeRepositorySpend,
  type SpendRecord,
} from "../engine/fake-repository-spend.js";
import {
  at,
  BASE_SHA,
  committed,
  dispatched,
  LINEAR3,
  settingsFor,
  sha,
  stageEvents,
  stageOf,
  startedRun,
} from "../engine/fixtures.js";

const DAILY = settingsFor({
  budgets: { repository: { daily: { cost_usd: 20 } } },
});

const spent = (cost: number) =>
  committed(sha(0xc1), BASE_SHA, {
    usage: { input_tokens: 100, output_tokens: 10, cost_usd: cost },
  });

/** Another run's attempt of acme/web, ended today (2025-01-02) at `at(1)`. */
const OTHER: SpendRecord = {
  owner: "acme",
  repo: "web",
  completed_at: at(1),
  tokens: 50,
  cost_usd: 18,
};

/** Runs the stage's attempt up to (not including) its collected result. */
function untilCollected(state: RunState, stage: string, cost: number) {
  const events = stageEvents(state, stage, spent(cost), at(5));
  let current = state;
  for (const event of events.slice(0, -1))
    current = transition(current, event).state;
  return { state: current, collected: events.at(-1) as RunEvent };
}

describe("a transition told the repository's spend", () => {
  it("counts the attempt the event ends, which the store has not yet", async () => {
    const { state, collected } = untilCollected(
      startedRun(LINEAR3, { settings: DAILY }).state,
      "a",
      2.5,
    );
    const source = fakeRepositorySpend([OTHER]);

    const next = await transitionWithSpend(state, collected, source);

    expect(dispatched(next.effects)).toEqual([]);
    expect(stageOf(next.state, "b").budget_gate?.over).toEqual([
      { scope: "day", measure: "cost_usd", spent: 20.5, limit: 20 },
    ]);
    // As of the day's start: this run had ended no attempt before it.
    expect(next.state.repository_spend).toEqual({
      at: "2025-01-02T00:00:00.000Z",
      day: { tokens: 50, cost_usd: 18 },
      month: { tokens: 50, cost_usd: 18 },
    });
  });

  it("counts the run's attempts the store has once", async () => {
    const a = untilCollected(
      startedRun(LINEAR3, { settings: DAILY }).state,
      "a",
      1,
    );
    const { state: afterA } = await transitionWithSpend(
      a.state,
      a.collected,
      fakeRepositorySpend([]),
    );
    const { state, collected } = untilCollected(afterA, "b", 1);
    // The store now has `a` (ended at `at(5)`) and the other run's $17.
    const source = fakeRepositorySpend([
      { ...OTHER, cost_usd: 17 },
      { ...OTHER, completed_at: at(5), cost_usd: 1 },
    ]);

    const next = await transitionWithSpend(
      state,
      { ...collected, at: at(6) },
      source,
    );

    expect(next.state.repository_spend?.at).toBe(at(5));
    // $17 + $1 (a) + $1 (b): under $20, so c starts.
    expect(dispatched(next.effects)).toEqual(["c"]);
    expect(stageOf(next.state, "c").budget_gate).toBeUndefined();
  });

  it("reads nothing for a run without a repository budget", async () => {
    const { state, collected } = untilCollected(
      startedRun(LINEAR3).state,
      "a",
      2.5,
    );
    const source = fakeRepositorySpend([OTHER]);

    const next = await transitionWithSpend(state, collected, source);

    expect(dispatched(next.effects)).toEqual(["b"]);
    expect(source.calls).toEqual([]);
  });

  it("reads nothing for an event that starts no stage", async () => {
    const { state } = startedRun(LINEAR3, { settings: DAILY });
    const [dispatchedA] = stageEvents(state, "a", spent(1));
    const source = fakeRepositorySpend([OTHER]);

    const next = await transitionWithSpend(
      state,
      dispatchedA as RunEvent,
      source,
    );

    expect(next.effects.some((e) => e.kind === "dispatch_stage")).toBe(false);
    expect(source.calls).toEqual([]);
  });

  it("wakes the run on the next UTC day, and a day's spend that leaves room lets the held stage go on", async () => {
    const { state, collected } = untilCollected(
      startedRun(LINEAR3, { settings: DAILY }).state,
      "a",
      2.5,
    );
    const source = fakeRepositorySpend([OTHER]);
    const held = await transitionWithSpend(state, collected, source);
    expect(dispatched(held.effects)).toEqual([]);
    expect(nextWake(held.state)).toBe("2025-01-03T00:00:00.000Z");

    // A tick before then reads nothing; the day's first one reads the spend.
    const early = await transitionWithSpend(
      held.state,
      { type: "tick", at: "2025-01-02T23:59:00.000Z" },
      source,
    );
    expect(source.calls).toHaveLength(2);
    expect(dispatched(early.effects)).toEqual([]);
    const next = await transitionWithSpend(
      held.state,
      { type: "tick", at: "2025-01-03T00:00:05.000Z" },
      source,
    );
    expect(source.calls).toHaveLength(4);
    expect(dispatched(next.effects)).toEqual(["b"]);
    expect(stageOf(next.state, "b").budget_gate?.decision).toBe("lifted");
  });

  it("does not wake a stage held by the run's own budget: only a person frees it", () => {
    const { state } = startedRun(LINEAR3, {
      settings: settingsFor({
        budgets: {
          run: { cost_usd: 1 },
          repository: { daily: { cost_usd: 20 } },
        },
      }),
    });
    const b = stageOf(state, "b");
    b.status = "waiting_approval";
    b.budget_gate = {
      since: at(5),
      over: [
        { scope: "run", measure: "cost_usd", spent: 2.5, limit: 1 },
        { scope: "day", measure: "cost_usd", spent: 20.5, limit: 20 },
      ],
      unreported: [],
      decision: null,
      decided_by: null,
      used: false,
    };
    expect(nextWake(state)).not.toBe("2025-01-03T00:00:00.000Z");
  });
});
