import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from "vitest";
import type { RunState } from "../../src/engine/run-state.js";
import {
  at,
  BASE_SHA,
  committed,
  finishStage,
  LINEAR3,
  RUN_ID,
  settingsFor,
  sha,
  startedRun,
} from "../engine/fixtures.js";
import { nockDispatch } from "../mocks/actions.js";
import { nockCreateCheckRuns, nockUpdateCheckRuns } from "../mocks/checks.js";
import { nockCreateComment } from "../mocks/issues.js";
import { nockPermission } from "../mocks/repository.js";
import { checkRunPayload } from "../support/payloads.js";
import { implementWaiting, seedRun } from "../support/seed-run.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { openTestStore } from "../support/test-store.js";

const GATE = `specwright:${RUN_ID}:implement:gate`;
const OTHER_RUN = "0b5e7a52-9c3e-4f7a-8d1e-00000000000b";

/** Another run of acme/web whose `a` spent $6 and 1,500 tokens at `at(8)`. */
function otherRunThatSpent(): RunState {
  const { state } = startedRun(LINEAR3);
  const done = finishStage(
    state,
    "a",
    committed(sha(0xc1), BASE_SHA, {
      usage: { input_tokens: 1000, output_tokens: 500, cost_usd: 6 },
    }),
    at(8),
  ).state;
  return { ...done, id: OTHER_RUN };
}

describe("the repository's spend, told to runs with a repository budget", () => {
  let test: Awaited<ReturnType<typeof openTestStore>>;
  let app: TestApp;

  // Opening PGlite takes long on two busy cores (not a timing assertion).
  beforeAll(async () => {
    test = await openTestStore("pglite");
  }, 120_000);
  afterAll(async () => {
    await test.close();
  });
  beforeEach(async () => {
    await test.reset();
    // The same UTC day as the other run's spend.
    app = await createTestApp(test.store, { now: () => new Date(at(20)) });
    await seedRun(test.store, otherRunThatSpent());
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  async function implement() {
    const run = await test.store.loadRun(RUN_ID);
    return run?.stages.find((s) => s.id === "implement");
  }

  it("holds a stage at the budget gate when another run spent the day's budget", async () => {
    await seedRun(test.store, {
      ...implementWaiting(),
      settings: settingsFor({
        budgets: { repository: { daily: { cost_usd: 5 } } },
      }),
    });
    const reads = vi.spyOn(test.store, "repositorySpend");
    nockPermission("alice", "write");
    const created = nockCreateCheckRuns(1, 720);
    const updates = nockUpdateCheckRuns();
    const notice = nockCreateComment(42, 1, 9702);
    const approval = (await implement())?.gate_check_run_id;
    expect(approval).toEqual(expect.any(Number));

    await app.receive(
      "check_run",
      checkRunPayload({ externalId: GATE, identifier: "approve" }),
    );

    // The approval's check run is closed with its decision, no buttons left.
    expect(updates.bodies.filter((u) => u.id === approval)).toEqual([
      {
        id: approval,
        body: expect.objectContaining({
          status: "completed",
          conclusion: "success",
          actions: [],
          output: expect.objectContaining({
            title: "Implement: approved by @alice",
          }),
        }),
      },
    ]);

    expect(await implement()).toMatchObject({
      status: "waiting_approval",
      attempts: [],
      budget_gate: {
        over: [{ scope: "day", measure: "cost_usd", spent: 6, limit: 5 }],
        decision: null,
      },
    });
    expect(
      reads.mock.calls.map(([owner, repo, since]) => [
        owner,
        repo,
        since.toISOString(),
      ]),
    ).toEqual([
      ["acme", "web", "2025-01-02T00:00:00.000Z"],
      ["acme", "web", "2025-01-01T00:00:00.000Z"],
    ]);
    expect(created.bodies).toEqual([
      expect.objectContaining({
        name: "Specwright: Implement (budget)",
        conclusion: "action_required",
        output: expect.objectContaining({
          summary: expect.stringContaining(
            "| Cost of the repository's runs today (UTC) | $6.00 | $5.00 |",
          ),
        }),
      }),
    ]);
    expect(notice.bodies).toHaveLength(1);
  });

  it("reads no spend for a run without a repository budget", async () => {
    await seedRun(test.store, implementWaiting());
    const reads = vi.spyOn(test.store, "repositorySpend");
    nockPermission("alice", "write");
    nockCreateCheckRuns(1, 720);
    nockUpdateCheckRuns();
    const dispatch = nockDispatch(105);

    await app.receive(
      "check_run",
      checkRunPayload({ externalId: GATE, identifier: "approve" }),
    );

    expect(await implement()).toMatchObject({ status: "dispatched" });
    expect(dispatch.bodies).toHaveLength(1);
    expect(reads).not.toHaveBeenCalled();
  });

  it("lets the stage run when the day's spend leaves room", async () => {
    await seedRun(test.store, {
      ...implementWaiting(),
      settings: settingsFor({
        budgets: { repository: { daily: { cost_usd: 10 } } },
      }),
    });
    const reads = vi.spyOn(test.store, "repositorySpend");
    nockPermission("alice", "write");
    nockCreateCheckRuns(1, 720);
    nockUpdateCheckRuns();
    const dispatch = nockDispatch(105);

    await app.receive(
      "check_run",
      checkRunPayload({ externalId: GATE, identifier: "approve" }),
    );

    expect(await implement()).toMatchObject({ status: "dispatched" });
    expect(dispatch.bodies).toHaveLength(1);
    expect(reads).toHaveBeenCalledTimes(2);
    expect((await test.store.loadRun(RUN_ID))?.repository_spend).toEqual({
      at: at(9),
      day: { tokens: 1500, cost_usd: 6 },
      month: { tokens: 1500, cost_usd: 6 },
    });
  });
});
