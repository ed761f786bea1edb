import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { StageRequest } from "../../src/contracts/stage-request.js";
import { RUN_ID } from "../engine/fixtures.js";
import { nockDispatch } from "../mocks/actions.js";
import { nockCreateCheckRuns, nockUpdateCheckRuns } from "../mocks/checks.js";
import { nockCreateRef, nockGetBranch } from "../mocks/git.js";
import {
  nockCreateComment,
  nockLabels,
  nockRemoveLabel,
  nockUpdateComment,
} from "../mocks/issues.js";
import { nockConfig, nockPermission } from "../mocks/repository.js";
import { BASE, BRANCH, RUN } from "../support/flow.js";
import {
  issueLabeledPayload,
  pullLabeledPayload,
} from "../support/payloads.js";
import { implementWaiting, seedRun } from "../support/seed-run.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { openTestStore } from "../support/test-store.js";

describe("the specwright labels", () => {
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
    app = await createTestApp(test.store, {
      runIds: [RUN],
      tokens: ["abc123"],
    });
  });

  describe("specwright:specify on an issue", () => {
    it("starts a run from the issue's title and body, and takes the label off", async () => {
      nockPermission("alice", "write");
      nockConfig(null);
      nockCreateComment(42, 1, 9000);
      nockUpdateComment(9000);
      const labels = nockLabels(false);
      nockGetBranch("main", BASE);
      nockCreateRef(BRANCH, BASE);
      nockCreateCheckRuns(1, 700);
      nockUpdateCheckRuns();
      const dispatch = nockDispatch(101);
      const removed = nockRemoveLabel(42, "specwright:specify");

      await app.receive("issues", issueLabeledPayload());

      const run = await test.store.loadRun(RUN);
      expect(run).toMatchObject({
        feature: "Dark mode\n\nUsers want a dark mode.",
        requested_by: "alice",
        issue: { number: 42, title: "Dark mode" },
      });
      const request = StageRequest.parse(
        JSON.parse(dispatch.bodies[0]?.inputs.request ?? "{}"),
      );
      expect(request.feature.text).toBe("Dark mode\n\nUsers want a dark mode.");
      expect(removed.isDone()).toBe(true);
      // The labels are made where they were missing.
      expect(labels.created).toEqual([
        {
          name: "specwright:implement",
          color: "1f883d",
          description: "Specwright: approve and run the implement stage",
        },
        {
          name: "specwright:specify",
          color: "8250df",
          description: "Specwright: start a run from this issue",
        },
      ]);
    });

    it("refuses someone without the permission, says so, and takes the label off", async () => {
      nockPermission("mallory", "read");
      nockConfig(null);
      const reply = nockCreateComment(42);
      nockRemoveLabel(42, "specwright:specify", 404);
      await app.receive("issues", issueLabeledPayload({ login: "mallory" }));
      expect(reply.bodies).toEqual([
        {
          body: "@mallory the `specwright:specify` label needs write permission on this repository; you have read.",
        },
      ]);
      expect(await test.store.findRunsFor("acme", "web", 42)).toEqual([]);
    });

    it("says so though GitHub refuses to take the label off (that is only logged)", async () => {
      nockPermission("mallory", "read");
      nockConfig(null);
      const reply = nockCreateComment(42);
      const removed = nockRemoveLabel(42, "specwright:specify", 403);
      await expect(
        app.receive("issues", issueLabeledPayload({ login: "mallory" })),
      ).resolves.toBeUndefined();
      expect(removed.isDone()).toBe(true);
      expect(reply.bodies).toEqual([
        {
          body: "@mallory the `specwright:specify` label needs write permission on this repository; you have read.",
        },
      ]);
    });

    it.each([
      ["another label", issueLabeledPayload({ label: "bug" })],
      ["a bot's label", issueLabeledPayload({ bot: true })],
    ])("ignores %s, asking GitHub nothing", async (_, payload) => {
      await app.receive("issues", payload);
      expect(await test.store.findRunsFor("acme", "web", 42)).toEqual([]);
    });
  });

  describe("specwright:implement on the run's pull request", () => {
    it("approves implement, runs it and takes the label off", async () => {
      await seedRun(test.store, implementWaiting());
      nockPermission("alice", "write");
      nockConfig(null);
      nockCreateCheckRuns(1, 710);
      const gate = nockUpdateCheckRuns();
      const dispatch = nockDispatch(105);
      const removed = nockRemoveLabel(12, "specwright:implement");

      await app.receive("pull_request", pullLabeledPayload());

      const run = await test.store.loadRun(RUN_ID);
      expect(run?.stages.find((s) => s.id === "implement")).toMatchObject({
        status: "dispatched",
        approved_by: "alice",
      });
      expect(dispatch.bodies).toHaveLength(1);
      expect(gate.bodies[0]).toMatchObject({
        id: 5000,
        body: { conclusion: "success" },
      });
      expect(removed.isDone()).toBe(true);
    });

    it("does not take a label put on before implement began waiting (a late delivery) as its approval", async () => {
      await seedRun(test.store, implementWaiting());
      nockPermission("alice", "write");
      nockConfig(null);
      const reply = nockCreateComment(12);
      const removed = nockRemoveLabel(12, "specwright:implement");
      await app.receive(
        "pull_request",
        pullLabeledPayload({ labeledAt: "2024-12-31T23:00:00Z" }),
      );
      expect(reply.bodies[0]?.body).toBe(
        "The `specwright:implement` label was added before `implement` began waiting for approval, so it is not taken for this wait; add it again to approve it.",
      );
      const run = await test.store.loadRun(RUN_ID);
      expect(run?.stages.find((s) => s.id === "implement")?.status).toBe(
        "waiting_approval",
      );
      expect(removed.isDone()).toBe(true);
    });

    it("explains what it waits for when implement has not been reached", async () => {
      nockPermission("alice", "write");
      nockConfig(null);
      const reply = nockCreateComment(12);
      nockRemoveLabel(12, "specwright:implement");
      await app.receive("pull_request", pullLabeledPayload());
      expect(reply.bodies[0]?.body).toBe(
        "There is no Specwright run here yet: start one with `/specify <feature>`.",
      );
    });
  });
});
