import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { nockArtifact, nockDispatch } from "../mocks/actions.js";
import { nockCreateCheckRuns, nockUpdateCheckRuns } from "../mocks/checks.js";
import { nockCommit } from "../mocks/git.js";
import { nockCreateComment, nockReaction } from "../mocks/issues.js";
import { nockConfig, nockPermission } from "../mocks/repository.js";
import { buildBundle, textFile } from "../support/bundle.js";
import { BASE, BRANCH, RUN, startRun } from "../support/flow.js";
import { commentPayload, workflowRunPayload } from "../support/payloads.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { openTestStore } from "../support/test-store.js";

const SPEC = "specs/001-dark-mode/spec.md";
const KEPT = "7".repeat(40);
const STOPPED = { limit: "turns", max: 30, used: 30 } as const;

// An agent the action stopped at one of its limits leaves its work so far
// in the bundle: the App commits it (the stage still fails), so that the
// next attempt goes on from it instead of spending the same again.
describe("the work of an attempt stopped at its limit", () => {
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
    app = await createApp();
  });

  const createApp = () =>
    createTestApp(test.store, { runIds: [RUN], tokens: ["abc123"] });

  /** specify's bundle: failed, as `options` says, with `files`. */
  async function collect(options: {
    stoppedBy?: typeof STOPPED;
    files?: ReturnType<typeof textFile>[];
  }) {
    nockArtifact(
      101,
      `specwright-${RUN}-specify-1`,
      buildBundle({
        runId: RUN,
        stage: "specify",
        baseSha: BASE,
        status: "failed",
        error: options.stoppedBy
          ? "the agent was stopped at its turn limit (30 turns)"
          : "the agent gave up",
        ...(options.stoppedBy ? { stoppedBy: options.stoppedBy } : {}),
        files: options.files ?? [],
      }),
    );
    const notice = nockCreateComment(42, 1, 9500);
    await app.receive(
      "workflow_run",
      workflowRunPayload("completed", {
        id: 101,
        runId: RUN,
        stage: "specify",
        branch: BRANCH,
      }),
    );
    const run = await test.store.loadRun(RUN);
    return {
      run,
      specify: run?.stages.find((s) => s.id === "specify"),
      notice,
    };
  }

  it("commits it, saying it is unfinished, and the stage fails saying where the work is", async () => {
    const { checkUpdates } = await startRun(app);
    const commit = nockCommit({
      branch: BRANCH,
      parent: BASE,
      parentKnown: true,
      parentTree: "t".repeat(40),
      newTree: "u".repeat(40),
      commit: KEPT,
    });
    const { run, specify } = await collect({
      stoppedBy: STOPPED,
      files: [textFile(SPEC, "# Spec (half)\n")],
    });
    expect(commit.commit).toHaveLength(1);
    expect(commit.commit[0]?.message).toMatch(
      /^specwright\(specify\): Specify for "Add a dark mode toggle" \(unfinished: stopped at its turn limit \(30 turns\)\)\n\nSpecwright-Run: .+\nSpecwright-Stage: specify\nSpecwright-Attempt: 1$/,
    );
    expect(commit.tree[0]?.tree).toEqual([
      expect.objectContaining({ path: SPEC, content: "# Spec (half)\n" }),
    ]);
    expect(run?.head_sha).toBe(KEPT);
    expect(specify?.status).toBe("failed");
    const reason =
      "the agent was stopped at its turn limit (30 turns); its work so far is committed (7777777) and the next attempt goes on from it";
    expect(specify?.attempts[0]).toMatchObject({
      status: "failed",
      error_message: reason,
      commit_sha: KEPT,
      changed_paths: [SPEC],
    });
    const completed = checkUpdates.bodies.find(
      (update) => update.body.conclusion === "failure",
    );
    expect(JSON.stringify(completed?.body.output)).toContain(
      "its work so far is committed (7777777)",
    );
  });

  it("/retry goes on from the kept commit", async () => {
    await startRun(app);
    nockCommit({
      branch: BRANCH,
      parent: BASE,
      parentKnown: true,
      parentTree: "t".repeat(40),
      newTree: "u".repeat(40),
      commit: KEPT,
    });
    await collect({
      stoppedBy: STOPPED,
      files: [textFile(SPEC, "# Spec (half)\n")],
    });
    nockPermission("alice", "write");
    nockConfig(null);
    const retry = commentPayload("/retry");
    nockReaction(retry.comment.id, "eyes");
    nockReaction(retry.comment.id, "rocket");
    nockCreateCheckRuns(1, 720);
    nockUpdateCheckRuns();
    const dispatch = nockDispatch(102);
    await app.receive("issue_comment", retry);
    const request = JSON.parse(dispatch.bodies[0]?.inputs.request ?? "{}");
    expect(request).toMatchObject({
      stage: "specify",
      attempt: 2,
      base_sha: KEPT,
    });
  });

  it("commits nothing when the agent failed on its own", async () => {
    // The strict HTTP mocks fail the test on any git call.
    await startRun(app);
    const failed = await collect({ files: [textFile(SPEC, "# Spec\n")] });
    expect(failed.run?.head_sha).toBe(BASE);
    expect(failed.specify?.attempts[0]?.commit_sha).toBeNull();
  });

  it("commits nothing when the agent was stopped having changed nothing", async () => {
    await startRun(app);
    const idle = await collect({ stoppedBy: STOPPED, files: [] });
    expect(idle.run?.head_sha).toBe(BASE);
    expect(idle.specify?.attempts[0]?.error_message).toBe(
      "the agent was stopped at its turn limit (30 turns)",
    );
  });
});
