import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import {
  newAttempt,
  type RunState,
  type RunStatus,
} from "../../src/engine/run-state.js";
import type { RunListFilter, RunListRow } from "../../src/store/list-runs.js";
import { runToRow } from "../../src/store/run-rows.js";
import * as schema from "../../src/store/schema.js";
import type { Store } from "../../src/store/store.js";
import { Workflow } from "../../src/workflow/schema.js";
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

/** What a seeded run differs in. */
interface Seed {
  n: number;
  repository?: string;
  status?: RunStatus;
  requestedBy?: string;
  createdAt?: string;
}

/** A run as the list sees it, without going through the engine. */
function seededRun(seed: Seed): RunState {
  const [owner = "acme", repo = "web"] = (seed.repository ?? "acme/web").split(
    "/",
  );
  return {
    ...newRun({
      id: runId(seed.n),
      owner,
      repo,
      requested_by: seed.requestedBy ?? "octocat",
      at: seed.createdAt ?? T0,
    }),
    status: seed.status ?? "queued",
  };
}

const REVIEWED = Workflow.parse({
  name: "Reviewed",
  stages: [
    { id: "specify", type: "agent" },
    { id: "review", type: "gate", depends_on: ["specify"] },
  ],
});

/** `specify` dispatched and running; the run waits on nothing yet. */
const RUNNING: RunEvent[] = [
  { type: "tracking_comment_created", comment_id: 2_500_000_001, at: at(1) },
  { type: "branch_created", sha: sha("a"), at: at(1) },
  {
    type: "stage_dispatched",
    stage: "specify",
    attempt: 1,
    workflow_run_id: 5001,
    workflow_run_url: "https://github.com/acme/web/actions/runs/5001",
    at: at(2),
  },
];

const COLLECTED: RunEvent = {
  type: "result_collected",
  stage: "specify",
  attempt: 1,
  result: specifyResult(),
  at: at(6),
};

/** The statements of migration 0004 that fill the new columns for older runs. */
function backfillStatements(): string[] {
  const migration = readFileSync("migrations/0004_run_events.sql", "utf8");
  return migration
    .split("--> statement-breakpoint")
    .filter((statement) => /^\s*(--.*\n)*\s*UPDATE/i.test(statement));
}

describe.each(BACKENDS)("listing runs (%s)", (backend) => {
  let test: Awaited<ReturnType<typeof openTestStore>>;
  let store: Store;
  let now = new Date(T0);

  beforeAll(async () => {
    test = await openTestStore(backend, () => now);
    store = test.store;
  });
  afterAll(async () => {
    await closeTestStore(test);
  });
  beforeEach(async () => {
    await test.reset();
    now = new Date(T0);
  });

  async function seed(seeds: Seed[]): Promise<void> {
    const rows = seeds.map((s) => runToRow(seededRun(s), T0));
    for (let i = 0; i < rows.length; i += 100)
      await store.db.insert(schema.runs).values(rows.slice(i, i + 100));
  }

  async function ids(
    filter: RunListFilter,
    limit = 50,
  ): Promise<(number | undefined)[]> {
    const { rows } = await store.listRuns(filter, { limit });
    return rows.map((row) => Number(row.id.slice(-12)));
  }

  async function drive(events: RunEvent[]) {
    await store.createRun(
      newRun({ workflow: REVIEWED }),
      { type: "start", at: T0 },
      { agent: AGENT },
    );
    for (const event of events) {
      now = new Date(event.at);
      await store.apply(runId(1), event);
    }
    const { rows } = await store.listRuns({}, { limit: 10 });
    return rows[0];
  }

  it("gives each run's list columns, read without its state", async () => {
    const row = await drive([...RUNNING, COLLECTED]);

    expect(row).toEqual({
      id: runId(1),
      owner: "acme",
      repo: "web",
      issueNumber: 7,
      feature: "Add a dark mode toggle",
      status: "in_progress",
      currentStage: "review",
      requestedBy: "octocat",
      repositoryId: null,
      branch: "speckit/20261121/abc123",
      pullRequestNumber: null,
      createdAt: T0,
      startedAt: T0,
      completedAt: null,
      usage: { input_tokens: 1200, output_tokens: 340, cost_usd: 0.0425 },
    } satisfies RunListRow);
  });

  it("keeps the current stage and usage up to date with each transition", async () => {
    expect(await drive([])).toMatchObject({ currentStage: null, usage: {} });
    await test.reset();
    expect(await drive(RUNNING)).toMatchObject({
      currentStage: "specify",
      usage: {},
    });
    now = new Date(at(9));
    await store.apply(runId(1), COLLECTED);
    await store.apply(runId(1), {
      type: "approve",
      stage: "review",
      by: "octocat",
      at: at(9),
    });
    const [done] = (await store.listRuns({}, { limit: 1 })).rows;
    expect(done).toMatchObject({
      status: "succeeded",
      currentStage: null,
      completedAt: at(9),
      usage: { input_tokens: 1200 },
    });
  });

  it("sums usage over every attempt, leaving out what none reported", () => {
    const run = newRun({ workflow: REVIEWED });
    const attempt = (
      usage: NonNullable<RunState["stages"][0]["attempts"][0]["usage"]> | null,
      n: number,
    ) => ({
      ...newAttempt(n, sha("a"), at(2), null),
      status: "failed" as const,
      usage,
    });
    const state: RunState = {
      ...run,
      stages: [
        {
          ...(run.stages[0] as RunState["stages"][0]),
          status: "retrying",
          attempts: [
            attempt({ input_tokens: 10, turns: 2, cost_usd: 0.5 }, 1),
            attempt(null, 2),
            attempt({ input_tokens: 5, turns: 1, cost_usd: 0.25 }, 3),
          ],
        },
        run.stages[1] as RunState["stages"][0],
      ],
    };

    expect(runToRow(state, T0)).toMatchObject({
      currentStage: "specify",
      inputTokens: 15,
      outputTokens: null,
      turns: 3,
      costUsd: 0.75,
    });
  });

  it("fills the new columns of runs stored before them, as the store would", async () => {
    await drive([...RUNNING, COLLECTED]);
    await store.createRun(
      newRun({ id: runId(2) }),
      { type: "start", at: T0 },
      { agent: AGENT },
    );
    const expected = (await store.listRuns({}, { limit: 10 })).rows;
    await store.db.update(schema.runs).set({
      currentStage: null,
      inputTokens: null,
      outputTokens: null,
      turns: null,
      costUsd: null,
    });
    expect((await store.listRuns({}, { limit: 10 })).rows).not.toEqual(
      expected,
    );

    const statements = backfillStatements();
    for (const statement of statements)
      await store.db.execute(sql.raw(statement));

    expect(statements).toHaveLength(2);
    expect((await store.listRuns({}, { limit: 10 })).rows).toEqual(expected);
  });

  it("lists newest first, by id among runs created at the same time", async () => {
    await seed([
      { n: 1, createdAt: at(1) },
      { n: 2, createdAt: at(3) },
      { n: 3, createdAt: at(2) },
      { n: 4, createdAt: at(3) },
    ]);

    expect(await ids({})).toEqual([4, 2, 3, 1]);
  });

  it.each<[string, RunListFilter, number[]]>([
    ["one repository", { repository: "acme/api" }, [3, 2]],
    ["a repository nobody ran in", { repository: "acme/none" }, []],
    ["a status", { status: ["succeeded"] }, [4, 1]],
    ["several statuses", { status: ["succeeded", "failed"] }, [5, 4, 1]],
    ["no status at all", { status: [] }, []],
    ["who asked", { requestedBy: "hubot" }, [5, 2]],
    ["created at or after", { createdAfter: at(3) }, [5, 4, 3]],
    ["created before", { createdBefore: at(3) }, [2, 1]],
    ["a time range", { createdAfter: at(2), createdBefore: at(4) }, [3, 2]],
    [
      "the repositories a person may read",
      { repositories: ["acme/web", "other/site"] },
      [5, 4, 1],
    ],
    ["no readable repository", { repositories: [] }, []],
    [
      "a repository the person may not read",
      { repositories: ["acme/web"], repository: "acme/api" },
      [],
    ],
    [
      "everything at once",
      {
        repositories: ["acme/web", "acme/api"],
        repository: "acme/web",
        status: ["succeeded"],
        requestedBy: "octocat",
        createdAfter: at(1),
        createdBefore: at(5),
      },
      [4, 1],
    ],
  ])("filters by %s", async (_, filter, expected) => {
    await seed([
      { n: 1, createdAt: at(1), status: "succeeded" },
      { n: 2, createdAt: at(2), repository: "acme/api", requestedBy: "hubot" },
      { n: 3, createdAt: at(3), repository: "acme/api", status: "in_progress" },
      { n: 4, createdAt: at(4), status: "succeeded" },
      {
        n: 5,
        createdAt: at(5),
        repository: "other/site",
        status: "failed",
        requestedBy: "hubot",
      },
    ]);

    expect(await ids(filter)).toEqual(expected);
  });

  it("walks 250 runs a page of 100 at a time, without gaps or repeats, through equal times", async () => {
    // Ten runs at each of 25 instants, inserted in no particular order.
    const seeds = Array.from({ length: 250 }, (_, i) => ({
      n: ((i * 37) % 250) + 1,
      createdAt: at(((i * 37) % 250) % 25),
      repository: i % 2 === 0 ? "acme/web" : "acme/api",
    }));
    await seed(seeds);
    const expected = [...seeds]
      .sort(
        (a, b) =>
          b.createdAt.localeCompare(a.createdAt) ||
          runId(b.n).localeCompare(runId(a.n)),
      )
      .map((s) => runId(s.n));

    const pages: { rows: RunListRow[]; hasMore: boolean }[] = [];
    let after: { createdAt: string; id: string } | undefined;
    do {
      const page = await store.listRuns(
        {},
        { limit: 100, ...(after ? { after } : {}) },
      );
      pages.push(page);
      const last = page.rows.at(-1);
      after =
        page.hasMore && last
          ? { createdAt: last.createdAt, id: last.id }
          : undefined;
    } while (after);

    expect(pages.map((p) => [p.rows.length, p.hasMore])).toEqual([
      [100, true],
      [100, true],
      [50, false],
    ]);
    expect(pages.flatMap((p) => p.rows.map((r) => r.id))).toEqual(expected);
  });

  it("pages within a filter, and says when a page is the last", async () => {
    await seed(
      Array.from({ length: 7 }, (_, i) => ({
        n: i + 1,
        createdAt: at(i),
        repository: i % 2 === 0 ? "acme/web" : "acme/api",
      })),
    );

    const first = await store.listRuns(
      { repository: "acme/web" },
      { limit: 2 },
    );
    const last = first.rows.at(-1);
    const second = await store.listRuns(
      { repository: "acme/web" },
      { limit: 2, ...(last ? { after: last } : {}) },
    );
    const exact = await store.listRuns(
      { repository: "acme/web" },
      { limit: 4 },
    );

    expect(first.rows.map((r) => r.id)).toEqual([runId(7), runId(5)]);
    expect(first.hasMore).toBe(true);
    expect(second.rows.map((r) => r.id)).toEqual([runId(3), runId(1)]);
    expect(second.hasMore).toBe(false);
    expect(exact.hasMore).toBe(false);
  });

  it("names every repository with runs, once, sorted", async () => {
    expect(await store.distinctRepositories()).toEqual([]);
    await seed([
      { n: 1, repository: "acme/web" },
      { n: 2, repository: "acme/api" },
      { n: 3, repository: "acme/web" },
      { n: 4, repository: "Other/site" },
    ]);

    expect(await store.distinctRepositories()).toEqual([
      "Other/site",
      "acme/api",
      "acme/web",
    ]);
  });

  it.each([
    ["all runs", sql``, "runs_created_idx"],
    [
      "one repository's",
      sql`where owner = 'acme' and repo = 'web'`,
      "runs_repository_created_idx",
    ],
  ])(
    "reads %s newest first straight from an index, unsorted",
    async (_, where, index) => {
      // With scans of the whole table ruled out, the plan shows whether an
      // index gives the list's order (a `desc` index must sort nulls first).
      const plan = await store.db.transaction(async (tx) => {
        await tx.execute(sql`set local enable_seqscan = off`);
        const result = (await tx.execute(
          sql`explain select id from runs ${where} order by created_at desc, id desc limit 26`,
        )) as { rows: Record<string, string>[] };
        return result.rows.map((row) => Object.values(row)[0]).join("\n");
      });

      expect(plan).toContain(index);
      expect(plan).not.toMatch(/Sort/);
    },
  );
});
