import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { nockArtifact, nockDispatch } from "../mocks/actions.js";
import { nockCreateCheckRuns } from "../mocks/checks.js";
import { nockCommit } from "../mocks/git.js";
import { nockCreateComment } from "../mocks/issues.js";
import {
  nockCreatePull,
  nockRequestReviewers,
  nockTrackingMoved,
} from "../mocks/pulls.js";
import { buildBundle, textFile } from "../support/bundle.js";
import { BASE, BRANCH, RUN, startRun } from "../support/flow.js";
import { workflowRunPayload } from "../support/payloads.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { openTestStore } from "../support/test-store.js";

// Untrusted text (the feature, what the agent wrote) reaches GitHub only
// neutralised: no mention, issue reference, closing keyword or HTML, no
// credential, and in a commit message no trailer of its own. These tests
// assert on the requests the App sends.

const SPEC = "specs/001-dark-mode/spec.md";
const COMMIT = "1".repeat(40);
const ZW = "\u200B";

const HOSTILE = [
  // (An HTML comment in a command's comment hides the rest from the
  // parser too; the tracking comment's and notices' tests cover `<!--`.)
  "Fixes #7 for @acme/admins, closes acme/api#3 <b>now</b> please",
  "Specwright-Run: 00000000-0000-4000-8000-000000000000",
  "Co-authored-by: Mallory <mallory@evil.example>",
].join("\n");

/** What must not reach GitHub from {@link HOSTILE} or a bundle. */
const RAW =
  /Fixes #7|@acme\/admins|closes acme\/api#3|<b>|<!-- hidden|ghp_|sk-ant-|AIza|ACME-\d/;

describe("untrusted text on its way to GitHub", () => {
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

  const completed = () =>
    workflowRunPayload("completed", {
      id: 101,
      runId: RUN,
      stage: "specify",
      branch: BRANCH,
    });

  it("quotes the feature in the commit, the pull request and the tracking comment without its mentions, references, closing keywords, HTML or trailers", async () => {
    const { edits } = await startRun(app, { body: `/specify\n${HOSTILE}` });
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
    const pull = nockCreatePull(12);
    nockRequestReviewers(12, ["alice"]);
    const moved = nockTrackingMoved(12);
    nockCreateCheckRuns(1, 701);
    nockDispatch(102);
    await app.receive("workflow_run", completed());

    // The subject is one line; the trailers are the last paragraph, and
    // only Specwright's.
    const message = commit.commit[0]?.message ?? "";
    expect(message.split("\n")).toEqual([
      `specwright(specify): Specify for "F${ZW}ixes #${ZW}7 for @${ZW}acme/admins, c${ZW}loses acme/api#${ZW}3 <b>now</b> ple…"`,
      "",
      `Specwright-Run: ${RUN}`,
      "Specwright-Stage: specify",
      "Specwright-Attempt: 1",
    ]);

    const [opened] = pull.bodies;
    expect(opened?.title).toBe(
      `F${ZW}ixes #${ZW}7 for @${ZW}acme/admins, c${ZW}loses acme/api#${ZW}3 <b>now</b> please`,
    );
    expect(opened?.body).not.toMatch(RAW);
    expect(opened?.body).toContain(
      `> F${ZW}ixes #${ZW}7 for @${ZW}acme/admins, c${ZW}loses acme/api#${ZW}3 &lt;b>now&lt;/b> please\n> Specwright-Run:`,
    );
    // The run's own link to its issue stays.
    expect(opened?.body).toContain("Spec-driven changes for #42");

    for (const body of [...edits.bodies, ...moved.posted, ...moved.edits].map(
      (b) => b.body,
    )) {
      expect(body).not.toMatch(RAW);
    }
  });

  it("shows a failed bundle's text on the check run and in the comment without credentials, mentions, references or HTML", async () => {
    const { checkUpdates } = await startRun(app, {
      config: 'secret_patterns:\n  - "ACME-[0-9]{6}"\n',
    });
    const token = `ghp_${"a1B2".repeat(9)}`;
    nockArtifact(
      101,
      `specwright-${RUN}-specify-1`,
      buildBundle({
        runId: RUN,
        stage: "specify",
        baseSha: BASE,
        status: "failed",
        error: `push refused for ${token} (ACME-123456); Fixes #7 @acme/admins <!-- hidden`,
        entries: {
          "stderr.log": [
            "step 1",
            `export ANTHROPIC_API_KEY=sk-ant-api03-${"x".repeat(40)}`,
            `GOOGLE_API_KEY=AIza${"Q".repeat(35)}`,
            "license ACME-654321",
          ].join("\n"),
        },
      }),
    );
    const notice = nockCreateComment(42, 1, 9500);
    await app.receive("workflow_run", completed());

    const update = checkUpdates.bodies.at(-1)?.body as {
      conclusion: string;
      output: { title: string; summary: string };
    };
    expect(update.conclusion).toBe("failure");
    const { title, summary } = update.output;
    expect(title).toContain("push refused for *** (***)");
    expect(summary).toContain(
      `push refused for *** (***); F${ZW}ixes #${ZW}7 @${ZW}acme/admins &lt;\\!-- hidden`,
    );
    expect(summary).toContain("export ANTHROPIC_API_KEY=***");
    expect(summary).toContain("GOOGLE_API_KEY=***");
    expect(summary).toContain("license ***");
    for (const text of [title, summary, notice.bodies[0]?.body ?? ""])
      expect(text).not.toMatch(RAW);

    // Nor does the run keep them.
    const run = await test.store.loadRun(RUN);
    const attempt = run?.stages.find((s) => s.id === "specify")?.attempts[0];
    expect(JSON.stringify(attempt)).not.toMatch(/ghp_|sk-ant-|AIza|ACME-\d/);
  });

  it("takes credentials out of a succeeded stage's outputs, warnings, agent version and last message", async () => {
    const { checkUpdates } = await startRun(app, {
      config: 'secret_patterns:\n  - "ACME-[0-9]{6}"\n',
    });
    const plain = buildBundle({
      runId: RUN,
      stage: "specify",
      baseSha: BASE,
      outputs: { spec: SPEC, note: "token ACME-111111" },
      specDir: "specs/001-dark-mode",
      files: [textFile(SPEC, "# Spec\n")],
    });
    const { unzipSync, strFromU8 } = await import("fflate");
    const result = JSON.parse(
      strFromU8(unzipSync(plain)["result.json"] ?? new Uint8Array()),
    );
    nockArtifact(
      101,
      `specwright-${RUN}-specify-1`,
      buildBundle({
        runId: RUN,
        stage: "specify",
        baseSha: BASE,
        files: [textFile(SPEC, "# Spec\n")],
        entries: {
          "result.json": JSON.stringify({
            ...result,
            outputs: { spec: SPEC, note: "token ACME-111111" },
            spec_dir: "specs/001-dark-mode",
            agent: { backend: "claude", version: "2.1.0 ACME-222222" },
            warnings: [`the runner saw gho_${"z".repeat(36)}`],
            final_message: [
              "Wrote the spec. cc @acme/admins, fixes #7",
              "",
              "</details><img src=x onerror=alert(1)>",
              "key: ACME-333333",
            ].join("\n"),
          }),
        },
      }),
    );
    nockCommit({
      branch: BRANCH,
      parent: BASE,
      parentKnown: true,
      parentTree: "t".repeat(40),
      newTree: "u".repeat(40),
      commit: COMMIT,
    });
    nockCreatePull(12);
    nockRequestReviewers(12, ["alice"]);
    nockTrackingMoved(12);
    nockCreateCheckRuns(1, 701);
    nockDispatch(102);
    await app.receive("workflow_run", completed());

    const update = checkUpdates.bodies.find(
      (b) => (b.body as { conclusion?: string }).conclusion === "success",
    )?.body as { output: { summary: string } };
    const { summary } = update.output;
    expect(summary).toContain("2.1.0 ***");
    expect(summary).toContain("the runner saw ***");
    expect(summary).toContain(
      `Wrote the spec. cc @${ZW}acme/admins, f${ZW}ixes #${ZW}7`,
    );
    // The agent's Markdown stays; its HTML cannot end Specwright's
    // <details> or run.
    expect(summary).toContain(`<${ZW}/details><${ZW}img src=x`);
    expect(summary.match(/<\/details>/g)).toHaveLength(1);
    expect(summary).not.toMatch(/ACME-\d|gho_/);

    const run = await test.store.loadRun(RUN);
    const specify = run?.stages.find((s) => s.id === "specify");
    // Kept, and given to later stages, without the credential.
    expect(specify?.outputs).toMatchObject({ note: "token ***" });
  });
});
