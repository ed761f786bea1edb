import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ChangedFile } from "../../src/contracts/changes.js";
import { nockArtifact, nockDispatch } from "../mocks/actions.js";
import { nockCreateCheckRuns } from "../mocks/checks.js";
import { nockCreateComment } from "../mocks/issues.js";
import { buildBundle, textFile } from "../support/bundle.js";
import { BASE, BRANCH, RUN, startRun } from "../support/flow.js";
import { github } from "../support/github.js";
import { workflowRunPayload } from "../support/payloads.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { openTestStore } from "../support/test-store.js";

const SPEC = "specs/001-dark-mode/spec.md";

/** Whether a file is in the repository at the dispatched commit. */
function nockFileAtBase(path: string, present: boolean) {
  return github()
    .get(`/repos/acme/web/contents/${encodeURIComponent(path)}`)
    .query({ ref: BASE })
    .reply(
      present ? 200 : 404,
      present
        ? { type: "file", path, name: path.split("/").pop(), size: 7 }
        : { message: "Not Found" },
    );
}

// A stage's `file` output is a path later stages read and its check run
// links: a succeeded result may name only a file it created or changed, or
// one already in the repository at the commit it ran on.
describe("a stage's file outputs", () => {
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

  async function collect(spec: string, files: ChangedFile[]) {
    nockArtifact(
      101,
      `specwright-${RUN}-specify-1`,
      buildBundle({
        runId: RUN,
        stage: "specify",
        baseSha: BASE,
        outputs: { spec },
        specDir: "specs/001-dark-mode",
        files,
      }),
    );
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

  it.each<[string, string, ChangedFile[], boolean | null, string]>([
    [
      "a path the stage did not write and the repository does not have",
      SPEC,
      [textFile("specs/001-dark-mode/notes.md", "x")],
      false,
      `output 'spec' names '${SPEC}', which the stage neither created nor changed and which is not in the repository at aaaaaaa`,
    ],
    [
      "a path the stage deleted",
      SPEC,
      [{ path: SPEC, deleted: true }],
      null,
      `output 'spec' names '${SPEC}', which the stage deleted`,
    ],
    [
      "a path outside the repository",
      "../../etc/passwd",
      [textFile(SPEC, "# Spec")],
      null,
      "output 'spec' names '../../etc/passwd', which is not a path in the repository: the path has a '..' segment",
    ],
  ])(
    "fails a succeeded stage whose output names %s, and commits nothing",
    async (_, spec, files, atBase, reason) => {
      const { checkUpdates } = await startRun(app);
      const lookup = atBase === null ? undefined : nockFileAtBase(spec, atBase);
      // The run fails: people are told in a new comment. No git call is
      // mocked: a commit would fail the test.
      const notice = nockCreateComment(42, 1, 9500);
      const specify = await collect(spec, files);
      expect(lookup?.isDone() ?? true).toBe(true);
      expect(specify).toMatchObject({ status: "failed", reason });
      expect(specify?.attempts[0]?.commit_sha).toBeNull();
      expect(checkUpdates.bodies.at(-1)?.body).toMatchObject({
        conclusion: "failure",
      });
      expect(notice.bodies[0]?.body).toContain("output 'spec' names");
    },
  );

  it("takes an output that names a file already in the repository", async () => {
    await startRun(app);
    const lookup = nockFileAtBase(SPEC, true);
    nockCreateCheckRuns(1, 701);
    const plan = nockDispatch(102);
    const specify = await collect(SPEC, []);
    expect(lookup.isDone()).toBe(true);
    expect(specify).toMatchObject({
      status: "succeeded",
      outputs: { spec: SPEC },
    });
    expect(plan.bodies).toHaveLength(1);
  });
});
