import { afterEach, describe, expect, it } from "vitest";
import { World, type WorldOptions } from "../support/e2e-world.js";
import type { CheckRun, Repository } from "../support/simulator/state.js";

// Budgets, end to end: the real App, the real action bundle, the scripted
// agent (each stage it runs reports 1,200 input + 340 output tokens, 4 turns
// and $0.0123). What people see: the budget gate's check run with the spend
// and the limit, no stage dispatched past it, `/approve` letting exactly one
// more stage run, and the usage in the tracking comment. The budgets are
// exactly two stages' tokens: the action stops an agent that goes past
// what is left (a stage may use all of it), so the second stage ends at the
// limit and the third waits at the gate.

const TIMEOUT = 240_000;

const backends: [string, WorldOptions][] = [["pglite", {}]];
if (process.env.DATABASE_URL) {
  backends.push(["postgres", { databaseUrl: process.env.DATABASE_URL }]);
}

describe.each(backends)("budgets end to end (%s)", (store, base) => {
  let world: World | undefined;
  // The gate and what people see do not depend on the store: PGlite alone.
  // The repository's spend is the store's query: both stores.
  const anyStore = it.skipIf(store === "postgres");

  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  async function setUp(config: string) {
    world = await World.create(base);
    const repo = await world.repository("acme/web", {
      files: { ".github/specwright.yml": config },
    });
    await world.startApp();
    return { world, repo };
  }

  function budgetGate(w: World, repo: Repository, stage: string) {
    return w.sim
      .checkRunsOf(repo)
      .filter((c) => c.name === `Specwright: ${stage} (budget)`);
  }

  function waitsAtBudget(w: World, repo: Repository, stage: string) {
    return () =>
      budgetGate(w, repo, stage).some(
        (c) => c.conclusion === "action_required",
      );
  }

  /** The stages the App dispatched, in order. */
  function dispatchedStages(w: World): string[] {
    // The stage workflow's run-name: `specwright <run id> <stage> <attempt>`.
    return [...w.sim.workflowRuns.values()].map(
      (r) => r.display_title.split(" ")[2] ?? "",
    );
  }

  /** The tracking comment: on the pull request once there is one. */
  function trackingComment(w: World, repo: Repository): string {
    const numbers = [
      ...w.sim.pulls(repo).map((p) => p.number),
      ...repo.issues.keys(),
    ];
    return (
      numbers
        .flatMap((n) => w.sim.commentsOn(repo, n))
        .find((c) => c.body.includes("<!-- specwright:run="))?.body ?? ""
    );
  }

  function summary(check: CheckRun | undefined): string {
    return check?.output.summary ?? "";
  }

  anyStore(
    "a run reaches its token budget after two stages; /approve lets one more stage run, then the gate holds again",
    async () => {
      const { world: w, repo } = await setUp(
        ["budgets:", "  run:", "    tokens: 3080", ""].join("\n"),
      );
      const issue = w.sim.openIssue(repo, {
        title: "Dark mode",
        body: "Users want a dark mode.",
        user: "alice",
      });
      w.sim.comment(repo, issue, "/specify Add a dark mode toggle", "alice");
      await w.until(
        "tasks to wait at the budget gate",
        waitsAtBudget(w, repo, "Tasks"),
        150_000,
      );
      await w.sim.idle();

      // specify (1,540 tokens) and plan (3,080 in all) ran; tasks did not start.
      expect(dispatchedStages(w)).toEqual(["specify", "plan"]);
      const [held] = budgetGate(w, repo, "Tasks");
      expect(held?.output.title).toBe("Tasks is held at a budget gate");
      expect(summary(held)).toContain("| Tokens of this run | 3,080 | 3,080 |");
      expect(held?.actions?.map((a) => a.label)).toEqual([
        "Allow one more",
        "Stop run",
      ]);
      await w.until("the tracking comment's total", () =>
        trackingComment(w, repo).includes(
          "| **Run total** | | | | 2,400 input + 680 output tokens · 8 turns · $0.02 | |",
        ),
      );

      const pull = w.sim.pulls(repo)[0]?.number ?? 0;
      w.sim.comment(repo, pull, "/approve", "alice");
      await w.until(
        "analyze to wait at the budget gate",
        waitsAtBudget(w, repo, "Analyze"),
        150_000,
      );
      await w.sim.idle();

      // Exactly one more stage ran: tasks, over budget, knowingly.
      expect(dispatchedStages(w)).toEqual(["specify", "plan", "tasks"]);
      expect(budgetGate(w, repo, "Tasks").map((c) => c.conclusion)).toEqual([
        "success",
      ]);
      expect(budgetGate(w, repo, "Tasks")[0]?.output.title).toContain(
        "allowed over budget by @alice",
      );
      const [again] = budgetGate(w, repo, "Analyze");
      expect(summary(again)).toContain(
        "| Tokens of this run | 4,620 | 3,080 |",
      );
      await w.until("the tracking comment's total", () =>
        trackingComment(w, repo).includes(
          "| **Run total** | | | | 3,600 input + 1,020 output tokens · 12 turns · $0.04 | |",
        ),
      );
      expect(w.problems()).toEqual([]);

      const [run] = await w.runs();
      expect(run?.stages.map((s) => [s.id, s.status])).toEqual([
        ["specify", "succeeded"],
        ["plan", "succeeded"],
        ["tasks", "succeeded"],
        ["analyze", "waiting_approval"],
        ["implement", "pending"],
      ]);
    },
    TIMEOUT,
  );

  it(
    "a run waits before its first stage when earlier runs spent the repository's day",
    async () => {
      const { world: w, repo } = await setUp(
        [
          "budgets:",
          "  repository:",
          "    daily:",
          "      tokens: 3080",
          "",
        ].join("\n"),
      );
      const first = w.sim.openIssue(repo, {
        title: "Dark mode",
        body: "Users want a dark mode.",
        user: "alice",
      });
      w.sim.comment(repo, first, "/specify Add a dark mode toggle", "alice");
      await w.until(
        "tasks to wait at the budget gate",
        waitsAtBudget(w, repo, "Tasks"),
        150_000,
      );
      expect(summary(budgetGate(w, repo, "Tasks")[0])).toContain(
        "| Tokens of the repository's runs today (UTC) | 3,080 | 3,080 |",
      );

      const second = w.sim.openIssue(repo, {
        title: "Export",
        body: "Users want to export their data.",
        user: "alice",
      });
      w.sim.comment(repo, second, "/specify Export as CSV", "alice");
      await w.until(
        "specify to wait at the budget gate",
        waitsAtBudget(w, repo, "Specify"),
        150_000,
      );
      await w.sim.idle();

      // The second run spent nothing: the first one's spend holds it.
      expect(dispatchedStages(w)).toEqual(["specify", "plan"]);
      expect(summary(budgetGate(w, repo, "Specify")[0])).toContain(
        "| Tokens of the repository's runs today (UTC) | 3,080 | 3,080 |",
      );
      expect(w.problems()).toEqual([]);
    },
    TIMEOUT,
  );
});
