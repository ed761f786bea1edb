import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { at, failed, on, RUN_ID, step } from "../engine/fixtures.js";
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
});
