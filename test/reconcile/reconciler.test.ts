import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { correlationKey } from "../../src/contracts/stage-request.js";
import { Reconciler } from "../../src/reconcile/reconciler.js";
import { succeeded } from "../engine/fixtures.js";
import {
  nockArtifact,
  nockCancelWorkflowRun,
  nockDispatch,
  nockGetWorkflowRun,
  nockListWorkflowRuns,
} from "../mocks/actions.js";
import { nockCreateCheckRuns } from "../mocks/checks.js";
import { nockCreateComment } from "../mocks/issues.js";
import { BRANCH, RUN, startRun } from "../support/flow.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { BACKENDS, openTestStore } from "../support/test-store.js";

const T0 = Date.parse("2026-11-21T10:00:00.000Z");
const MINUTE = 60_000;

describe.each(BACKENDS)("the reconciler (%s)", (backend) => {
  let test: Awaited<ReturnType<typeof openTestStore>>;
  let app: TestApp;
  let clock = T0;

  beforeAll(async () => {
    test = await openTestStore(backend);
  });
  afterAll(async () => {
    await test.close();
  });
  beforeEach(async () => {
    await test.reset();
    clock = T0;
    app = await createTestApp(test.store, {
      now: () => new Date(clock),
      runIds: [RUN],
      tokens: ["abc123"],
    });
  });

  async function sweep() {
    const reconciler = app.deps.reconciler;
    if (reconciler === undefined) throw new Error("no reconciler");
    const report = await reconciler.sweep();
    await app.deps.runner.idle();
    return report;
  }

  async function specify() {
    const run = await test.store.loadRun(RUN);
    const stage = run?.stages.find((s) => s.id === "specify");
    if (stage === undefined) throw new Error("no specify stage");
    return { run, stage, attempt: stage.attempts.at(-1) };
  }

  it("does nothing while nothing is due or stale", async () => {
    await startRun(app);
    clock = T0 + 2 * MINUTE;
    expect(await sweep()).toEqual({
      skipped: false,
      ticked: 0,
      updated: 0,
      lost: 0,
      failed: 0,
      redelivered: 0,
    });
  });

  it("finds a run that finished without a webhook, and retries the stage after the wait", async () => {
    await startRun(app);
    clock = T0 + 6 * MINUTE;
    nockGetWorkflowRun(101, "completed", "failure");
    nockArtifact(101, `specwright-${RUN}-specify-1`, null);
    expect(await sweep()).toMatchObject({ updated: 1 });
    // No bundle: the runner was lost, not the agent's doing.
    const lost = await specify();
    expect(lost.stage).toMatchObject({
      status: "retrying",
      retry_at: new Date(clock + 30_000).toISOString(),
    });
    expect(lost.attempt).toMatchObject({
      status: "failed",
      conclusion: "failure",
    });

    clock += 31_000;
    nockCreateCheckRuns(1, 701);
    const again = nockDispatch(102);
    expect(await sweep()).toMatchObject({ ticked: 1 });
    const retried = await specify();
    expect(retried.attempt).toMatchObject({
      attempt: 2,
      status: "dispatched",
      workflow_run_id: 102,
      trigger: expect.stringMatching(
        /^automatic retry 1 of 1, after: the workflow run ended with conclusion 'failure' and no result bundle/,
      ),
    });
    expect(JSON.parse(again.bodies[0]?.inputs.request ?? "{}")).toMatchObject({
      attempt: 2,
    });
  });

  it("marks a stage running whose start no webhook brought", async () => {
    await startRun(app);
    clock = T0 + 6 * MINUTE;
    nockGetWorkflowRun(101, "in_progress");
    expect(await sweep()).toMatchObject({ updated: 1 });
    expect((await specify()).stage.status).toBe("running");
    // Asked again only after the poll interval.
    clock += MINUTE;
    expect(await sweep()).toMatchObject({ updated: 0 });
  });

  it("sends a dispatch that never started a workflow run again", async () => {
    await startRun(app, { workflowRunId: null });
    clock = T0 + 11 * MINUTE;
    nockListWorkflowRuns(BRANCH, [
      { id: 999, display_title: correlationKey(RUN, "specify", 7) },
    ]);
    const again = nockDispatch(103);
    expect(await sweep()).toMatchObject({ lost: 1 });
    expect(again.bodies).toHaveLength(1);
    expect((await specify()).attempt).toMatchObject({
      attempt: 1,
      redispatches: 1,
      workflow_run_id: 103,
    });
  });

  it("finds the run of a dispatch that returned no id by its run-name", async () => {
    await startRun(app, { workflowRunId: null });
    clock = T0 + 11 * MINUTE;
    nockListWorkflowRuns(BRANCH, [
      {
        id: 555,
        display_title: correlationKey(RUN, "specify", 1),
        status: "in_progress",
      },
    ]);
    expect(await sweep()).toMatchObject({ updated: 1, lost: 0 });
    expect((await specify()).attempt).toMatchObject({
      workflow_run_id: 555,
      status: "running",
    });
  });

  it("stops a stage past its time limit and cancels its workflow run", async () => {
    await startRun(app);
    clock = T0 + 46 * MINUTE;
    const cancel = nockCancelWorkflowRun(101);
    const notice = nockCreateComment(42, 1, 9500);
    expect(await sweep()).toMatchObject({ ticked: 1 });
    expect(cancel.isDone()).toBe(true);
    const { run, attempt } = await specify();
    expect(attempt).toMatchObject({
      status: "timed_out",
      cancel_requested: true,
    });
    expect(run?.status).toBe("failed");
    expect(notice.bodies[0]?.body).toContain("failed");
  });

  it("applies a gate's on_timeout", async () => {
    await startRun(app, {
      config: [
        "workflow:",
        "  stages:",
        "    - id: specify",
        "    - id: signoff",
        "      type: gate",
        "      depends_on: [specify]",
        "      gate: { timeout: 1h, on_timeout: approve }",
      ].join("\n"),
    });
    // Stand-in for specify finishing: the gate waits from 10:05.
    clock = T0 + 5 * MINUTE;
    await test.store.apply(RUN, {
      type: "result_collected",
      stage: "specify",
      attempt: 1,
      result: succeeded(),
      at: new Date(clock).toISOString(),
    });
    nockCreateCheckRuns(1, 800);
    nockCreateComment(42, 1, 9600);
    await app.deps.runner.idle();
    app.deps.runner.kick();
    await app.deps.runner.idle();

    clock = T0 + 66 * MINUTE;
    const finished = nockCreateComment(42, 1, 9700);
    expect(await sweep()).toMatchObject({ ticked: 1 });
    const run = await test.store.loadRun(RUN);
    expect(run?.stages.find((s) => s.id === "signoff")).toMatchObject({
      status: "succeeded",
      approved_by: "nobody (on_timeout: approve)",
    });
    expect(run?.status).toBe("no_changes");
    expect(finished.bodies).toHaveLength(1);
  });

  it("lets one replica at a time sweep", async () => {
    await startRun(app);
    const other = new Reconciler({
      store: test.store,
      octokitFor: () => Promise.reject(new Error("not used")),
      log: { info() {}, warn() {}, error() {} },
      kick() {},
      now: () => new Date(clock),
      holder: "other-replica",
    });
    expect(await sweep()).toMatchObject({ skipped: false });
    expect(await other.sweep()).toMatchObject({ skipped: true });
    // Once the lease has run out, another replica takes over.
    clock = T0 + 4 * 3_600_000;
    const cancel = nockCancelWorkflowRun(101);
    nockCreateComment(42, 1, 9500);
    const report = await other.sweep();
    expect(report.skipped).toBe(false);
    await app.deps.runner.idle();
    app.deps.runner.kick();
    await app.deps.runner.idle();
    expect(cancel.isDone()).toBe(true);
  });
});
