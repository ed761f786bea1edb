import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { StageRequest } from "../../src/contracts/stage-request.js";
import { nockArtifact, nockDispatch } from "../mocks/actions.js";
import { nockCreateCheckRuns, nockUpdateCheckRuns } from "../mocks/checks.js";
import { nockCommit, nockCreateRef, nockGetBranch } from "../mocks/git.js";
import {
  nockCreateComment,
  nockLabels,
  nockReaction,
  nockUpdateComment,
} from "../mocks/issues.js";
import {
  nockCreatePull,
  nockRequestReviewers,
  nockTrackingMoved,
} from "../mocks/pulls.js";
import { nockConfig, nockPermission } from "../mocks/repository.js";
import { buildBundle, textFile } from "../support/bundle.js";
import { commentPayload, workflowRunPayload } from "../support/payloads.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { BACKENDS, openTestStore } from "../support/test-store.js";

const RUN = "11111111-1111-4111-8111-111111111111";
const BRANCH = "speckit/20261121/abc123";
const SPEC_DIR = "specs/001-dark-mode";
const sha = (c: string) => c.repeat(40);
const BASE = sha("a");

/** The request the stage action received, parsed with the shared contract. */
function request(
  body: { inputs: { request: string } } | undefined,
): StageRequest {
  return StageRequest.parse(JSON.parse(body?.inputs.request ?? "null"));
}

describe.each(BACKENDS)(
  "a /specify comment runs the default workflow (%s)",
  (backend) => {
    let test: Awaited<ReturnType<typeof openTestStore>>;
    let app: TestApp;

    beforeAll(async () => {
      test = await openTestStore(backend);
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

    /** A stage run finished: its bundle is collected and, with files, committed. */
    async function finishStage(options: {
      stage: string;
      workflowRunId: number;
      baseSha: string;
      files?: ReturnType<typeof textFile>[];
      outputs: Record<string, unknown>;
      commit?: { parent: string; sha: string };
    }) {
      const bundle = buildBundle({
        runId: RUN,
        stage: options.stage,
        baseSha: options.baseSha,
        outputs: options.outputs,
        specDir: SPEC_DIR,
        files: options.files ?? [],
      });
      nockArtifact(
        options.workflowRunId,
        `specwright-${RUN}-${options.stage}-1`,
        bundle,
      );
      const commit = options.commit
        ? nockCommit({
            branch: BRANCH,
            parent: options.commit.parent,
            parentTree: `${options.commit.parent.slice(0, 39)}t`,
            newTree: `${options.commit.sha.slice(0, 39)}t`,
            commit: options.commit.sha,
            // The base branch came with its tree, and a commit the App
            // made is remembered: no parent is read.
            parentKnown: true,
          })
        : undefined;
      await app.receive(
        "workflow_run",
        workflowRunPayload("completed", {
          id: options.workflowRunId,
          runId: RUN,
          stage: options.stage,
          branch: BRANCH,
        }),
      );
      return commit;
    }

    it("dispatches every stage, commits each stage's work, opens a draft PR and succeeds", async () => {
      // 1. /specify: permission, config, 👀, tracking comment, branch, first dispatch.
      nockPermission("alice", "write");
      nockConfig(null);
      const comment = commentPayload(
        "Please start.\n/specify Add a dark mode toggle",
      );
      nockReaction(comment.comment.id, "eyes");
      const tracking = nockCreateComment(42, 1, 9000);
      const edits = nockUpdateComment(9000);
      const labels = nockLabels();
      nockGetBranch("main", BASE, `${BASE.slice(0, 39)}t`);
      nockCreateRef(BRANCH, BASE);
      // One per stage, and the implement gate's.
      const checks = nockCreateCheckRuns(6, 700);
      const checkUpdates = nockUpdateCheckRuns();
      const specify = nockDispatch(101);
      await app.receive("issue_comment", comment);

      expect(tracking.bodies[0]?.body).toContain(
        `<!-- specwright:run=${RUN} -->`,
      );
      expect(specify.bodies[0]).toMatchObject({
        ref: BRANCH,
        return_run_details: true,
      });
      const specifyRequest = request(specify.bodies[0]);
      expect(specifyRequest).toMatchObject({
        run_id: RUN,
        stage: "specify",
        attempt: 1,
        repository: "acme/web",
        base_branch: "main",
        branch: BRANCH,
        base_sha: BASE,
        feature: {
          text: "Add a dark mode toggle",
          issue: { number: 42, title: "Dark mode" },
        },
        spec_dir: null,
        skill: { id: "speckit", is_speckit: true, fallback: true },
        agent: { backend: "claude", timeout_minutes: 30 },
        outputs: [
          {
            name: "spec",
            type: "file",
            path: "specs/*/spec.md",
            must_change: true,
            required: true,
          },
        ],
        artifact: { name: `specwright-${RUN}-specify-1`, retention_days: 30 },
      });
      expect(checks.bodies[0]).toMatchObject({
        name: "Specwright: Specify",
        head_sha: BASE,
        status: "queued",
        external_id: `specwright:${RUN}:specify:1`,
      });

      // 2. The stage's run starts: the check run shows it, linked to the run.
      await app.receive(
        "workflow_run",
        workflowRunPayload("in_progress", {
          id: 101,
          runId: RUN,
          stage: "specify",
          branch: BRANCH,
        }),
      );
      expect(checkUpdates.bodies.at(-1)).toMatchObject({
        id: 700,
        body: {
          status: "in_progress",
          details_url: "https://github.com/acme/web/actions/runs/101",
        },
      });

      // 3. specify finishes: its spec is committed, the draft PR opens, plan is dispatched.
      const pull = nockCreatePull(12);
      nockRequestReviewers(12, ["alice"]);
      // The tracking comment moves to the pull request; the issue keeps a link.
      const moved = nockTrackingMoved(12, 9100);
      const plan = nockDispatch(102);
      const specifyCommit = await finishStage({
        stage: "specify",
        workflowRunId: 101,
        baseSha: BASE,
        files: [textFile(`${SPEC_DIR}/spec.md`, "# Dark mode\n")],
        outputs: { spec: `${SPEC_DIR}/spec.md` },
        commit: { parent: BASE, sha: sha("1") },
      });
      expect(specifyCommit?.tree[0]).toEqual({
        base_tree: `${BASE.slice(0, 39)}t`,
        tree: [
          {
            path: `${SPEC_DIR}/spec.md`,
            mode: "100644",
            type: "blob",
            content: "# Dark mode\n",
          },
        ],
      });
      expect(specifyCommit?.commit[0]).toEqual({
        message: `specwright(specify): Specify for "Add a dark mode toggle"\n\nSpecwright-Run: ${RUN}\nSpecwright-Stage: specify\nSpecwright-Attempt: 1`,
        tree: `${sha("1").slice(0, 39)}t`,
        parents: [BASE],
      });
      expect(specifyCommit?.ref[0]).toEqual({ sha: sha("1"), force: false });
      expect(pull.bodies[0]).toMatchObject({
        title: "Add a dark mode toggle",
        head: BRANCH,
        base: "main",
        draft: true,
      });
      expect(pull.bodies[0]?.body).toContain("#42");
      expect(request(plan.bodies[0])).toMatchObject({
        stage: "plan",
        base_sha: sha("1"),
        spec_dir: SPEC_DIR,
        inputs: { spec: `${SPEC_DIR}/spec.md` },
        outputs: [{ name: "plan", type: "file", path: `${SPEC_DIR}/plan.md` }],
      });

      // 4. plan and tasks, each one commit.
      const tasks = nockDispatch(103);
      const planCommit = await finishStage({
        stage: "plan",
        workflowRunId: 102,
        baseSha: sha("1"),
        files: [textFile(`${SPEC_DIR}/plan.md`, "# Plan\n")],
        outputs: { plan: `${SPEC_DIR}/plan.md` },
        commit: { parent: sha("1"), sha: sha("2") },
      });
      // Built on the tree specify's commit made, known without reading it.
      expect(planCommit?.tree[0]?.base_tree).toBe(`${sha("1").slice(0, 39)}t`);
      expect(request(tasks.bodies[0])).toMatchObject({
        stage: "tasks",
        base_sha: sha("2"),
        inputs: { plan: `${SPEC_DIR}/plan.md` },
      });
      const analyze = nockDispatch(104);
      await finishStage({
        stage: "tasks",
        workflowRunId: 103,
        baseSha: sha("2"),
        files: [
          textFile(
            `${SPEC_DIR}/tasks.md`,
            "- [ ] T001 Add the toggle in src/theme.ts\n",
          ),
        ],
        outputs: { tasks: `${SPEC_DIR}/tasks.md` },
        commit: { parent: sha("2"), sha: sha("3") },
      });
      expect(request(analyze.bodies[0])).toMatchObject({
        stage: "analyze",
        base_sha: sha("3"),
      });

      // 5. analyze reports without changing files; implement waits for
      // approval: a check run with Approve and Reject, and a comment that asks.
      const asked = nockCreateComment(12, 1, 9200);
      await finishStage({
        stage: "analyze",
        workflowRunId: 104,
        baseSha: sha("3"),
        outputs: { report: "| ID | Severity |\n| A1 | LOW |", critical: 0 },
      });
      let run = await test.store.loadRun(RUN);
      expect(run?.stages.map((s) => s.status)).toEqual([
        "succeeded",
        "succeeded",
        "succeeded",
        "succeeded",
        "waiting_approval",
      ]);
      expect(moved.edits.at(-1)?.body).toContain("waiting for approval");
      expect(asked.bodies[0]?.body).toContain(
        "@alice **Implement** is waiting for approval",
      );
      expect(checks.bodies[4]).toMatchObject({
        name: "Specwright: Implement (approval)",
        head_sha: sha("3"),
        conclusion: "action_required",
        actions: [
          expect.objectContaining({ identifier: "approve", label: "Approve" }),
          expect.objectContaining({ identifier: "reject", label: "Reject" }),
        ],
      });

      // 6. /approve from someone with write permission: implement runs.
      nockPermission("bob", "write");
      nockConfig(null);
      const approval = commentPayload("/approve", { login: "bob", issue: 42 });
      nockReaction(approval.comment.id, "eyes");
      // 🚀: the command dispatched a stage.
      nockReaction(approval.comment.id, "rocket");
      const implement = nockDispatch(105);
      await app.receive("issue_comment", approval);
      expect(request(implement.bodies[0])).toMatchObject({
        stage: "implement",
        base_sha: sha("3"),
        inputs: { tasks: `${SPEC_DIR}/tasks.md` },
        agent: { timeout_minutes: 60 },
      });

      // 7. implement commits, and the run has succeeded: people are told.
      const finished = nockCreateComment(12, 1, 9300);
      await finishStage({
        stage: "implement",
        workflowRunId: 105,
        baseSha: sha("3"),
        files: [
          textFile(
            `${SPEC_DIR}/tasks.md`,
            "- [X] T001 Add the toggle in src/theme.ts\n",
          ),
          textFile("src/theme.ts", "export const dark = true;\n"),
        ],
        outputs: { tasks: `${SPEC_DIR}/tasks.md` },
        commit: { parent: sha("3"), sha: sha("4") },
      });

      run = await test.store.loadRun(RUN);
      expect(run).toMatchObject({
        status: "succeeded",
        branch: BRANCH,
        head_sha: sha("4"),
        spec_dir: SPEC_DIR,
        pull_request: {
          number: 12,
          url: "https://github.com/acme/web/pull/12",
        },
        tracking_comment_id: 9100,
        tracking_comment_on: 12,
      });
      expect(
        run?.stages.map((s) => [
          s.id,
          s.status,
          s.attempts.map((a) => a.commit_sha),
        ]),
      ).toEqual([
        ["specify", "succeeded", [sha("1")]],
        ["plan", "succeeded", [sha("2")]],
        ["tasks", "succeeded", [sha("3")]],
        ["analyze", "succeeded", [null]],
        ["implement", "succeeded", [sha("4")]],
      ]);
      expect(run?.stages[4]?.approved_by).toBe("bob");

      // Check runs: one per stage, on the commit it ran against, each completed as a success.
      expect(checks.bodies.map((b) => [b.name, b.head_sha])).toEqual([
        ["Specwright: Specify", BASE],
        ["Specwright: Plan", sha("1")],
        ["Specwright: Tasks", sha("2")],
        ["Specwright: Analyze", sha("3")],
        ["Specwright: Implement (approval)", sha("3")],
        ["Specwright: Implement", sha("3")],
      ]);
      for (const id of [700, 701, 702, 703, 704, 705]) {
        expect(
          checkUpdates.bodies.filter((u) => u.id === id).at(-1)?.body,
        ).toMatchObject({
          status: "completed",
          conclusion: "success",
        });
      }

      // The tracking comment moved to the pull request, the issue keeps a
      // link; edited in place, it ends with every stage done.
      expect(moved.posted[0]?.body).toContain(`<!-- specwright:run=${RUN} -->`);
      expect(moved.posted[0]?.body).toContain("#42");
      expect(edits.bodies.at(-1)?.body).toContain("#12");
      const last = moved.edits.at(-1)?.body ?? "";
      expect(last).toContain("succeeded");
      expect(last.match(/✅ succeeded/g)).toHaveLength(5);
      expect(last).toContain("```mermaid");
      expect(finished.bodies[0]?.body).toContain(`Specwright run \`${RUN}\``);
      expect(labels.created).toEqual([]);

      // Artifacts are recorded, kept at least 7 days after the run completed.
      const artifacts = await test.store.listArtifacts(RUN);
      expect(artifacts.length).toBeGreaterThanOrEqual(5 * 3);
      const completed = Date.parse(run?.completed_at ?? "");
      for (const artifact of artifacts) {
        expect(
          Date.parse(artifact.expiresAt) - completed,
        ).toBeGreaterThanOrEqual(7 * 86_400_000);
      }
      const agent = await test.store.agentConfiguration(RUN);
      expect(agent).toMatchObject({
        agentBackend: "claude",
        promptPackVersion: "1",
      });
    });
  },
);
