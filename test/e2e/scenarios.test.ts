import { describe, expect, it } from "vitest";
import {
  backends,
  featureBranch,
  implementWaits,
  STAGES,
  scenarioWorlds,
  stageChecks,
  TIMEOUT,
  trackingComment,
} from "../support/scenario-worlds.js";

// The whole loop against the local GitHub simulator: the real App (as its
// own process, over HTTP), the real action bundle run by the simulated
// runner, real git, the scripted agent. Each scenario asserts what people
// would see on GitHub: the branch's history, check runs, comments, the pull
// request, and the App's own record of the run. (A lost App, lost and
// repeated webhooks: recovery-scenarios.test.ts.)

describe.each(backends)("end to end (%s)", (store, base) => {
  // What people see (texts, buttons, permissions) does not depend on the
  // store: those scenarios run on PGlite alone. The ones that lean on the
  // store (a whole run, a run reopened, redeliveries, a restart, lost
  // webhooks) run on PostgreSQL too.
  const anyStore = it.skipIf(store === "postgres");
  const { setUp, untilStageFails } = scenarioWorlds(base);

  it(
    "/specify runs every stage to a draft PR; the specwright:implement label runs implement",
    async () => {
      const { world: w, repo, issue } = await setUp();
      w.sim.comment(repo, issue, "/specify Add a dark mode toggle", "alice");
      await w.until("implement to wait for approval", implementWaits(w, repo));

      const branch = await featureBranch(w, repo);
      expect(branch).toMatch(/^speckit\/\d{8}\/[0-9a-f]{6}$/);
      expect(await repo.git.subjects(branch)).toEqual([
        'specwright(tasks): Tasks for "Add a dark mode toggle"',
        'specwright(plan): Plan for "Add a dark mode toggle"',
        'specwright(specify): Specify for "Add a dark mode toggle"',
        "Initial commit",
      ]);
      const [pull] = w.sim.pulls(repo);
      expect(pull).toMatchObject({
        title: "Add a dark mode toggle",
        pull: { head: branch, base: "main", draft: true, state: "open" },
      });
      for (const stage of STAGES) {
        expect(
          stageChecks(w, repo, stage).map((c) => c.conclusion),
          stage,
        ).toEqual(["success"]);
      }
      // analyze's finding is an annotation on the spec.
      const analyze = stageChecks(w, repo, "analyze")[0];
      expect(analyze?.annotations).toEqual([
        expect.objectContaining({
          path: expect.stringMatching(/^specs\/001-add-a-dark-mode\/spec\.md$/),
          annotation_level: "notice",
        }),
      ]);
      // The tracking comment moved to the pull request, and asks for approval.
      const number = pull?.number ?? 0;
      const moved = w.sim
        .commentsOn(repo, issue)
        .find((c) => c.body.includes("<!-- specwright:moved="));
      expect(moved?.body).toContain(`#${number}`);
      await w.until("the tracking comment to ask for approval", () =>
        (trackingComment(w, repo, number)?.body ?? "").includes(
          "waiting for approval",
        ),
      );

      w.sim.label(repo, number, "specwright:implement", "bob");
      await w.until(
        "the run to succeed",
        () =>
          (trackingComment(w, repo, number)?.body ?? "").includes(
            "✅ succeeded",
          ) &&
          w.sim
            .commentsOn(repo, number)
            .some((c) => c.body.includes("finished")),
      );
      expect((await repo.git.subjects(branch))[0]).toBe(
        'specwright(implement): Implement for "Add a dark mode toggle"',
      );
      const files = await repo.git.text([
        "ls-tree",
        "-r",
        "--name-only",
        branch,
      ]);
      expect(files).toContain("src/feature.ts");
      expect(repo.issues.get(number)?.labels).not.toContain(
        "specwright:implement",
      );
      // GitHub told the App of each of its own comments (the tracking
      // comment, its move, the notices) and check runs (created, completed);
      // it answered each, and acted on none.
      const own = w.sim.webhooks.log.filter(
        (d) =>
          (d.event === "issue_comment" || d.event === "check_run") &&
          JSON.parse(d.body).sender.login === "specwright[bot]",
      );
      const kinds = new Set(own.map((d) => `${d.event}.${d.action}`));
      expect([...kinds].sort()).toEqual([
        "check_run.completed",
        "check_run.created",
        "issue_comment.created",
      ]);
      expect(own.every((d) => d.status === 200)).toBe(true);
      expect(w.problems()).toEqual([]);
      // Each stage's job named its bundle's artifact id in its last step
      // (workflow_job.completed): every bundle was downloaded by it, and the
      // App never listed a run's artifacts.
      const called = (operationId: string) =>
        w.sim.requests.filter((r) => r.operationId === operationId).length;
      expect(called("actions/download-artifact")).toBe(STAGES.length + 1);
      expect(called("actions/list-workflow-run-artifacts")).toBe(0);

      const [run] = await w.runs();
      expect(run).toMatchObject({ status: "succeeded", branch });
      expect(run?.stages.map((s) => s.status)).toEqual([
        "succeeded",
        "succeeded",
        "succeeded",
        "succeeded",
        "succeeded",
      ]);
      expect(run?.stages[4]?.approved_by).toBe("bob");
    },
    TIMEOUT,
  );

  anyStore(
    "opens a ready pull request where the repository has no drafts, and the tracking comment says so",
    async () => {
      const {
        world: w,
        repo,
        issue,
      } = await setUp({}, { draftPullRequests: false });
      w.sim.comment(repo, issue, "/specify Add a dark mode toggle", "alice");
      const note =
        "Opened as a ready pull request: draft pull requests are not supported in this repository.";
      await w.until(
        "the tracking comment to move to a ready pull request",
        () => {
          const pull = w.sim.pulls(repo)[0];
          return (
            pull !== undefined &&
            (trackingComment(w, repo, pull.number)?.body ?? "").includes(note)
          );
        },
      );
      const [pull] = w.sim.pulls(repo);
      expect(pull).toMatchObject({
        title: "Add a dark mode toggle",
        pull: { draft: false, state: "open" },
      });
      // The refused draft was asked for first, then the ready one.
      const creates = w.sim.requests.filter(
        (r) => r.method === "POST" && r.operationId === "pulls/create",
      );
      expect(creates.map((r) => r.status)).toEqual([422, 201]);
      await w.until("implement to wait for approval", implementWaits(w, repo));
      expect(trackingComment(w, repo, pull?.number ?? 0)?.body).toContain(note);
      expect(w.problems()).toEqual([]);
      const [run] = await w.runs();
      expect(run).toMatchObject({
        pull_request_draft_refused: true,
        problems: [],
      });
    },
    TIMEOUT,
  );

  anyStore(
    "carries a hostile feature to the commits and the pull request neutralised: no closing keyword, mention or forged trailer",
    async () => {
      const { world: w, repo, issue } = await setUp();
      w.sim.comment(
        repo,
        issue,
        [
          "/specify",
          `Fixes #${issue} for @acme/admins`,
          "Co-authored-by: Mallory <mallory@evil.example>",
        ].join("\n"),
        "alice",
      );
      await w.until(
        "plan to be dispatched",
        () => stageChecks(w, repo, "plan").length > 0,
      );
      const branch = await featureBranch(w, repo);
      const [subject] = await repo.git.subjects(branch);
      expect(subject).toBe(
        `specwright(specify): Specify for "F\u200Bixes #\u200B${issue} for @\u200Bacme/admins"`,
      );
      // Git reads the trailers Specwright wrote, and no other.
      const trailers = await repo.git.text([
        "log",
        "-1",
        "--format=%(trailers:only,unfold)",
        branch,
      ]);
      expect(
        trailers
          .trim()
          .split("\n")
          .map((l) => l.split(":")[0]),
      ).toEqual(["Specwright-Run", "Specwright-Stage", "Specwright-Attempt"]);
      const [pull] = w.sim.pulls(repo);
      expect(pull?.title).toBe(
        `F\u200Bixes #\u200B${issue} for @\u200Bacme/admins`,
      );
      expect(pull?.body).not.toMatch(
        new RegExp(`Fixes #${issue}|@acme/admins`),
      );
      expect(w.problems()).toEqual([]);
    },
    TIMEOUT,
  );

  anyStore(
    "falls back to the direct prompt when the skill fails, and the check run says so",
    async () => {
      const {
        world: w,
        repo,
        issue,
      } = await setUp({
        agent: { "acme/web:specify": "skill-fails" },
      });
      w.sim.comment(repo, issue, "/specify Add a dark mode toggle", "alice");
      await w.until(
        "plan to be dispatched",
        () => stageChecks(w, repo, "plan").length > 0,
      );
      const [specify] = stageChecks(w, repo, "specify");
      expect(specify?.conclusion).toBe("success");
      expect(specify?.output.summary).toContain("direct_fallback");
      expect(await repo.git.subjects(await featureBranch(w, repo))).toContain(
        'specwright(specify): Specify for "Add a dark mode toggle"',
      );
      expect(w.problems()).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "a stage that fails is run again by /retry, and the run goes on",
    async () => {
      const {
        world: w,
        repo,
        issue,
        failed: failedPlan,
      } = await untilStageFails("plan", "fail");
      expect(failedPlan?.output.summary).toContain(
        "the model refused the plan stage",
      );
      expect(failedPlan?.actions.map((a) => a.identifier)).toEqual(["retry"]);
      const branch = await featureBranch(w, repo);
      expect(await repo.git.subjects(branch)).toHaveLength(2);

      await w.setAgent({});
      const pull = w.sim.pulls(repo)[0]?.number ?? issue;
      w.sim.comment(repo, pull, "/retry", "alice");
      await w.until("implement to wait for approval", implementWaits(w, repo));
      expect(stageChecks(w, repo, "plan").map((c) => c.conclusion)).toEqual([
        "failure",
        "success",
      ]);
      expect((await repo.git.subjects(branch))[0]).toBe(
        'specwright(tasks): Tasks for "Add a dark mode toggle"',
      );
      expect(w.problems()).toEqual([]);
    },
    TIMEOUT,
  );

  anyStore(
    "the Re-run of a failed stage's check run runs it again",
    async () => {
      const {
        world: w,
        repo,
        failed,
      } = await untilStageFails("tasks", "fail-once");
      w.sim.rerequest(failed?.id ?? 0, "alice");
      await w.until("implement to wait for approval", implementWaits(w, repo));
      expect(stageChecks(w, repo, "tasks").map((c) => c.conclusion)).toEqual([
        "failure",
        "success",
      ]);
      expect(w.problems()).toEqual([]);
    },
    TIMEOUT,
  );

  anyStore(
    "an agent that exits 0 but writes nothing fails the stage, naming the file, and nothing is committed",
    async () => {
      const {
        world: w,
        repo,
        issue,
        failed: specify,
      } = await untilStageFails("specify", "nothing");
      expect(specify?.output.summary).toContain("specs/*/spec.md");
      const branch = await featureBranch(w, repo);
      expect(await repo.git.subjects(branch)).toEqual(["Initial commit"]);
      expect(w.sim.pulls(repo)).toEqual([]);
      await w.until("the failure notice", () =>
        w.sim.commentsOn(repo, issue).some((c) => c.body.includes("failed")),
      );
      const [run] = await w.runs();
      expect(run?.status).toBe("failed");
      expect(w.problems()).toEqual([]);
    },
    TIMEOUT,
  );

  anyStore(
    "a commenter without write permission gets one reply on the issue, and nothing is dispatched",
    async () => {
      const { world: w, repo, issue } = await setUp();
      const replies = () =>
        w.sim
          .commentsOn(repo, issue)
          .filter((c) => c.user.login === "specwright[bot]");
      w.sim.comment(repo, issue, "/specify Add a dark mode toggle", "mallory");
      await w.until("the reply", () => replies().length > 0);
      expect(w.sim.commentsOn(repo, issue).at(-1)?.body).toBe(
        "@mallory `/specify` needs write permission on this repository; you have read. Specwright does not answer your commands here again.",
      );
      // Any more of their commands here: no more replies.
      w.sim.comment(repo, issue, "/approve\n/cancel", "mallory");
      w.sim.comment(repo, issue, "/retry", "mallory");
      await w.sim.idle();
      expect(replies()).toHaveLength(1);
      expect(w.sim.workflowRuns.size).toBe(0);
      expect(await w.runs()).toEqual([]);
      expect(w.problems()).toEqual([]);
    },
    TIMEOUT,
  );
});
