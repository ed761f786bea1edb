import { strFromU8, unzipSync } from "fflate";
import { ProbotOctokit } from "probot";
import { describe, expect, it, vi } from "vitest";
import type { StageRequest } from "../../src/contracts/stage-request.js";
import type { Effect } from "../../src/engine/effects.js";
import type { RunState } from "../../src/engine/run-state.js";
import { createCheckRun } from "../../src/github/check-runs.js";
import { collectResult } from "../../src/github/collect-result.js";
import {
  BranchMovedError,
  commitChanges,
} from "../../src/github/commit-changes.js";
import { createBranch } from "../../src/github/create-branch.js";
import { dispatchStage } from "../../src/github/dispatch-stage.js";
import type { EffectContext } from "../../src/github/effect-context.js";
import { openPullRequest } from "../../src/github/open-pull-request.js";
import {
  giveUpEvent,
  recoveredEvent,
} from "../../src/github/perform-effect.js";
import { createTrackingComment } from "../../src/github/tracking-comment.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import {
  applyAll,
  at,
  BASE_SHA,
  BRANCH,
  makeRun,
  on,
  RUN_ID,
  settingsFor,
  workflowRunId,
} from "../engine/fixtures.js";
import { nockArtifact } from "../mocks/actions.js";
import { capture } from "../mocks/issues.js";
import { buildBundle } from "../support/bundle.js";
import { github } from "../support/github.js";

const TestOctokit = ProbotOctokit.defaults((options: object) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));
const REPO = "/repos/acme/web";
const NOW = new Date("2026-11-21T10:00:00.000Z");

function context(state: RunState, retries = 0) {
  const log = { info: vi.fn(), warn: vi.fn() };
  const value: EffectContext = {
    octokit: new TestOctokit({ auth: "token" }),
    state,
    retries,
    now: () => NOW,
    log,
  };
  return { ...value, log };
}

/** The default workflow's run, its branch created and specify dispatched. */
function dispatchedRun(settings = settingsFor()): {
  state: RunState;
  request: StageRequest;
} {
  const { state, effects } = applyAll(
    makeRun(DEFAULT_WORKFLOW_SOURCE, { settings }),
    [on.start(), on.branchCreated()],
  );
  const dispatch = effects.find((e) => e.kind === "dispatch_stage");
  if (dispatch?.kind !== "dispatch_stage") throw new Error("no dispatch");
  return { state, request: dispatch.request };
}

describe("createBranch", () => {
  const queued = applyAll(makeRun(DEFAULT_WORKFLOW_SOURCE), [on.start()]).state;
  const ref = `${REPO}/git/refs`;

  it("fails the run when the base branch does not exist", async () => {
    github().get(`${REPO}/branches/main`).reply(404, { message: "Not Found" });
    expect(await createBranch(context(queued))).toEqual({
      type: "branch_failed",
      error: "the base branch 'main' does not exist",
      at: NOW.toISOString(),
    });
  });

  it("refuses a branch that already exists on a first try: someone else made it", async () => {
    github()
      .get(`${REPO}/branches/main`)
      .reply(200, {
        name: "main",
        commit: { sha: BASE_SHA, commit: { tree: { sha: "t".repeat(40) } } },
      })
      .post(ref)
      .reply(422, { message: "Reference already exists" });
    expect(await createBranch(context(queued))).toEqual({
      type: "branch_failed",
      error: `a branch named '${BRANCH}' already exists, and Specwright did not create it`,
      at: NOW.toISOString(),
    });
  });

  it("takes the branch an earlier try made", async () => {
    github()
      .get(`${REPO}/branches/main`)
      .reply(200, {
        name: "main",
        commit: { sha: BASE_SHA, commit: { tree: { sha: "t".repeat(40) } } },
      })
      .post(ref)
      .reply(422, { message: "Reference already exists" })
      .get(`${REPO}/git/ref/${encodeURIComponent(`heads/${BRANCH}`)}`)
      .reply(200, {
        ref: `refs/heads/${BRANCH}`,
        object: { sha: "c".repeat(40), type: "commit" },
      });
    expect(await createBranch(context(queued, 1))).toEqual({
      type: "branch_created",
      sha: "c".repeat(40),
      at: NOW.toISOString(),
    });
  });
});

describe("dispatchStage", () => {
  const dispatches = `${REPO}/actions/workflows/specwright.yml/dispatches`;

  it("dispatches without return_run_details where the server refuses the field", async () => {
    const { state, request } = dispatchedRun();
    const sent = capture<{ ref: string; return_run_details?: boolean }>();
    github()
      .post(dispatches, sent.match)
      .reply(422, {
        message:
          'Invalid request.\n\n"return_run_details" is not a permitted key.',
      })
      .post(dispatches, sent.match)
      .reply(204);
    const event = await dispatchStage(context(state), {
      stage: "specify",
      attempt: 1,
      request,
    });
    expect(event).toEqual({
      type: "stage_dispatched",
      stage: "specify",
      attempt: 1,
      workflow_run_id: null,
      workflow_run_url: null,
      at: NOW.toISOString(),
    });
    expect(sent.bodies.map((b) => b.return_run_details)).toEqual([
      true,
      undefined,
    ]);
    expect(sent.bodies.map((b) => b.ref)).toEqual([BRANCH, BRANCH]);
  });

  it("explains a missing stage workflow", async () => {
    const { state, request } = dispatchedRun();
    github().post(dispatches).reply(404, { message: "Not Found" });
    expect(
      await dispatchStage(context(state), {
        stage: "specify",
        attempt: 1,
        request,
      }),
    ).toMatchObject({
      type: "dispatch_failed",
      error:
        "the stage workflow .github/workflows/specwright.yml was not found on the default branch; copy it there (see the README) or set stage_workflow in .github/specwright.yml",
    });
  });

  it("uses the configured stage workflow file", async () => {
    const { state, request } = dispatchedRun(
      settingsFor({ stage_workflow: "agents.yaml" }),
    );
    github()
      .post(`${REPO}/actions/workflows/agents.yaml/dispatches`)
      .reply(200, {
        workflow_run_id: 9,
        run_url: "u",
        html_url: "https://github.com/acme/web/actions/runs/9",
      });
    expect(
      await dispatchStage(context(state), {
        stage: "specify",
        attempt: 1,
        request,
      }),
    ).toMatchObject({
      type: "stage_dispatched",
      workflow_run_id: 9,
      workflow_run_url: "https://github.com/acme/web/actions/runs/9",
    });
  });

  it("finds the run an earlier try dispatched instead of dispatching again", async () => {
    const { state, request } = dispatchedRun();
    github()
      .get(`${REPO}/actions/workflows/specwright.yml/runs`)
      .query({ branch: BRANCH, event: "workflow_dispatch", per_page: "50" })
      .reply(200, {
        total_count: 2,
        workflow_runs: [
          {
            id: 1,
            display_title: `specwright ${RUN_ID} plan 1`,
            html_url: "https://github.com/acme/web/actions/runs/1",
          },
          {
            id: 2,
            display_title: `specwright ${RUN_ID} specify 1`,
            html_url: "https://github.com/acme/web/actions/runs/2",
          },
        ],
      });
    expect(
      await dispatchStage(context(state, 1), {
        stage: "specify",
        attempt: 1,
        request,
      }),
    ).toMatchObject({
      type: "stage_dispatched",
      workflow_run_id: 2,
    });
  });

  it("never dispatches on a ref the run did not create", async () => {
    const { state, request } = dispatchedRun();
    const event = await dispatchStage(context(state), {
      stage: "specify",
      attempt: 1,
      request: { ...request, branch: "main" },
    });
    expect(event).toMatchObject({
      type: "dispatch_failed",
      error: `refusing to dispatch on 'main': only the run's own branch '${BRANCH}' may be used`,
    });
  });
});

describe("commitChanges", () => {
  const { state } = dispatchedRun();
  const parent = BASE_SHA;
  const request = {
    branch: BRANCH,
    parent,
    message: "specwright(specify): Specify",
    trailers: {
      "Specwright-Run": RUN_ID,
      "Specwright-Stage": "specify",
      "Specwright-Attempt": "1",
    },
  };
  const trailers = `Specwright-Run: ${RUN_ID}\nSpecwright-Stage: specify\nSpecwright-Attempt: 1`;

  it("sends binary files as blobs and deletions as null entries", async () => {
    const tree = capture<{ tree: unknown[] }>();
    github()
      .get(`${REPO}/git/commits/${parent}`)
      .reply(200, { sha: parent, message: "m", tree: { sha: "t".repeat(40) } })
      .post(`${REPO}/git/blobs`, {
        content: "iVBORw0KGgo=",
        encoding: "base64",
      })
      .reply(201, { sha: "b".repeat(40) })
      .post(`${REPO}/git/trees`, tree.match)
      .reply(201, { sha: "n".repeat(40) })
      .post(`${REPO}/git/commits`)
      .reply(201, { sha: "c".repeat(40) })
      .patch(`${REPO}/git/refs/${encodeURIComponent(`heads/${BRANCH}`)}`, {
        sha: "c".repeat(40),
        force: false,
      })
      .reply(200, {});
    const sha = await commitChanges(context(state), {
      ...request,
      files: [
        {
          path: "logo.png",
          mode: "100644",
          encoding: "base64",
          content: "iVBORw0KGgo=",
        },
        { path: "old.txt", deleted: true },
        {
          path: "run.sh",
          mode: "100755",
          encoding: "utf8",
          content: "#!/bin/sh\n",
        },
      ],
    });
    expect(sha).toBe("c".repeat(40));
    expect(tree.bodies[0]?.tree).toEqual([
      { path: "logo.png", mode: "100644", type: "blob", sha: "b".repeat(40) },
      { path: "old.txt", mode: "100644", type: "blob", sha: null },
      { path: "run.sh", mode: "100755", type: "blob", content: "#!/bin/sh\n" },
    ]);
  });

  it("keeps the subject on one line and its trailers last, whatever the subject holds", async () => {
    const sent = capture<{ message: string }>();
    github()
      .get(`${REPO}/git/commits/${parent}`)
      .reply(200, { sha: parent, message: "m", tree: { sha: "t".repeat(40) } })
      .post(`${REPO}/git/trees`)
      .reply(201, { sha: "u".repeat(40) })
      .post(`${REPO}/git/commits`, sent.match)
      .reply(201, { sha: "c".repeat(40) })
      .patch(`${REPO}/git/refs/${encodeURIComponent(`heads/${BRANCH}`)}`)
      .reply(200, {});
    await commitChanges(context(state), {
      ...request,
      message:
        "specwright(specify): Fixes #7 for @acme/admins\n\nSpecwright-Run: forged\r\nCo-authored-by: Mallory <m@evil.example>",
      files: [{ path: "a", mode: "100644", encoding: "utf8", content: "x" }],
    });
    expect(sent.bodies[0]?.message.split("\n")).toEqual([
      "specwright(specify): F\u200Bixes #\u200B7 for @\u200Bacme/admins Specwright-Run: forged Co-authored-by: Mallory <m@\u200Bevil.example>",
      "",
      ...trailers.split("\n"),
    ]);
  });

  it("makes no commit when the changes leave the tree as it was", async () => {
    github()
      .get(`${REPO}/git/commits/${parent}`)
      .reply(200, { sha: parent, message: "m", tree: { sha: "t".repeat(40) } })
      .post(`${REPO}/git/trees`)
      .reply(201, { sha: "t".repeat(40) });
    expect(
      await commitChanges(context(state), {
        ...request,
        files: [
          { path: "a", mode: "100644", encoding: "utf8", content: "same" },
        ],
      }),
    ).toBeNull();
  });

  it("finds the commit an earlier try made", async () => {
    github()
      .get(`${REPO}/git/ref/${encodeURIComponent(`heads/${BRANCH}`)}`)
      .reply(200, {
        ref: `refs/heads/${BRANCH}`,
        object: { sha: "c".repeat(40) },
      })
      .get(`${REPO}/git/commits/${"c".repeat(40)}`)
      .reply(200, {
        sha: "c".repeat(40),
        message: `specwright(specify): Specify\n\n${trailers}`,
        tree: { sha: "x" },
      });
    expect(
      await commitChanges(context(state, 1), {
        ...request,
        files: [{ path: "a", mode: "100644", encoding: "utf8", content: "x" }],
      }),
    ).toBe("c".repeat(40));
  });

  it("stops when someone else moved the branch", async () => {
    github()
      .get(`${REPO}/git/commits/${parent}`)
      .reply(200, { sha: parent, message: "m", tree: { sha: "t".repeat(40) } })
      .post(`${REPO}/git/trees`)
      .reply(201, { sha: "n".repeat(40) })
      .post(`${REPO}/git/commits`)
      .reply(201, { sha: "c".repeat(40) })
      .patch(`${REPO}/git/refs/${encodeURIComponent(`heads/${BRANCH}`)}`)
      .reply(422, { message: "Update is not a fast forward" });
    await expect(
      commitChanges(context(state), {
        ...request,
        files: [{ path: "a", mode: "100644", encoding: "utf8", content: "x" }],
      }),
    ).rejects.toBeInstanceOf(BranchMovedError);
  });
});

describe("openPullRequest", () => {
  const committed = applyAll(
    makeRun(DEFAULT_WORKFLOW_SOURCE, {
      settings: settingsFor({
        pull_request: { labels: ["spec"], title_prefix: "spec: " },
      }),
    }),
    [on.start(), on.branchCreated()],
  ).state;

  it("uses the pull request an earlier try opened, labels it, and tolerates a refused review request", async () => {
    const sent = capture<{ title: string; draft: boolean }>();
    github()
      .post(`${REPO}/pulls`, sent.match)
      .reply(422, {
        message: "Validation Failed",
        errors: [
          { message: `A pull request already exists for acme:${BRANCH}.` },
        ],
      })
      .get(`${REPO}/pulls`)
      .query({ head: `acme:${BRANCH}`, state: "open" })
      .reply(200, [
        { number: 12, html_url: "https://github.com/acme/web/pull/12" },
      ])
      .post(`${REPO}/issues/12/labels`, { labels: ["spec"] })
      .reply(200, [])
      .post(`${REPO}/pulls/12/requested_reviewers`, { reviewers: ["octocat"] })
      .reply(422, {
        message: "Reviews may only be requested from collaborators.",
      });
    const ctx = context(committed);
    expect(await openPullRequest(ctx)).toEqual({
      type: "pull_request_opened",
      number: 12,
      url: "https://github.com/acme/web/pull/12",
      at: NOW.toISOString(),
    });
    expect(sent.bodies[0]).toMatchObject({
      title: "spec: Add a dark mode toggle",
      draft: true,
    });
    expect(ctx.log.warn).toHaveBeenCalledWith(
      expect.stringContaining("could not request a review from octocat"),
    );
  });
});

describe("openPullRequest where GitHub refuses drafts", () => {
  const refusal = {
    message: "Draft pull requests are not supported in this repository.",
    documentation_url:
      "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
    status: "422",
  };
  const run = (settings = settingsFor()) =>
    applyAll(makeRun(DEFAULT_WORKFLOW_SOURCE, { settings }), [
      on.start(),
      on.branchCreated(),
    ]).state;

  it("opens it again as a ready pull request, and says so", async () => {
    const sent = capture<{ draft: boolean; head: string; title: string }>();
    const scope = github()
      .post(`${REPO}/pulls`, sent.match)
      .reply(422, refusal)
      .post(`${REPO}/pulls`, sent.match)
      .reply(201, {
        number: 12,
        html_url: "https://github.com/acme/web/pull/12",
      })
      .post(`${REPO}/pulls/12/requested_reviewers`, { reviewers: ["octocat"] })
      .reply(201, { number: 12 });
    const ctx = context(run());
    expect(await openPullRequest(ctx)).toEqual({
      type: "pull_request_opened",
      number: 12,
      url: "https://github.com/acme/web/pull/12",
      draft_refused: true,
      at: NOW.toISOString(),
    });
    expect(sent.bodies).toEqual([
      expect.objectContaining({ head: BRANCH, draft: true }),
      expect.objectContaining({ head: BRANCH, draft: false }),
    ]);
    expect(sent.bodies[0]?.title).toBe(sent.bodies[1]?.title);
    expect(scope.isDone()).toBe(true);
  });

  it("reports the pull request opened though its labels were refused", async () => {
    github()
      .post(`${REPO}/pulls`)
      .reply(201, {
        number: 12,
        html_url: "https://github.com/acme/web/pull/12",
      })
      .post(`${REPO}/issues/12/labels`, { labels: ["spec"] })
      .reply(403, { message: "Resource not accessible by integration" })
      .post(`${REPO}/pulls/12/requested_reviewers`)
      .reply(201, { number: 12 });
    const ctx = context(
      run(settingsFor({ pull_request: { labels: ["spec"] } })),
    );
    expect(await openPullRequest(ctx)).toMatchObject({
      type: "pull_request_opened",
      number: 12,
    });
    expect(ctx.log.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        "could not add the labels spec to pull request #12",
      ),
    );
  });

  it("does not try again as ready on another refusal", async () => {
    github()
      .post(`${REPO}/pulls`)
      .reply(422, {
        message: "Validation Failed",
        errors: [{ resource: "PullRequest", field: "head", code: "invalid" }],
      });
    await expect(openPullRequest(context(run()))).rejects.toMatchObject({
      status: 422,
    });
  });

  it("uses the ready pull request an earlier try opened after a refused draft", async () => {
    const sent = capture<{ draft: boolean }>();
    const scope = github()
      .post(`${REPO}/pulls`, sent.match)
      .reply(422, refusal)
      .post(`${REPO}/pulls`, sent.match)
      .reply(422, {
        message: "Validation Failed",
        errors: [
          { message: `A pull request already exists for acme:${BRANCH}.` },
        ],
      })
      .get(`${REPO}/pulls`)
      .query({ head: `acme:${BRANCH}`, state: "open" })
      .reply(200, [
        { number: 12, html_url: "https://github.com/acme/web/pull/12" },
      ])
      .post(`${REPO}/pulls/12/requested_reviewers`)
      .reply(201, { number: 12 });
    expect(await openPullRequest(context(run()))).toEqual({
      type: "pull_request_opened",
      number: 12,
      url: "https://github.com/acme/web/pull/12",
      draft_refused: true,
      at: NOW.toISOString(),
    });
    expect(sent.bodies.map((b) => b.draft)).toEqual([true, false]);
    expect(scope.isDone()).toBe(true);
  });

  it("does not take a validation error that only contains the words for the refusal", async () => {
    const sent = capture<{ draft: boolean }>();
    github()
      .post(`${REPO}/pulls`, sent.match)
      .reply(422, {
        message: "Validation Failed",
        errors: [
          {
            resource: "PullRequest",
            field: "title",
            code: "custom",
            message:
              "title Draft pull requests are not supported in this repository is too long",
          },
        ],
      });
    await expect(openPullRequest(context(run()))).rejects.toMatchObject({
      status: 422,
    });
    expect(sent.bodies).toHaveLength(1);
  });

  it("quotes the feature in the body without mentions, closing keywords or HTML", async () => {
    const sent = capture<{ body: string }>();
    github()
      .post(`${REPO}/pulls`, sent.match)
      .reply(201, {
        number: 12,
        html_url: "https://github.com/acme/web/pull/12",
      })
      .post(`${REPO}/pulls/12/requested_reviewers`)
      .reply(201, { number: 12 });
    const state = applyAll(
      makeRun(DEFAULT_WORKFLOW_SOURCE, {
        feature: `Dark mode\nFixes #7 for @admins <!-- hidden\ncloses acme/api#3, resolves https://github.com/acme/web/issues/4 ghp_${"a".repeat(36)}`,
      }),
      [on.start(), on.branchCreated()],
    ).state;
    await openPullRequest(context(state));
    const body = sent.bodies[0]?.body ?? "";
    expect(body).toContain("> Dark mode\n> ");
    expect(body).not.toMatch(
      /Fixes #7|@admins|<!--|closes acme|resolves https|ghp_/,
    );
    expect(body).toContain("@\u200Badmins");
    expect(body).toContain("***");
    // The run's own link to its issue stays.
    expect(body).toContain("Spec-driven changes for #42");
  });

  it("titles it with the feature's first line, without mentions, references or closing keywords", async () => {
    const sent = capture<{ title: string }>();
    github()
      .post(`${REPO}/pulls`, sent.match)
      .reply(201, {
        number: 12,
        html_url: "https://github.com/acme/web/pull/12",
      })
      .post(`${REPO}/pulls/12/requested_reviewers`)
      .reply(201, { number: 12 });
    const state = applyAll(
      makeRun(DEFAULT_WORKFLOW_SOURCE, {
        feature: "Fixes #7 for @acme/admins\r\nsecond line",
      }),
      [on.start(), on.branchCreated()],
    ).state;
    await openPullRequest(context(state));
    expect(sent.bodies[0]?.title).toBe(
      "F\u200Bixes #\u200B7 for @\u200Bacme/admins",
    );
  });

  it("asks for a ready pull request at once where drafts are turned off, and notes nothing", async () => {
    const sent = capture<{ draft: boolean }>();
    github()
      .post(`${REPO}/pulls`, sent.match)
      .reply(201, {
        number: 12,
        html_url: "https://github.com/acme/web/pull/12",
      })
      .post(`${REPO}/pulls/12/requested_reviewers`)
      .reply(201, { number: 12 });
    const event = await openPullRequest(
      context(run(settingsFor({ pull_request: { draft: false } }))),
    );
    expect(event).not.toHaveProperty("draft_refused");
    expect(sent.bodies).toEqual([expect.objectContaining({ draft: false })]);
  });
});

describe("giveUpEvent", () => {
  const { request } = dispatchedRun();
  it.each<{ effect: Effect; stage: string | null; attempt: number | null }>([
    { effect: { kind: "create_tracking_comment" }, stage: null, attempt: null },
    { effect: { kind: "update_tracking_comment" }, stage: null, attempt: null },
    { effect: { kind: "create_branch" }, stage: null, attempt: null },
    {
      effect: { kind: "create_check_run", stage: "specify", attempt: 1 },
      stage: "specify",
      attempt: 1,
    },
    {
      effect: { kind: "update_check_run", stage: "specify", attempt: 1 },
      stage: "specify",
      attempt: 1,
    },
    {
      effect: { kind: "dispatch_stage", stage: "specify", attempt: 1, request },
      stage: "specify",
      attempt: 1,
    },
    {
      effect: {
        kind: "collect_result",
        stage: "specify",
        attempt: 1,
        workflow_run_id: 5,
        conclusion: "success",
      },
      stage: "specify",
      attempt: 1,
    },
    { effect: { kind: "open_pull_request" }, stage: null, attempt: null },
    { effect: { kind: "move_tracking_comment" }, stage: null, attempt: null },
    { effect: { kind: "ensure_labels" }, stage: null, attempt: null },
    {
      effect: {
        kind: "cancel_workflow_run",
        stage: "specify",
        attempt: 1,
        workflow_run_id: 5,
      },
      stage: "specify",
      attempt: 1,
    },
    {
      effect: {
        kind: "create_gate_check_run",
        stage: "implement",
        waiting_since: NOW.toISOString(),
      },
      stage: "implement",
      attempt: null,
    },
    {
      effect: { kind: "update_gate_check_run", stage: "implement" },
      stage: "implement",
      attempt: null,
    },
    {
      effect: {
        kind: "post_notice",
        notice: { type: "run_finished" },
        key: "finished",
      },
      stage: null,
      attempt: null,
    },
  ])(
    "tells the engine $effect.kind failed for good, for its stage",
    ({ effect, stage, attempt }) => {
      expect(
        giveUpEvent(effect, "Forbidden", false, NOW.toISOString()),
      ).toEqual({
        type: "effect_failed",
        kind: effect.kind,
        stage,
        attempt,
        message: "Forbidden",
        transient: false,
        at: NOW.toISOString(),
      });
    },
  );
});

describe("giveUpEvent and recoveredEvent", () => {
  it("keeps no credential from GitHub's message in the run", () => {
    const event = giveUpEvent(
      {
        kind: "collect_result",
        stage: "specify",
        attempt: 1,
        workflow_run_id: 5,
        conclusion: "success",
      },
      "request to https://blob.example/x.zip?sig=abcdef failed; token ghs_16C7e42F292c6912E7710c838347Ae178B4a",
      true,
      NOW.toISOString(),
    );
    expect(event).toMatchObject({
      message: "request to https://blob.example/x.zip?*** failed; token ***",
    });
  });

  it("says an effect worked only where the run keeps its failure", () => {
    const { state } = dispatchedRun();
    const effect: Effect = {
      kind: "update_check_run",
      stage: "specify",
      attempt: 1,
    };
    expect(recoveredEvent(effect, state, NOW.toISOString())).toBeNull();
    state.problems = [
      {
        kind: "update_check_run",
        stage: "specify",
        attempt: 1,
        message: "Server Error",
        at: NOW.toISOString(),
      },
    ];
    expect(recoveredEvent(effect, state, NOW.toISOString())).toEqual({
      type: "effect_recovered",
      kind: "update_check_run",
      stage: "specify",
      attempt: 1,
      at: NOW.toISOString(),
    });
    expect(
      recoveredEvent({ ...effect, attempt: 2 }, state, NOW.toISOString()),
    ).toBeNull();
  });
});

describe("collectResult", () => {
  it.each([["the run was cancelled", on.cancel("m")]])(
    "commits nothing when %s before the result was collected",
    async (_, event) => {
      const { state } = dispatchedRun();
      const stopped = applyAll(state, [
        on.runUpdated("specify", 1, "completed", { time: at(3) }),
        event,
      ]).state;
      // No mocks: any request to GitHub would fail the test.
      expect(
        await collectResult(context(stopped), {
          stage: "specify",
          attempt: 1,
          workflow_run_id: workflowRunId("specify"),
          conclusion: "success",
        }),
      ).toMatchObject({ type: "result_missing", retryable: false });
    },
  );
});

describe("collectResult and the runner's warnings", () => {
  const WARNING =
    "Spec Kit is set up (.specify/) but no claude commands were found; run `specify init --here --integration claude` to install them";

  /** A failed specify's bundle (nothing to commit), its result.json patched. */
  function bundle(patch: Record<string, unknown>): Uint8Array {
    const options = {
      runId: RUN_ID,
      stage: "specify",
      baseSha: BASE_SHA,
      status: "failed" as const,
      error: "the agent gave up",
    };
    const plain = unzipSync(buildBundle(options))["result.json"];
    const result = JSON.parse(strFromU8(plain ?? new Uint8Array()));
    return buildBundle({
      ...options,
      entries: { "result.json": JSON.stringify({ ...result, ...patch }) },
    });
  }

  it.each<[string, Record<string, unknown>, string[]]>([
    ["carries them into the event", { warnings: [WARNING] }, [WARNING]],
    ["takes a bundle from before they were kept as none", {}, []],
  ])("%s", async (_, patch, warnings) => {
    const { state } = dispatchedRun();
    const completed = applyAll(state, [
      on.runUpdated("specify", 1, "completed", { time: at(3) }),
    ]).state;
    const id = workflowRunId("specify");
    const scope = nockArtifact(
      id,
      `specwright-${RUN_ID}-specify-1`,
      bundle(patch),
    );
    const event = await collectResult(context(completed), {
      stage: "specify",
      attempt: 1,
      workflow_run_id: id,
      conclusion: "success",
    });
    expect(scope.isDone()).toBe(true);
    expect(event).toMatchObject({
      type: "result_collected",
      result: { status: "failed", warnings },
    });
  });
});

describe("retries look for what an earlier try did", () => {
  it("finds the check run by its external id", async () => {
    const { state } = dispatchedRun();
    github()
      .get(`${REPO}/commits/${BASE_SHA}/check-runs`)
      .query({ check_name: "Specwright: Specify", filter: "all" })
      .reply(200, {
        total_count: 1,
        check_runs: [{ id: 77, external_id: `specwright:${RUN_ID}:specify:1` }],
      });
    expect(
      await createCheckRun(context(state, 2), { stage: "specify", attempt: 1 }),
    ).toMatchObject({
      type: "check_run_created",
      check_run_id: 77,
    });
  });

  it("finds the tracking comment by its marker", async () => {
    const { state } = dispatchedRun();
    github()
      .get(`${REPO}/issues/42/comments`)
      .query({ since: state.created_at, per_page: "100" })
      .reply(200, [
        { id: 1, body: "first" },
        { id: 2, body: `<!-- specwright:run=${RUN_ID} -->\n### Specwright` },
      ]);
    expect(await createTrackingComment(context(state, 1))).toMatchObject({
      type: "tracking_comment_created",
      comment_id: 2,
    });
  });

  it("reads at most ten pages of comments looking for it, then posts anew", async () => {
    const { state } = dispatchedRun();
    const page = (n: number) =>
      `<https://api.github.com${REPO}/issues/42/comments?since=${encodeURIComponent(state.created_at)}&per_page=100&page=${n}>; rel="next"`;
    github()
      .get(`${REPO}/issues/42/comments`)
      .query({ since: state.created_at, per_page: "100" })
      .reply(200, [{ id: 1, body: "chatter" }], { link: page(2) });
    for (let n = 2; n <= 10; n++) {
      github()
        .get(`${REPO}/issues/42/comments`)
        .query({ since: state.created_at, per_page: "100", page: String(n) })
        .reply(200, [{ id: n, body: "chatter" }], { link: page(n + 1) });
    }
    github().post(`${REPO}/issues/42/comments`).reply(201, { id: 99 });
    expect(await createTrackingComment(context(state, 1))).toMatchObject({
      comment_id: 99,
    });
  });
});
