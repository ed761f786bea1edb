import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Usage } from "../../src/contracts/stage-result.js";
import {
  type Attempt,
  newAttempt,
  type RunState,
} from "../../src/engine/run-state.js";
import { attemptToRow, runToRow } from "../../src/store/run-rows.js";
import * as schema from "../../src/store/schema.js";
import type { Store } from "../../src/store/store.js";
import { BACKENDS, openTestStore } from "../support/test-store.js";
import { closeTestStore } from "./close-test-store.js";
import {
  AGENT,
  at,
  newRun,
  runId,
  sha,
  specifyResult,
  T0,
} from "./run-fixtures.js";

/** One stored attempt: its run, repository, end and usage. */
interface Spent {
  run: number;
  repository?: string;
  completedAt: string | null;
  usage: Usage | null;
}

function runOf(n: number, repository = "acme/web"): RunState {
  const [owner = "acme", repo = "web"] = repository.split("/");
  return newRun({ id: runId(n), owner, repo });
}

function attemptOf(number: number, spent: Spent): Attempt {
  return {
    ...newAttempt(number, sha("a"), at(0), null),
    status: spent.completedAt === null ? "running" : "succeeded",
    completed_at: spent.completedAt,
    usage: spent.usage,
  };
}

/** The statements of migration 0006 that fill the new columns for older attempts. */
function backfillStatements(): string[] {
  const migration = readFileSync(
    "migrations/0006_repository_spend.sql",
    "utf8",
  );
  return migration
    .split("--> statement-breakpoint")
    .filter((statement) => /^\s*(--.*\n)*\s*UPDATE/i.test(statement));
}

const usage = (
  input: number,
  output: number,
  cost: number,
  turns = 3,
): Usage => ({
  input_tokens: input,
  output_tokens: output,
  cost_usd: cost,
  turns,
});

describe.each(BACKENDS)("a repository's spend (%s)", (backend) => {
  let test: Awaited<ReturnType<typeof openTestStore>>;
  let store: Store;

  // Opening PGlite takes long on two busy cores (not a timing assertion).
  beforeAll(async () => {
    test = await openTestStore(backend, () => new Date(T0));
    store = test.store;
  }, 120_000);
  afterAll(async () => {
    await closeTestStore(test);
  });
  beforeEach(async () => {
    await test.reset();
  });

  /** Stores runs and their attempts as rows, without going through the engine. */
  async function seed(spent: Spent[]): Promise<void> {
    const runs = new Map<number, RunState>();
    for (const s of spent)
      if (!runs.has(s.run)) runs.set(s.run, runOf(s.run, s.repository));
    await store.db
      .insert(schema.runs)
      .values([...runs.values()].map((run) => runToRow(run, T0)));
    await store.db
      .insert(schema.stageAttempts)
      .values(
        spent.map((s, i) =>
          attemptToRow(
            runs.get(s.run) as RunState,
            "specify",
            attemptOf(i + 1, s),
            `00000000-0000-4000-9000-${String(i + 1).padStart(12, "0")}`,
          ),
        ),
      );
  }

  it("adds up the tokens in and out and the cost of every run's attempts ended since then", async () => {
    await seed([
      { run: 1, completedAt: at(10), usage: usage(1000, 200, 0.1) },
      { run: 1, completedAt: at(20), usage: usage(30, 4, 0.2) },
      { run: 2, completedAt: at(30), usage: usage(5, 0, 0.000002) },
      // Ended right at `since`; it reported tokens only.
      { run: 3, completedAt: at(10), usage: { input_tokens: 1 } },
      // Ended before `since`, still running, nothing reported.
      { run: 2, completedAt: at(9, 59), usage: usage(7777, 7777, 7) },
      { run: 3, completedAt: null, usage: usage(9999, 1, 9) },
      { run: 3, completedAt: at(40), usage: null },
      // Another repository's.
      {
        run: 4,
        repository: "acme/api",
        completedAt: at(20),
        usage: usage(500, 500, 5),
      },
    ]);

    expect(
      await store.repositorySpend("acme", "web", new Date(at(10))),
    ).toEqual({ tokens: 1240, cost_usd: 0.300002 });
    expect(
      await store.repositorySpend("acme", "api", new Date(at(10))),
    ).toEqual({ tokens: 1000, cost_usd: 5 });
  });

  it("is nothing for a repository with no attempt ended since then", async () => {
    await seed([{ run: 1, completedAt: at(10), usage: usage(1, 1, 1) }]);

    expect(
      await store.repositorySpend("acme", "web", new Date(at(11))),
    ).toEqual({ tokens: 0, cost_usd: 0 });
    expect(
      await store.repositorySpend("acme", "none", new Date(at(0))),
    ).toEqual({ tokens: 0, cost_usd: 0 });
  });

  it("counts the usage a transition stored", async () => {
    await store.createRun(
      newRun(),
      { type: "start", at: T0 },
      { agent: AGENT },
    );
    for (const event of [
      { type: "branch_created", sha: sha("a"), at: at(1) },
      {
        type: "stage_dispatched",
        stage: "specify",
        attempt: 1,
        workflow_run_id: 5001,
        workflow_run_url: "https://github.com/acme/web/actions/runs/5001",
        at: at(2),
      },
      {
        type: "result_collected",
        stage: "specify",
        attempt: 1,
        result: specifyResult(),
        at: at(6),
      },
    ] as const)
      await store.apply(runId(1), event);

    expect(await store.repositorySpend("acme", "web", new Date(at(6)))).toEqual(
      { tokens: 1540, cost_usd: 0.0425 },
    );
    expect(await store.repositorySpend("acme", "web", new Date(at(7)))).toEqual(
      { tokens: 0, cost_usd: 0 },
    );
  });

  it("fills the new columns of attempts stored before them", async () => {
    await seed([
      { run: 1, completedAt: at(10), usage: usage(1000, 200, 0.1, 4) },
      {
        run: 2,
        repository: "acme/api",
        completedAt: at(10),
        usage: { input_tokens: 3 },
      },
    ]);
    const columns = () =>
      store.db
        .select({
          owner: schema.stageAttempts.owner,
          repo: schema.stageAttempts.repo,
          inputTokens: schema.stageAttempts.inputTokens,
          outputTokens: schema.stageAttempts.outputTokens,
          turns: schema.stageAttempts.turns,
          costUsd: schema.stageAttempts.costUsd,
        })
        .from(schema.stageAttempts)
        .orderBy(schema.stageAttempts.owner, schema.stageAttempts.repo);
    const expected = await columns();
    await store.db.update(schema.stageAttempts).set({
      owner: "",
      repo: "",
      inputTokens: null,
      outputTokens: null,
      turns: null,
      costUsd: null,
    });

    const statements = backfillStatements();
    for (const statement of statements)
      await store.db.execute(sql.raw(statement));

    expect(statements).toHaveLength(1);
    expect(await columns()).toEqual(expected);
    expect(expected).toEqual([
      {
        owner: "acme",
        repo: "api",
        inputTokens: 3,
        outputTokens: null,
        turns: null,
        costUsd: null,
      },
      {
        owner: "acme",
        repo: "web",
        inputTokens: 1000,
        outputTokens: 200,
        turns: 4,
        costUsd: 0.1,
      },
    ]);
  });
});
