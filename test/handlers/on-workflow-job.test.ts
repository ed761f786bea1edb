import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  nockArtifact,
  nockDispatch,
  nockDownloadArtifact,
} from "../mocks/actions.js";
import { nockCreateCheckRuns } from "../mocks/checks.js";
import { nockCommit } from "../mocks/git.js";
import {
  nockCreatePull,
  nockRequestReviewers,
  nockTrackingMoved,
} from "../mocks/pulls.js";
import { buildBundle, textFile } from "../support/bundle.js";
import { BASE, BRANCH, RUN, startRun } from "../support/flow.js";
import { github, requestLog } from "../support/github.js";
import { workflowJobPayload, workflowRunPayload } from "../support/payloads.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { openTestStore } from "../support/test-store.js";

const SPEC = "specs/001-dark-mode/spec.md";
const ARTIFACT = `specwright-${RUN}-specify-1`;
const LISTING = "/repos/acme/web/actions/runs/101/artifacts";

/**
 * The stage workflow's last step names the bundle's artifact id; GitHub
 * sends the evaluated name in `workflow_job.completed`. The App remembers
 * it and downloads the bundle by it on `workflow_run.completed`, without
 * listing the run's artifacts.
 */
describe("the result bundle a stage's job names", () => {
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

  const bundle = buildBundle({
    runId: RUN,
    stage: "specify",
    baseSha: BASE,
    outputs: { spec: SPEC },
    specDir: "specs/001-dark-mode",
    files: [textFile(SPEC, "# Spec\n")],
  });

  /** Run 101's job, ended, with GitHub's steps and the named one. */
  function jobCompleted(options: { stepName?: string; person?: boolean }) {
    const payload = workflowJobPayload("completed", 101);
    const steps = payload.workflow_job.steps;
    if (options.stepName !== undefined) {
      steps.push({
        name: options.stepName,
        status: "completed",
        conclusion: "success",
        number: steps.length + 1,
        started_at: "2026-11-21T10:04:00.000Z",
        completed_at: "2026-11-21T10:04:00.000Z",
      });
    }
    if (options.person)
      Object.assign(payload.sender, { login: "alice", type: "User" });
    return payload;
  }

  /** What follows a good specify bundle: its commit, the PR, plan's dispatch. */
  function nockCollected() {
    nockCommit({
      branch: BRANCH,
      parent: BASE,
      parentKnown: true,
      parentTree: "t".repeat(40),
      newTree: "u".repeat(40),
      commit: "1".repeat(40),
    });
    nockCreatePull(12);
    nockRequestReviewers(12, ["alice"]);
    nockTrackingMoved(12);
    nockCreateCheckRuns(1, 701);
    nockDispatch(102);
  }

  async function runCompleted() {
    await app.receive(
      "workflow_run",
      workflowRunPayload("completed", {
        id: 101,
        runId: RUN,
        stage: "specify",
        branch: BRANCH,
      }),
    );
    return (await test.store.loadRun(RUN))?.stages.find(
      (s) => s.id === "specify",
    );
  }

  /** Paths GitHub was asked for since `before`. */
  const pathsSince = (before: number) =>
    requestLog.slice(before).map((r) => r.path.split("?")[0]);

  it("downloads the named artifact, without listing the run's artifacts", async () => {
    await startRun(app);
    await app.receive(
      "workflow_job",
      jobCompleted({ stepName: "Specwright bundle 777" }),
    );
    const { scope, blob } = nockDownloadArtifact(777, bundle);
    nockCollected();
    const before = requestLog.length;
    expect(await runCompleted()).toMatchObject({ status: "succeeded" });
    expect(scope.isDone() && blob.isDone()).toBe(true);
    const paths = pathsSince(before);
    expect(paths).toContain("/repos/acme/web/actions/artifacts/777/zip");
    expect(paths).not.toContain(LISTING);
  });

  it("lists the run's artifacts once when GitHub does not know the named one", async () => {
    await startRun(app);
    await app.receive(
      "workflow_job",
      jobCompleted({ stepName: "Specwright bundle 777" }),
    );
    const gone = github()
      .get("/repos/acme/web/actions/artifacts/777/zip")
      .reply(404, { message: "Not Found" });
    const listed = nockArtifact(101, ARTIFACT, bundle, 1010);
    nockCollected();
    expect(await runCompleted()).toMatchObject({ status: "succeeded" });
    expect(gone.isDone() && listed.isDone()).toBe(true);
  });

  it.each([
    ["a person's job", { stepName: "Specwright bundle 777", person: true }],
    ["a bot's job without the step", {}],
    [
      "a job whose step never ran",
      { stepName: "Specwright bundle ${{ steps.stage.outputs.artifact-id }}" },
    ],
  ])("remembers nothing from %s: the App lists, as before", async (_, job) => {
    await startRun(app);
    await app.receive("workflow_job", jobCompleted(job));
    const listed = nockArtifact(101, ARTIFACT, bundle, 1010);
    nockCollected();
    const before = requestLog.length;
    expect(await runCompleted()).toMatchObject({ status: "succeeded" });
    expect(listed.isDone()).toBe(true);
    expect(pathsSince(before)).not.toContain(
      "/repos/acme/web/actions/artifacts/777/zip",
    );
  });
});
