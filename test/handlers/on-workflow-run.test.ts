import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { nockArtifact, nockDispatch } from "../mocks/actions.js";
import { nockCreateCheckRuns } from "../mocks/checks.js";
import { nockCommit } from "../mocks/git.js";
import { capture, nockCreateComment } from "../mocks/issues.js";
import {
  nockCreatePull,
  nockRequestReviewers,
  nockTrackingMoved,
} from "../mocks/pulls.js";
import { buildBundle, textFile } from "../support/bundle.js";
import {
  BASE,
  BRANCH,
  FIRST_CHECK_RUN,
  RUN,
  startRun,
} from "../support/flow.js";
import { github } from "../support/github.js";
import { workflowJobPayload, workflowRunPayload } from "../support/payloads.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { openTestStore } from "../support/test-store.js";

const SPEC = "specs/001-dark-mode/spec.md";
const COMMIT = "1".repeat(40);

describe("workflow_run and workflow_job deliveries", () => {
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

  const completed = (id = 101, conclusion = "success") =>
    workflowRunPayload("completed", {
      id,
      runId: RUN,
      stage: "specify",
      branch: BRANCH,
      conclusion,
    });

  /** The specify stage's good bundle, its commit, the PR and plan's dispatch. */
  function nockSpecifyCollected(
    pull: () => unknown = () => nockCreatePull(12),
  ) {
    nockArtifact(
      101,
      `specwright-${RUN}-specify-1`,
      buildBundle({
        runId: RUN,
        stage: "specify",
        baseSha: BASE,
        outputs: { spec: SPEC },
        specDir: "specs/001-dark-mode",
        files: [textFile(SPEC, "# Spec\n")],
      }),
    );
    const commit = nockCommit({
      branch: BRANCH,
      parent: BASE,
      parentKnown: true,
      parentTree: "t".repeat(40),
      newTree: "u".repeat(40),
      commit: COMMIT,
    });
    pull();
    nockRequestReviewers(12, ["alice"]);
    const moved = nockTrackingMoved(12);
    nockCreateCheckRuns(1, 701);
    nockDispatch(102);
    return { ...commit, moved };
  }

  async function stage(id: string) {
    return (await test.store.loadRun(RUN))?.stages.find((s) => s.id === id);
  }

  it("collects and commits once when the run's completion is delivered twice", async () => {
    await startRun(app);
    const commit = nockSpecifyCollected();
    await app.receive("workflow_run", completed(), "completed-1");
    await app.receive("workflow_run", completed(), "completed-1");
    expect(commit.commit).toHaveLength(1);
    expect((await stage("specify"))?.attempts).toHaveLength(1);
    expect((await stage("specify"))?.status).toBe("succeeded");
  });

  it("opens a ready pull request where GitHub refuses drafts, and the tracking comment says so", async () => {
    await startRun(app);
    const sent = capture<{ draft: boolean; head: string; base: string }>();
    const { moved } = nockSpecifyCollected(() =>
      github()
        .post("/repos/acme/web/pulls", sent.match)
        .reply(422, {
          message: "Draft pull requests are not supported in this repository.",
          documentation_url:
            "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
          status: "422",
        })
        .post("/repos/acme/web/pulls", sent.match)
        .reply(201, {
          number: 12,
          html_url: "https://github.com/acme/web/pull/12",
        }),
    );
    await app.receive("workflow_run", completed(), "completed-1");
    expect(sent.bodies).toEqual([
      expect.objectContaining({ head: BRANCH, base: "main", draft: true }),
      expect.objectContaining({ head: BRANCH, base: "main", draft: false }),
    ]);
    const run = await test.store.loadRun(RUN);
    expect(run).toMatchObject({
      pull_request: { number: 12 },
      pull_request_draft_refused: true,
      problems: [],
    });
    const note =
      "Opened as a ready pull request: draft pull requests are not supported in this repository.";
    expect(moved.posted[0]?.body).toContain(note);
    // Every later edit says it too.
    expect(moved.edits.length).toBeGreaterThan(0);
    for (const edit of moved.edits) expect(edit.body).toContain(note);
  });

  it("collects once when the completion arrives again under another delivery id", async () => {
    await startRun(app);
    const commit = nockSpecifyCollected();
    await app.receive("workflow_run", completed(), "completed-1");
    // No mocks: a second collection would make requests and fail the test.
    await app.receive("workflow_run", completed(), "completed-2");
    expect(commit.ref).toHaveLength(1);
  });

  it("accepts events out of order: completed first, then the start and the job", async () => {
    const { checkUpdates } = await startRun(app);
    nockSpecifyCollected();
    await app.receive("workflow_run", completed());
    const updatesAfterCompletion = checkUpdates.bodies.length;
    await app.receive(
      "workflow_run",
      workflowRunPayload("in_progress", {
        id: 101,
        runId: RUN,
        stage: "specify",
        branch: BRANCH,
      }),
    );
    await app.receive(
      "workflow_run",
      workflowRunPayload("requested", {
        id: 101,
        runId: RUN,
        stage: "specify",
        branch: BRANCH,
      }),
    );
    await app.receive("workflow_job", workflowJobPayload("in_progress", 101));
    await app.receive("workflow_job", workflowJobPayload("completed", 101));
    expect(checkUpdates.bodies).toHaveLength(updatesAfterCompletion);
    expect((await stage("specify"))?.status).toBe("succeeded");
    expect((await stage("plan"))?.status).toBe("dispatched");
  });

  it("marks the stage running when its job starts before the run's own event", async () => {
    const { checkUpdates } = await startRun(app);
    await app.receive("workflow_job", workflowJobPayload("in_progress", 101));
    expect((await stage("specify"))?.status).toBe("running");
    expect(checkUpdates.bodies.at(-1)).toMatchObject({
      id: FIRST_CHECK_RUN,
      body: {
        status: "in_progress",
        details_url: "https://github.com/acme/web/actions/runs/101",
      },
    });
    await app.receive(
      "workflow_run",
      workflowRunPayload("in_progress", {
        id: 101,
        runId: RUN,
        stage: "specify",
        branch: BRANCH,
      }),
    );
    expect(checkUpdates.bodies).toHaveLength(1);
  });

  it("recognises the run by its run-name when the dispatch returned no id", async () => {
    await startRun(app, { workflowRunId: null });
    expect((await stage("specify"))?.attempts[0]?.workflow_run_id).toBeNull();
    await app.receive(
      "workflow_run",
      workflowRunPayload("in_progress", {
        id: 555,
        runId: RUN,
        stage: "specify",
        branch: BRANCH,
      }),
    );
    expect((await stage("specify"))?.attempts[0]).toMatchObject({
      workflow_run_id: 555,
      status: "running",
    });
  });

  it("ignores runs it did not dispatch", async () => {
    await startRun(app, { workflowRunId: null });
    const foreign = workflowRunPayload("completed", {
      id: 777,
      runId: RUN,
      stage: "specify",
      branch: BRANCH,
    });
    // Someone dispatched the stage workflow by hand, with our run-name.
    foreign.workflow_run.triggering_actor = {
      ...foreign.workflow_run.triggering_actor,
      login: "mallory",
      type: "User",
    } as typeof foreign.workflow_run.triggering_actor;
    await app.receive("workflow_run", foreign);
    const other = workflowRunPayload("completed", {
      id: 778,
      runId: RUN,
      stage: "specify",
      branch: "main",
    });
    await app.receive("workflow_run", other);
    const unrelated = workflowRunPayload("completed", {
      id: 779,
      runId: RUN,
      stage: "specify",
      branch: BRANCH,
    });
    Object.assign(unrelated.workflow_run, {
      display_title: "Deploy to production",
    });
    await app.receive("workflow_run", unrelated);
    expect((await stage("specify"))?.attempts[0]).toMatchObject({
      workflow_run_id: null,
      status: "dispatched",
    });
  });

  it("retries a stage whose run ended without a bundle, then fails it for good", async () => {
    const { checkUpdates, edits } = await startRun(app);
    nockArtifact(101, `specwright-${RUN}-specify-1`, null);
    await app.receive("workflow_run", completed(101, "failure"));
    const message =
      "the workflow run ended with conclusion 'failure' and no result bundle; see https://github.com/acme/web/actions/runs/101";
    // Not the agent's doing (the runner was lost): retried after 30s.
    expect(await stage("specify")).toMatchObject({
      status: "retrying",
      retry_at: "2026-11-21T10:00:30.000Z",
    });
    expect(checkUpdates.bodies.at(-1)?.body).toMatchObject({
      status: "completed",
      conclusion: "failure",
    });
    const output = checkUpdates.bodies.at(-1)?.body.output as
      | { summary?: string }
      | undefined;
    expect(output?.summary).toContain(message);

    // The retry is dispatched once its wait is over (a tick).
    nockCreateCheckRuns(1, 701);
    nockDispatch(102);
    await test.store.apply(RUN, {
      type: "tick",
      at: "2026-11-21T10:00:31.000Z",
    });
    app.deps.runner.kick();
    await app.deps.runner.idle();
    expect((await stage("specify"))?.attempts).toHaveLength(2);

    // The second attempt fails the same way: the policy's two attempts are spent.
    nockArtifact(102, `specwright-${RUN}-specify-2`, null);
    const notice = nockCreateComment(42, 1, 9500);
    await app.receive(
      "workflow_run",
      workflowRunPayload("completed", {
        id: 102,
        runId: RUN,
        stage: "specify",
        attempt: 2,
        branch: BRANCH,
        conclusion: "failure",
      }),
    );
    const run = await test.store.loadRun(RUN);
    expect(run).toMatchObject({
      status: "failed",
      result_summary: expect.stringContaining(
        "Stage Specify failed: the workflow run ended with conclusion 'failure' and no result bundle",
      ),
    });
    expect(notice.bodies).toHaveLength(1);
    expect(edits.bodies.at(-1)?.body).toContain("failed");
  });

  it("fails the stage when the stage reported failure in its bundle, without committing", async () => {
    await startRun(app);
    nockArtifact(
      101,
      `specwright-${RUN}-specify-1`,
      buildBundle({
        runId: RUN,
        stage: "specify",
        baseSha: BASE,
        status: "failed",
        error: "spec.md was not produced",
        files: [textFile(SPEC, "partial")],
      }),
    );
    const notice = nockCreateComment(42, 1, 9500);
    await app.receive("workflow_run", completed(101, "failure"));
    expect(await stage("specify")).toMatchObject({
      status: "failed",
      reason: "spec.md was not produced",
    });
    // The agent's own failure: not retried; the run stops, and people are told.
    expect(notice.bodies[0]?.body).toContain("spec.md was not produced");
  });
});
