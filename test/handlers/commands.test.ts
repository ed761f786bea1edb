import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunState } from "../../src/engine/run-state.js";
import { at, failed, on, RUN_ID, step } from "../engine/fixtures.js";
import { nockCancelWorkflowRun, nockDispatch } from "../mocks/actions.js";
import { nockCreateCheckRuns, nockUpdateCheckRuns } from "../mocks/checks.js";
import { nockCreateComment, nockReaction } from "../mocks/issues.js";
import { nockConfig, nockPermission } from "../mocks/repository.js";
import { github } from "../support/github.js";
import { commentPayload } from "../support/payloads.js";
import { implementWaiting, seedRun } from "../support/seed-run.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { openTestStore } from "../support/test-store.js";

/**
 * Each command through the App, on a run already under way (seeded in the
 * store): what it asks of GitHub, what it says, and what the run becomes.
 */
describe("the commands", () => {
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

  /** `body` commented on pull request 12 by bob, with `permission`. */
  async function comment(
    body: string,
    options: {
      permission?: Parameters<typeof nockPermission>[1];
      config?: string | null;
      rocket?: boolean;
      createdAt?: string;
    } = {},
  ) {
    nockPermission("bob", options.permission ?? "write");
    nockConfig(options.config ?? null);
    const payload = commentPayload(body, {
      login: "bob",
      issue: 12,
      pullRequest: true,
      ...(options.createdAt ? { createdAt: options.createdAt } : {}),
    });
    nockReaction(payload.comment.id, "eyes");
    if (options.rocket) nockReaction(payload.comment.id, "rocket");
    await app.receive("issue_comment", payload);
  }

  async function run(): Promise<RunState | undefined> {
    return test.store.loadRun(RUN_ID);
  }

  const stage = async (id: string) =>
    (await run())?.stages.find((s) => s.id === id);

  it("/approve on the pull request runs the waiting stage, with 🚀", async () => {
    await seedRun(test.store, implementWaiting());
    nockCreateCheckRuns(1, 710);
    nockUpdateCheckRuns();
    const dispatch = nockDispatch(105);
    await comment("/approve implement", { rocket: true });
    expect(await stage("implement")).toMatchObject({
      status: "dispatched",
      approved_by: "bob",
    });
    expect(dispatch.bodies).toHaveLength(1);
  });

  it("says again what it said when a refusal's reply failed, rather than deciding again against a run that moved on", async () => {
    await seedRun(test.store, implementWaiting());
    const unhold = commentPayload("/unhold", {
      login: "bob",
      issue: 12,
      pullRequest: true,
    });
    nockPermission("bob", "write");
    nockConfig(null);
    nockReaction(unhold.comment.id, "eyes");
    github()
      .post("/repos/acme/web/issues/12/comments")
      .reply(502, { message: "Bad Gateway" });
    await expect(
      app.receive("issue_comment", unhold, "delivery-8"),
    ).rejects.toThrow();

    // Meanwhile the run is held.
    nockUpdateCheckRuns();
    await comment("/hold");
    expect((await run())?.hold).toMatchObject({ by: "bob" });

    // The /unhold arrives again: it was refused, and stays refused.
    nockPermission("bob", "write");
    nockConfig(null);
    const reply = nockCreateComment(12);
    await app.receive("issue_comment", unhold, "delivery-8");
    expect(reply.bodies.map((b) => b.body)).toEqual([
      `Run \`${RUN_ID}\` is not on hold.`,
    ]);
    expect((await run())?.hold).toMatchObject({ by: "bob" });
  });

  it("replies once when GitHub sends one delivery twice at the same time", async () => {
    const payload = commentPayload("/lgtm", {
      login: "bob",
      issue: 12,
      pullRequest: true,
    });
    for (let i = 0; i < 2; i++) nockPermission("bob", "write");
    // Read once when the second delivery shares the read under way; else
    // the repository's file again (the owner's is remembered).
    nockConfig(null);
    github()
      .get("/repos/acme/web/contents/.github%2Fspecwright.yml")
      .optionally()
      .reply(404, { message: "Not Found" });
    const reply = nockCreateComment(12);
    await Promise.all([
      app.receive("issue_comment", payload, "delivery-9"),
      app.receive("issue_comment", payload, "delivery-9"),
    ]);
    expect(reply.bodies).toHaveLength(1);
    expect(reply.bodies[0]?.body).toContain("/lgtm");
  });

  it("/approve written before the gate began waiting (delivered late) does not approve it", async () => {
    await seedRun(test.store, implementWaiting());
    const reply = nockCreateComment(12);
    await comment("/approve", { createdAt: "2024-12-31T23:00:00Z" });
    expect(reply.bodies[0]?.body).toBe(
      "`/approve` was written before `implement` began waiting for approval, so it is not taken for this wait; comment it again to approve it.",
    );
    expect(await stage("implement")).toMatchObject({
      status: "waiting_approval",
      approved_by: null,
    });
  });

  it("/reject ends the run with the reason, and says so", async () => {
    await seedRun(test.store, implementWaiting());
    nockUpdateCheckRuns();
    const notice = nockCreateComment(42, 1, 9500);
    await comment("/reject implement the plan touches billing");
    expect(await stage("implement")).toMatchObject({
      status: "failed",
      reason: "rejected by @bob: the plan touches billing",
    });
    expect((await run())?.status).toBe("failed");
    expect(notice.bodies[0]?.body).toContain("rejected by @\u200Bbob");
  });

  it("/cancel cancels the workflow runs under way and ends the run", async () => {
    const running = step(
      step(implementWaiting(), on.approve("implement", "lead", at(11))).state,
      on.stageDispatched("implement", 1, 105, at(12)),
    ).state;
    await seedRun(test.store, running);
    const cancel = nockCancelWorkflowRun(105);
    nockUpdateCheckRuns();
    const notice = nockCreateComment(42, 1, 9500);
    await comment("/cancel");
    expect(cancel.isDone()).toBe(true);
    expect(await run()).toMatchObject({
      status: "cancelled",
      result_summary: "Cancelled by @bob",
    });
    expect(notice.bodies[0]?.body).toContain("was cancelled");
  });

  it("/hold stops new stages; /unhold goes on", async () => {
    await seedRun(test.store, implementWaiting());
    await comment("/hold");
    expect((await run())?.hold).toMatchObject({ by: "bob" });
    // Approved while held: it waits.
    nockUpdateCheckRuns();
    await comment("/approve");
    expect((await stage("implement"))?.status).toBe("pending");
    nockCreateCheckRuns(1, 710);
    nockDispatch(105);
    await comment("/unhold", { rocket: true });
    expect((await run())?.hold).toBeNull();
    expect((await stage("implement"))?.status).toBe("dispatched");
  });

  it("/retry runs the failed stage again, reopening the run", async () => {
    const broken = step(
      step(implementWaiting(), on.approve("implement", "lead", at(11))).state,
      on.resultCollected("implement", 1, failed("tests failed"), at(20)),
    ).state;
    await seedRun(test.store, broken);
    nockCreateCheckRuns(1, 720);
    nockUpdateCheckRuns();
    nockDispatch(106);
    await comment("/retry", { rocket: true });
    expect((await run())?.status).toBe("in_progress");
    expect((await stage("implement"))?.attempts.at(-1)).toMatchObject({
      attempt: 2,
      trigger: "`/retry` by @bob",
    });
  });

  it("/plan runs plan again and what follows it", async () => {
    await seedRun(test.store, implementWaiting());
    nockCreateCheckRuns(1, 730);
    nockUpdateCheckRuns();
    const dispatch = nockDispatch(107);
    await comment("/plan", { rocket: true });
    const plan = JSON.parse(dispatch.bodies[0]?.inputs.request ?? "{}");
    expect(plan).toMatchObject({ stage: "plan", attempt: 2 });
    expect((await run())?.stages.map((s) => s.status)).toEqual([
      "succeeded",
      "dispatched",
      "pending",
      "pending",
      "pending",
    ]);
  });

  it("/status answers with the run's stages, for anyone who can read", async () => {
    await seedRun(test.store, implementWaiting());
    const reply = nockCreateComment(12);
    await comment("/status", { permission: "read" });
    expect(reply.bodies[0]?.body).toContain(
      "| Implement | waiting approval | 0 |",
    );
  });

  it("/help lists what the commenter may use", async () => {
    const reply = nockCreateComment(12);
    await comment("/help", { config: "permissions:\n  cancel: admin\n" });
    expect(reply.bodies[0]?.body).toContain("- `/retry [stage]`");
    expect(reply.bodies[0]?.body).not.toContain("/cancel");
  });

  it("explains a command that cannot act, and changes nothing", async () => {
    await seedRun(test.store, implementWaiting());
    const reply = nockCreateComment(12);
    await comment("/unhold");
    expect(reply.bodies[0]?.body).toBe(`Run \`${RUN_ID}\` is not on hold.`);
    expect((await run())?.version).toBe(0);
  });

  it("finishes a comment whose reply failed when GitHub delivers it again, acting on nothing twice", async () => {
    await seedRun(test.store, implementWaiting());
    const payload = commentPayload("/hold\n/status", {
      login: "bob",
      issue: 12,
      pullRequest: true,
    });
    // First attempt: /hold acts, /status's answer is worked out, and the
    // reply fails.
    nockPermission("bob", "write");
    nockConfig(null);
    nockReaction(payload.comment.id, "eyes");
    nockReaction(payload.comment.id, "eyes");
    // (Holding shows on the gate's check run.)
    const updates = nockUpdateCheckRuns();
    github()
      .post("/repos/acme/web/issues/12/comments")
      .reply(502, { message: "Bad Gateway" });
    await expect(
      app.receive("issue_comment", payload, "delivery-7"),
    ).rejects.toThrow();
    await app.deps.runner.idle();
    const acted = await run();
    expect(acted?.hold).toMatchObject({ by: "bob" });
    expect(acted?.version).toBe(1);

    // Redelivered: /hold is not done again (it would say the run is on hold
    // already), and what /status said is said, once.
    nockPermission("bob", "write");
    nockConfig(null);
    const reply = nockCreateComment(12);
    await app.receive("issue_comment", payload, "delivery-7");
    expect(reply.bodies).toHaveLength(1);
    expect(reply.bodies[0]?.body).toContain("| Implement |");
    expect(reply.bodies[0]?.body).not.toContain("already");
    expect((await run())?.version).toBe(1);
    const shown = updates.bodies.length;

    // And once finished, a further redelivery asks GitHub nothing.
    await app.receive("issue_comment", payload, "delivery-7");
    expect(updates.bodies).toHaveLength(shown);
  });

  it("refuses a command the config raises above the commenter's permission", async () => {
    await seedRun(test.store, implementWaiting());
    nockPermission("bob", "write");
    nockConfig("permissions:\n  cancel: admin\n");
    const reply = nockCreateComment(12);
    await app.receive(
      "issue_comment",
      commentPayload("/cancel", { login: "bob", issue: 12, pullRequest: true }),
    );
    expect(reply.bodies[0]?.body).toBe(
      "@bob `/cancel` needs admin permission on this repository; you have write. Specwright does not answer your commands here again.",
    );
    expect((await run())?.status).toBe("in_progress");
  });
});
