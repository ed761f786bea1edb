import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  at,
  BASE_SHA,
  committed,
  failed,
  finishStage,
  LINEAR3,
  on,
  RUN_ID,
  settingsFor,
  sha,
  startedRun,
  step,
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

describe("check run buttons", () => {
  let test: Awaited<ReturnType<typeof openTestStore>>;
  let app: TestApp;

  beforeAll(async () => {
    test = await openTestStore("pglite");
  });
  afterAll(async () => {
    await test.close();
  });
  beforeEach(async () => {
    await test.reset();
    app = await createTestApp(test.store);
  });

  async function implement() {
    const run = await test.store.loadRun(RUN_ID);
    return { run, stage: run?.stages.find((s) => s.id === "implement") };
  }

  it("Approve runs the waiting stage, as /approve would", async () => {
    await seedRun(test.store, implementWaiting());
    nockPermission("alice", "write");
    nockCreateCheckRuns(1, 710);
    const updates = nockUpdateCheckRuns();
    const dispatch = nockDispatch(105);
    await app.receive(
      "check_run",
      checkRunPayload({ externalId: GATE, identifier: "approve" }),
    );
    expect((await implement()).stage).toMatchObject({
      status: "dispatched",
      approved_by: "alice",
    });
    expect(dispatch.bodies).toHaveLength(1);
    expect(updates.bodies[0]).toMatchObject({
      id: 5000,
      body: { conclusion: "success" },
    });
  });

  it("Reject ends the run, saying who rejected it", async () => {
    await seedRun(test.store, implementWaiting());
    nockPermission("alice", "maintain");
    const updates = nockUpdateCheckRuns();
    // The tracking comment never moved: notices go to the issue.
    const notice = nockCreateComment(42, 1, 9700);
    await app.receive(
      "check_run",
      checkRunPayload({ externalId: GATE, identifier: "reject" }),
    );
    const { run, stage } = await implement();
    expect(stage).toMatchObject({ status: "failed", rejected_by: "alice" });
    expect(run).toMatchObject({
      status: "failed",
      result_summary: "Stage Implement failed: rejected by @alice",
    });
    expect(updates.bodies[0]).toMatchObject({
      id: 5000,
      body: { conclusion: "failure" },
    });
    expect(notice.bodies).toHaveLength(1);
  });

  it.each([
    ["Retry", "retry"],
    ["Re-run", undefined],
  ])("%s runs a failed stage again", async (_, identifier) => {
    const approved = step(
      implementWaiting(),
      on.approve("implement", "bob", at(11)),
    ).state;
    const broken = step(
      approved,
      on.resultCollected("implement", 1, failed("tests failed"), at(20)),
    ).state;
    await seedRun(test.store, broken);
    nockPermission("alice", "write");
    nockCreateCheckRuns(1, 720);
    nockUpdateCheckRuns();
    const dispatch = nockDispatch(106);
    await app.receive(
      "check_run",
      checkRunPayload({
        externalId: `specwright:${RUN_ID}:implement:1`,
        ...(identifier ? { identifier } : {}),
      }),
    );
    const { run, stage } = await implement();
    expect(run?.status).toBe("in_progress");
    expect(stage?.attempts.at(-1)).toMatchObject({
      attempt: 2,
      trigger: `the ${identifier ? "Retry" : "Re-run"} button by @alice`,
    });
    expect(dispatch.bodies).toHaveLength(1);
  });

  it("refuses someone without the permission where the run is followed", async () => {
    await seedRun(test.store, implementWaiting());
    nockPermission("mallory", "read");
    const reply = nockCreateComment(42);
    await app.receive(
      "check_run",
      checkRunPayload({
        externalId: GATE,
        identifier: "approve",
        login: "mallory",
      }),
    );
    expect(reply.bodies[0]?.body).toBe(
      "@mallory the Approve button of `implement` needs write permission on this repository; you have read.",
    );
    expect((await implement()).stage?.status).toBe("waiting_approval");
  });

  it("says who may approve when the gate names its approvers", async () => {
    const run = implementWaiting();
    const gated = {
      ...run,
      workflow: {
        ...run.workflow,
        stages: run.workflow.stages.map((s) =>
          s.id === "implement"
            ? { ...s, gate: { ...s.gate, approvers: ["lead"] } }
            : s,
        ),
      },
    } as typeof run;
    await seedRun(test.store, gated);
    nockPermission("alice", "admin");
    const reply = nockCreateComment(42);
    await app.receive(
      "check_run",
      checkRunPayload({ externalId: GATE, identifier: "approve" }),
    );
    expect(reply.bodies[0]?.body).toBe(
      "@alice only @lead may approve `implement`.",
    );
  });

  it("refuses Approve pressed on an earlier wait's check run", async () => {
    await seedRun(test.store, implementWaiting());
    nockPermission("alice", "write");
    const reply = nockCreateComment(42);
    await app.receive(
      "check_run",
      checkRunPayload({ externalId: GATE, identifier: "approve", id: 4990 }),
    );
    expect(reply.bodies[0]?.body).toBe(
      "The Approve button of `implement` was pressed on the check run of an earlier wait; use the current one.",
    );
    expect((await implement()).stage?.status).toBe("waiting_approval");
  });

  it.each([
    ["a check run that is not Specwright's", "ci:lint", "approve"],
    [
      "a run that does not exist",
      "specwright:00000000-0000-4000-8000-000000000009:implement:gate",
      "approve",
    ],
    ["an unknown button", GATE, "explode"],
  ])("ignores %s, asking GitHub nothing", async (_, externalId, identifier) => {
    await seedRun(test.store, implementWaiting());
    await app.receive("check_run", checkRunPayload({ externalId, identifier }));
    expect((await implement()).stage?.status).toBe("waiting_approval");
  });

  describe("at a budget gate", () => {
    const BUDGET = `specwright:${RUN_ID}:b:gate`;

    /** LINEAR3 under a $1 run budget: `a` spent $1.20, `b` is held. */
    function held() {
      const { state } = startedRun(LINEAR3, {
        settings: settingsFor({ budgets: { run: { cost_usd: 1 } } }),
      });
      const done = finishStage(
        state,
        "a",
        committed(sha(0xc1), BASE_SHA, { usage: { cost_usd: 1.2 } }),
        at(5),
      ).state;
      return step(done, on.gateCheckRunCreated("b", 5000, at(5), at(6))).state;
    }

    it("Allow one more runs the held stage over budget", async () => {
      await seedRun(test.store, held());
      nockPermission("alice", "write");
      nockCreateCheckRuns(1, 730);
      const updates = nockUpdateCheckRuns();
      const dispatch = nockDispatch(107);
      await app.receive(
        "check_run",
        checkRunPayload({ externalId: BUDGET, identifier: "approve" }),
      );
      const run = await test.store.loadRun(RUN_ID);
      expect(run?.stages[1]).toMatchObject({
        status: "dispatched",
        budget_gate: { decision: "allowed", decided_by: "alice", used: true },
      });
      expect(dispatch.bodies).toHaveLength(1);
      expect(updates.bodies[0]).toMatchObject({
        id: 5000,
        body: {
          conclusion: "success",
          output: { title: "b: allowed over budget by @alice" },
        },
      });
    });

    it("Stop run ends the run at the budget gate", async () => {
      await seedRun(test.store, held());
      nockPermission("alice", "write");
      const updates = nockUpdateCheckRuns();
      const notice = nockCreateComment(42, 1, 9701);
      await app.receive(
        "check_run",
        checkRunPayload({ externalId: BUDGET, identifier: "reject" }),
      );
      const run = await test.store.loadRun(RUN_ID);
      expect(run).toMatchObject({
        status: "cancelled",
        result_summary:
          "Stopped by @alice at the budget gate before b: cost of the run: $1.20 of $1.00",
      });
      expect(updates.bodies[0]).toMatchObject({
        id: 5000,
        body: { conclusion: "cancelled" },
      });
      expect(notice.bodies).toHaveLength(1);
    });
  });
});
