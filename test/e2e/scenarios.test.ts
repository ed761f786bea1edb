import { afterEach, describe, expect, it } from "vitest";
import { World, type WorldOptions } from "../support/e2e-world.js";
import type { Repository } from "../support/simulator/state.js";

// The whole loop against the local GitHub simulator: the real App (as its
// own process, over HTTP), the real action bundle run by the simulated
// runner, real git, the scripted agent. Each scenario asserts what people
// would see on GitHub: the branch's history, check runs, comments, the pull
// request, and the App's own record of the run.

const STAGES = ["specify", "plan", "tasks", "analyze"];
const TIMEOUT = 180_000;

const backends: [string, WorldOptions][] = [["pglite", {}]];
if (process.env.DATABASE_URL) {
  backends.push(["postgres", { databaseUrl: process.env.DATABASE_URL }]);
}

describe.each(backends)("end to end (%s)", (store, base) => {
  let world: World | undefined;
  // What people see (texts, buttons, permissions) does not depend on the
  // store: those scenarios run on PGlite alone. The ones that lean on the
  // store (a whole run, a run reopened, redeliveries, a restart, lost
  // webhooks) run on PostgreSQL too.
  const anyStore = it.skipIf(store === "postgres");

  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  async function setUp(
    options: WorldOptions = {},
    repository: { draftPullRequests?: boolean } = {},
  ) {
    world = await World.create({ ...base, ...options });
    const repo = await world.repository();
    // As a private repository on GitHub Free or Pro: no drafts.
    if (repository.draftPullRequests === false) repo.draftPullRequests = false;
    await world.startApp();
    const issue = world.sim.openIssue(repo, {
      title: "Dark mode",
      body: "Users want a dark mode that follows the system setting.",
      user: "alice",
    });
    return { world, repo, issue };
  }

  /** The feature branch the run made. */
  async function featureBranch(w: World, repo: Repository): Promise<string> {
    const refs = await repo.git.text([
      "for-each-ref",
      "--format=%(refname:short)",
      "refs/heads/speckit",
    ]);
    const branch = refs.split("\n").find(Boolean);
    if (!branch) throw new Error(`no feature branch\n${w.log.slice(-3000)}`);
    return branch;
  }

  function trackingComment(w: World, repo: Repository, number: number) {
    return w.sim
      .commentsOn(repo, number)
      .find((c) => c.body.includes("<!-- specwright:run="));
  }

  function stageChecks(w: World, repo: Repository, stage: string) {
    return w.sim
      .checkRunsOf(repo)
      .filter(
        (c) =>
          c.name === `Specwright: ${stage[0]?.toUpperCase()}${stage.slice(1)}`,
      );
  }

  /**
   * `/specify` on a world whose scripted agent fails `stage` as `how`
   * says, up to that failure; its first check run.
   */
  async function untilStageFails(stage: string, how: string) {
    const set = await setUp({ agent: { [`acme/web:${stage}`]: how } });
    const { world: w, repo, issue } = set;
    w.sim.comment(repo, issue, "/specify Add a dark mode toggle", "alice");
    await w.until(`${stage} to fail`, () =>
      stageChecks(w, repo, stage).some((c) => c.conclusion === "failure"),
    );
    return { ...set, failed: stageChecks(w, repo, stage)[0] };
  }

  function implementWaits(w: World, repo: Repository) {
    return () => w.gateWaiting(repo);
  }

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
      // Answered: each as the App answered it (the last may be in flight).
      await w.sim.webhooks.settled();
      expect(
        own
          .filter((d) => d.status !== 200)
          .map((d) => `${d.event}.${d.action}: ${d.status}`),
      ).toEqual([]);
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

  it(
    "every webhook delivered twice and in a shuffled order: the same outcome, nothing done twice",
    async () => {
      const { world: w, repo, issue } = await setUp({ seed: 7 });
      w.sim.webhooks.policy = { duplicate: true, shuffle: 3 };
      // A job's end after its run's too: the App may not know the bundle's
      // id when it collects, and lists the run's artifacts instead.
      w.sim.jobCompletedLast = true;
      // Deliveries held back are released as time goes on.
      const release = setInterval(() => w.sim.webhooks.release(), 200);
      try {
        w.sim.comment(repo, issue, "/specify Add a dark mode toggle", "alice");
        await w.until(
          "implement to wait for approval",
          implementWaits(w, repo),
        );
      } finally {
        clearInterval(release);
      }
      const branch = await featureBranch(w, repo);
      expect(await repo.git.subjects(branch)).toHaveLength(4);
      // One workflow run per stage: no double dispatch.
      expect(
        w.sim.workflowRunsOf(repo).map((r) => r.display_title.split(" ")[2]),
      ).toEqual(STAGES);
      expect(w.sim.pulls(repo)).toHaveLength(1);
      expect(w.sim.webhooks.log.some((d) => d.duplicate)).toBe(true);
      expect(w.problems()).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "the App killed in the middle of a run and started again finishes the run",
    async () => {
      const { world: w, repo, issue } = await setUp();
      w.sim.comment(repo, issue, "/specify Add a dark mode toggle", "alice");
      await w.until(
        "plan to be dispatched",
        () => w.sim.workflowRunsOf(repo).length >= 2,
      );
      await w.stopApp("SIGKILL");
      // GitHub goes on without it: what it sends now fails, until the App,
      // back, asks for it again.
      await w.sim.idle();
      await w.startApp();
      await w.until("implement to wait for approval", implementWaits(w, repo));
      const branch = await featureBranch(w, repo);
      expect(await repo.git.subjects(branch)).toHaveLength(4);
      expect(w.sim.workflowRunsOf(repo)).toHaveLength(4);
      // What failed while it was down, it asked for again.
      const log = w.sim.webhooks.log;
      const missed = log.filter((d) => d.status === 0 && !d.dropped);
      expect(missed.length).toBeGreaterThan(0);
      for (const delivery of missed) {
        expect(
          log.some(
            (d) => d.guid === delivery.guid && d.redelivery && d.status === 200,
          ),
          `${delivery.event}.${delivery.action}`,
        ).toBe(true);
      }
      expect(w.problems()).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "with a fifth of the webhooks dropped, the reconciler completes every run",
    async () => {
      let n = 0;
      const first = new Set<string>();
      const { world: w, repo, issue } = await setUp({ seed: 3 });
      // The first /specify comment and the first label never reach the App,
      // nor does every fifth of the other deliveries (the App's own comments
      // included); what GitHub sends again when asked arrives.
      w.sim.webhooks.policy = {
        drop: ({ event, redelivery }) => {
          if (redelivery) return false;
          if (
            (event === "issue_comment" || event === "pull_request") &&
            !first.has(event)
          ) {
            first.add(event);
            return true;
          }
          return n++ % 5 === 2;
        },
      };
      const other = w.sim.openIssue(repo, {
        title: "Search",
        body: "Find things.",
        user: "alice",
      });
      w.sim.comment(repo, issue, "/specify Add a dark mode toggle", "alice");
      w.sim.comment(repo, other, "/specify Add search", "alice");
      await w.until(
        "both runs to wait for approval",
        () =>
          w.sim
            .checkRunsOf(repo)
            .filter(
              (c) =>
                c.name === "Specwright: Implement (approval)" &&
                c.conclusion === "action_required",
            ).length === 2,
      );
      const pulls = w.sim.pulls(repo);
      expect(pulls).toHaveLength(2);
      for (const pull of pulls) {
        w.sim.label(repo, pull.number, "specwright:implement", "bob");
      }
      await w.until("both runs to finish", () =>
        pulls.every((pull) =>
          w.sim
            .commentsOn(repo, pull.number)
            .some((c) => c.body.includes("finished")),
        ),
      );

      const log = w.sim.webhooks.log;
      const dropped = log.filter((d) => d.dropped);
      expect(dropped.length).toBeGreaterThanOrEqual(log.length / 6);
      expect(new Set(dropped.map((d) => d.event))).toEqual(
        new Set([
          "issue_comment",
          "pull_request",
          "check_run",
          "workflow_run",
          "workflow_job",
        ]),
      );
      // Each dropped trigger was sent again because the App asked.
      for (const event of ["issue_comment", "pull_request"]) {
        const lost = dropped.find((d) => d.event === event);
        expect(
          log.some(
            (d) => d.guid === lost?.guid && d.redelivery && d.status === 200,
          ),
          event,
        ).toBe(true);
      }
      for (const pull of pulls) {
        const branch = pull.pull?.head ?? "";
        expect(await repo.git.subjects(branch)).toHaveLength(5);
      }
      expect(w.problems()).toEqual([]);
      const runs = await w.runs();
      expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded"]);
    },
    TIMEOUT,
  );
});
