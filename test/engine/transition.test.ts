import { describe, expect, it } from "vitest";
import {
  PROMPT_PACK_VERSION,
  type StageRequest,
} from "../../src/contracts/stage-request.js";
import type { Effect } from "../../src/engine/effects.js";
import type { RunEvent } from "../../src/engine/events.js";
import { pendingStage, type RunState } from "../../src/engine/run-state.js";
import { transition } from "../../src/engine/transition.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import {
  applyAll,
  at,
  attemptOf,
  BASE_SHA,
  BRANCH,
  committed,
  dispatched,
  dispatchOf,
  expectNoOp,
  FEATURE,
  failed,
  finishStage,
  ISSUE,
  makeRun,
  newAttempt,
  notice,
  notRun,
  on,
  RUN_ID,
  sha,
  stageEvents,
  stageOf,
  startedRun,
  step,
  succeeded,
  workflowRunId,
  workflowRunUrl,
} from "./fixtures.js";

const SINGLE = { stages: [{ id: "a" }] };
const LINEAR = { stages: [{ id: "a" }, { id: "b", depends_on: ["a"] }] };
const PARALLEL = { stages: [{ id: "a" }, { id: "b" }] };

const SPEC_DIR = "specs/001-dark-mode";
const C1 = sha(0xc1);
const C2 = sha(0xc2);
const C3 = sha(0xc3);

/** The request the default workflow's `specify` gets on a fresh branch. */
const SPECIFY_REQUEST: StageRequest = {
  version: 1,
  run_id: RUN_ID,
  stage: "specify",
  stage_name: "Specify",
  attempt: 1,
  repository: "acme/web",
  base_branch: "main",
  branch: BRANCH,
  base_sha: BASE_SHA,
  feature: { text: FEATURE, issue: ISSUE },
  spec_dir: null,
  agent: {
    backend: "claude",
    args: [],
    timeout_minutes: 30,
    prompt_via: "stdin",
  },
  job_timeout_minutes: 45,
  skill: {
    id: "speckit",
    is_speckit: true,
    allowlisted: true,
    fallback: true,
    health_check: null,
  },
  prompt_pack_version: PROMPT_PACK_VERSION,
  prompt: null,
  outputs: [
    {
      name: "spec",
      type: "file",
      path: "specs/*/spec.md",
      must_change: true,
      required: true,
      description: "The feature specification",
    },
  ],
  inputs: {},
  parameters: {},
  env: {},
  artifact: { name: `specwright-${RUN_ID}-specify-1`, retention_days: 30 },
};

/** A run with `a` dispatched, its workflow run known, and running. */
function runningSingle(): RunState {
  const { state } = startedRun(SINGLE);
  return applyAll(state, [
    on.stageDispatched("a"),
    on.runUpdated("a", 1, "in_progress"),
  ]).state;
}

describe("transition", () => {
  describe("start", () => {
    it.each<{ name: string; issue: typeof ISSUE | null; effects: Effect[] }>([
      {
        name: "with an issue: a tracking comment and the branch",
        issue: ISSUE,
        effects: [
          { kind: "create_tracking_comment" },
          { kind: "ensure_labels" },
          { kind: "create_branch" },
        ],
      },
      {
        name: "without an issue: the labels and the branch",
        issue: null,
        effects: [{ kind: "ensure_labels" }, { kind: "create_branch" }],
      },
    ])("asks for $name", ({ issue, effects }) => {
      const queued = makeRun(SINGLE, { issue });
      const start = on.start();
      const result = step(queued, start);

      expect(result.effects).toStrictEqual(effects);
      expect(result.state).toStrictEqual({
        ...queued,
        version: 1,
        started_at: start.at,
      });
    });

    it("shares with its input only what no handler changes (workflow, settings, parameters), and a change elsewhere is still one", () => {
      const queued = makeRun(SINGLE, { parameters: { tone: "dry" } });
      const started = step(queued, on.start()).state;

      expect(started.workflow).toBe(queued.workflow);
      expect(started.settings).toBe(queued.settings);
      expect(started.parameters).toBe(queued.parameters);
      expect(started.stages).not.toBe(queued.stages);
      expect(started.stages[0]).not.toBe(queued.stages[0]);
      expect(started.version).toBe(queued.version + 1);
    });

    // `start` records when the run started, so a duplicate asks for nothing.
    it("does nothing when the run was already started", () => {
      const once = step(makeRun(SINGLE), on.start()).state;
      expectNoOp(once, on.start());
      const commented = step(once, on.trackingCommentCreated(900)).state;
      expectNoOp(commented, on.start());
    });

    it.each<{ name: string; events: RunEvent[] }>([
      { name: "its branch exists", events: [on.start(), on.branchCreated()] },
      {
        name: "its branch failed",
        events: [on.start(), on.branchFailed("boom")],
      },
    ])("does nothing once $name", ({ events }) => {
      const { state } = applyAll(makeRun(SINGLE), events);
      expectNoOp(state, on.start(at(9)));
    });
  });

  describe("branch_created", () => {
    it("starts the run and dispatches the first stage with a full request", () => {
      const start = on.start();
      const queued = step(makeRun(DEFAULT_WORKFLOW_SOURCE), start).state;
      const { state, effects } = step(
        queued,
        on.branchCreated(BASE_SHA, at(1)),
      );

      expect(state).toMatchObject({
        version: 2,
        status: "in_progress",
        base_sha: BASE_SHA,
        head_sha: BASE_SHA,
        started_at: start.at,
        completed_at: null,
        result_summary: null,
      });
      expect(stageOf(state, "specify")).toStrictEqual({
        ...pendingStage("specify"),
        status: "dispatched",
        attempts: [newAttempt(BASE_SHA, at(1))],
      });
      expect(
        state.stages.filter((s) => s.id !== "specify").map((s) => s.status),
      ).toStrictEqual(["pending", "pending", "pending", "pending"]);
      expect(effects).toStrictEqual([
        { kind: "create_check_run", stage: "specify", attempt: 1 },
        {
          kind: "dispatch_stage",
          stage: "specify",
          attempt: 1,
          request: SPECIFY_REQUEST,
        },
      ]);
    });

    it("dispatches every stage without dependencies at once", () => {
      const { state, effects } = startedRun(PARALLEL);
      expect(effects).toStrictEqual([
        { kind: "create_check_run", stage: "a", attempt: 1 },
        expect.objectContaining({ kind: "dispatch_stage", stage: "a" }),
        { kind: "create_check_run", stage: "b", attempt: 1 },
        expect.objectContaining({ kind: "dispatch_stage", stage: "b" }),
      ]);
      expect(state.stages.map((s) => s.status)).toStrictEqual([
        "dispatched",
        "dispatched",
      ]);
    });

    it.each<{ name: string; events: RunEvent[] }>([
      {
        name: "a second branch_created",
        events: [on.start(), on.branchCreated()],
      },
      {
        name: "branch_created after branch_failed",
        events: [on.start(), on.branchFailed("boom")],
      },
    ])("ignores $name", ({ events }) => {
      const { state } = applyAll(makeRun(SINGLE), events);
      expectNoOp(state, on.branchCreated(sha(0xdead), at(4)));
    });
  });

  describe("branch_failed", () => {
    it("fails the run with a summary", () => {
      const queued = step(makeRun(SINGLE), on.start()).state;
      const { state, effects } = step(
        queued,
        on.branchFailed("Reference already exists", at(2)),
      );

      expect(effects).toStrictEqual([notice.finished(at(2))]);
      expect(state).toStrictEqual({
        ...queued,
        version: 2,
        status: "failed",
        result_summary:
          "Could not create the feature branch: Reference already exists",
        completed_at: at(2),
        stages: notRun(queued),
      });
    });

    it("updates the tracking comment when there is one", () => {
      const { state } = applyAll(makeRun(SINGLE), [
        on.start(),
        on.trackingCommentCreated(900),
      ]);
      expect(step(state, on.branchFailed("boom", at(2))).effects).toStrictEqual(
        // The comment's edit before the notice that sends people to it.
        [{ kind: "update_tracking_comment" }, notice.finished(at(2))],
      );
    });

    it("is ignored once the branch exists", () => {
      expectNoOp(startedRun(SINGLE).state, on.branchFailed("late"));
    });
  });

  describe("records ids once", () => {
    it("keeps the first tracking comment id and does not update the comment for it", () => {
      const queued = step(makeRun(SINGLE), on.start()).state;
      const first = step(queued, on.trackingCommentCreated(900));

      expect(first.state.tracking_comment_id).toBe(900);
      expect(first.effects).toStrictEqual([]);
      expectNoOp(first.state, on.trackingCommentCreated(901));
    });

    it("keeps the first check run id of an attempt", () => {
      const { state } = startedRun(SINGLE);
      const first = step(state, on.checkRunCreated("a", 1, 55));

      expect(attemptOf(first.state, "a").check_run_id).toBe(55);
      expect(first.effects).toStrictEqual([]);
      expectNoOp(first.state, on.checkRunCreated("a", 1, 56));
    });

    it("keeps the first workflow run of an attempt", () => {
      const { state } = startedRun(SINGLE);
      const first = step(state, on.stageDispatched("a", 1, 77));

      expect(attemptOf(first.state, "a")).toMatchObject({
        workflow_run_id: 77,
        workflow_run_url: workflowRunUrl(77),
        status: "dispatched",
      });
      expect(first.effects).toStrictEqual([]);
      expectNoOp(first.state, on.stageDispatched("a", 1, 78));
    });

    it("records the workflow run later when the dispatch did not say which", () => {
      const { state } = startedRun(SINGLE);
      expectNoOp(state, on.stageDispatched("a", 1, null));
      const queued = step(state, on.runUpdated("a", 1, "queued"));

      expect(queued.effects).toStrictEqual([]);
      expect(attemptOf(queued.state, "a")).toMatchObject({
        status: "dispatched",
        workflow_run_id: workflowRunId("a"),
        workflow_run_url: workflowRunUrl(workflowRunId("a")),
      });
    });

    it.each<{ name: string; event: RunEvent }>([
      { name: "check_run_created", event: on.checkRunCreated("zz", 1, 5) },
      { name: "stage_dispatched", event: on.stageDispatched("zz", 1) },
      {
        name: "check_run_created, attempt 2",
        event: on.checkRunCreated("a", 2, 5),
      },
      {
        name: "stage_dispatched, attempt 2",
        event: on.stageDispatched("a", 2),
      },
    ])("ignores $name for an unknown stage or attempt", ({ event }) => {
      expectNoOp(startedRun(SINGLE).state, event);
    });

    it("records the pull request once", () => {
      const { state } = startedRun(SINGLE);
      const first = step(state, on.pullRequestOpened(12));
      expect(first.state.pull_request).toStrictEqual({
        number: 12,
        url: "https://github.com/acme/web/pull/12",
      });
      expect(first.effects).toStrictEqual([]);
      expectNoOp(first.state, on.pullRequestOpened(13));
    });
  });

  describe("workflow_run_updated", () => {
    const id = workflowRunId("a");

    it("marks the attempt running on in_progress and updates its check run", () => {
      const { state } = startedRun(SINGLE);
      const recorded = step(state, on.stageDispatched("a")).state;
      const result = step(
        recorded,
        on.runUpdated("a", 1, "in_progress", { time: at(3) }),
      );

      expect(result.effects).toStrictEqual([
        { kind: "update_check_run", stage: "a", attempt: 1 },
      ]);
      expect(stageOf(result.state, "a").status).toBe("running");
      expect(attemptOf(result.state, "a")).toStrictEqual(
        newAttempt(BASE_SHA, at(1), {
          status: "running",
          workflow_run_id: id,
          workflow_run_url: workflowRunUrl(id),
          started_at: at(3),
        }),
      );
    });

    it.each<{ name: string; conclusion: string | null; expected: string }>([
      { name: "success", conclusion: "success", expected: "success" },
      { name: "failure", conclusion: "failure", expected: "failure" },
      { name: "no conclusion", conclusion: null, expected: "unknown" },
    ])(
      "records the conclusion ($name) and asks to collect the result",
      ({ conclusion, expected }) => {
        const result = step(
          runningSingle(),
          on.runUpdated("a", 1, "completed", { conclusion, time: at(4) }),
        );

        expect(result.effects).toStrictEqual([
          {
            kind: "collect_result",
            stage: "a",
            attempt: 1,
            workflow_run_id: id,
            conclusion: expected,
          },
        ]);
        expect(attemptOf(result.state, "a")).toMatchObject({
          status: "running",
          conclusion: expected,
          completed_at: null,
        });
        expect(stageOf(result.state, "a").status).toBe("running");
      },
    );

    it("handles completed before in_progress, then ignores the late in_progress", () => {
      const { state } = startedRun(SINGLE);
      const completed = step(
        state,
        on.runUpdated("a", 1, "completed", { time: at(4) }),
      );

      expect(completed.effects).toStrictEqual([
        { kind: "update_check_run", stage: "a", attempt: 1 },
        {
          kind: "collect_result",
          stage: "a",
          attempt: 1,
          workflow_run_id: id,
          conclusion: "success",
        },
      ]);
      expect(attemptOf(completed.state, "a")).toMatchObject({
        status: "running",
        started_at: at(4),
        conclusion: "success",
        workflow_run_id: id,
      });
      expectNoOp(
        completed.state,
        on.runUpdated("a", 1, "in_progress", { time: at(3) }),
      );
    });

    it("leaves a dispatched attempt as it is on queued", () => {
      const recorded = step(startedRun(SINGLE).state, on.stageDispatched("a"));
      expectNoOp(recorded.state, on.runUpdated("a", 1, "queued"));
    });

    it.each<{ name: string; events: RunEvent[]; event: RunEvent }>([
      {
        name: "a duplicate in_progress",
        events: [],
        event: on.runUpdated("a", 1, "in_progress"),
      },
      {
        name: "queued after in_progress",
        events: [],
        event: on.runUpdated("a", 1, "queued"),
      },
      {
        name: "in_progress after completed",
        events: [on.runUpdated("a", 1, "completed")],
        event: on.runUpdated("a", 1, "in_progress"),
      },
      {
        name: "a duplicate completed",
        events: [on.runUpdated("a", 1, "completed")],
        event: on.runUpdated("a", 1, "completed", { conclusion: "failure" }),
      },
      {
        name: "completed after the result was collected",
        events: [
          on.runUpdated("a", 1, "completed"),
          on.resultCollected("a", 1, succeeded()),
        ],
        event: on.runUpdated("a", 1, "completed"),
      },
      {
        name: "an unknown stage",
        events: [],
        event: on.runUpdated("zz", 1, "completed"),
      },
      {
        name: "an attempt that does not exist",
        events: [],
        event: on.runUpdated("a", 2, "completed"),
      },
    ])("ignores $name", ({ events, event }) => {
      const { state } = applyAll(runningSingle(), events);
      expectNoOp(state, event);
    });
  });

  describe("result_collected", () => {
    /** The default workflow with `specify` running. */
    function specifyRunning(): RunState {
      const { state } = startedRun(DEFAULT_WORKFLOW_SOURCE);
      return applyAll(
        state,
        stageEvents(state, "specify", succeeded()).slice(0, 3),
      ).state;
    }

    it("records the result, opens the pull request and dispatches the next stage", () => {
      const result = committed(C1, BASE_SHA, {
        outputs: { spec: `${SPEC_DIR}/spec.md` },
        spec_dir: SPEC_DIR,
        phases: [
          {
            phase: "agent",
            status: "succeeded",
            started_at: at(3),
            completed_at: at(4),
          },
        ],
        usage: { input_tokens: 10, output_tokens: 20, turns: 3 },
        changed_paths: [`${SPEC_DIR}/spec.md`],
        warnings: [
          "claude 9.9.9 found; Specwright is tested with claude 2.1.197",
        ],
        artifacts: [
          {
            type: "stdout_log",
            name: "stdout.log",
            size_bytes: 12,
            storage_path: "99/stdout.log",
            expires_at: "2025-02-01T00:00:00.000Z",
          },
        ],
      });
      const running = specifyRunning();
      const { state, effects } = step(
        running,
        on.resultCollected("specify", 1, result, at(5)),
      );

      expect(state).toMatchObject({
        status: "in_progress",
        head_sha: C1,
        spec_dir: SPEC_DIR,
        pull_request: null,
      });
      expect(stageOf(state, "specify")).toMatchObject({
        status: "succeeded",
        outputs: { spec: `${SPEC_DIR}/spec.md` },
        reason: null,
      });
      expect(attemptOf(state, "specify")).toStrictEqual({
        ...attemptOf(running, "specify"),
        status: "succeeded",
        execution_path: "skill",
        selected_skill: "speckit",
        agent_version: "1.0.0",
        outputs: { spec: `${SPEC_DIR}/spec.md` },
        phases: result.phases,
        // Tokens but no cost: estimated from claude-sonnet-4-5's price
        // (10 × $3 + 20 × $15 per million tokens), and marked.
        usage: { ...result.usage, cost_usd: 0.00033 },
        cost_estimated: true,
        commit_sha: C1,
        commit_parent: BASE_SHA,
        changed_paths: [`${SPEC_DIR}/spec.md`],
        artifacts: result.artifacts,
        warnings: result.warnings,
        completed_at: at(5),
      });
      expect(stageOf(state, "plan")).toMatchObject({
        status: "dispatched",
        attempts: [newAttempt(C1, at(5))],
      });
      expect(effects).toStrictEqual([
        { kind: "update_check_run", stage: "specify", attempt: 1 },
        { kind: "open_pull_request" },
        { kind: "create_check_run", stage: "plan", attempt: 1 },
        {
          kind: "dispatch_stage",
          stage: "plan",
          attempt: 1,
          request: {
            ...SPECIFY_REQUEST,
            stage: "plan",
            stage_name: "Plan",
            base_sha: C1,
            spec_dir: SPEC_DIR,
            outputs: [
              {
                name: "plan",
                type: "file",
                path: `${SPEC_DIR}/plan.md`,
                must_change: true,
                required: true,
                description: "The implementation plan",
              },
            ],
            inputs: { spec: `${SPEC_DIR}/spec.md` },
            artifact: {
              name: `specwright-${RUN_ID}-plan-1`,
              retention_days: 30,
            },
          },
        },
      ]);
    });

    it("keeps the first spec_dir", () => {
      const { state } = startedRun(LINEAR);
      const first = finishStage(state, "a", succeeded({ spec_dir: "specs/1" }));
      const second = finishStage(
        first.state,
        "b",
        succeeded({ spec_dir: "specs/2" }),
      );
      expect(first.state.spec_dir).toBe("specs/1");
      expect(second.state.spec_dir).toBe("specs/1");
    });

    it.each<{
      name: string;
      a: ReturnType<typeof succeeded>;
      b: ReturnType<typeof succeeded>;
      prOpenedBetween: boolean;
      prEffects: [number, number];
    }>([
      {
        name: "no commit, then a commit",
        a: succeeded(),
        b: committed(C1, BASE_SHA),
        prOpenedBetween: false,
        prEffects: [0, 1],
      },
      {
        name: "a commit, then another before the pull request exists",
        a: committed(C1, BASE_SHA),
        b: committed(C2, C1),
        prOpenedBetween: false,
        prEffects: [1, 0],
      },
      {
        name: "a commit, the pull request, another commit",
        a: committed(C1, BASE_SHA),
        b: committed(C2, C1),
        prOpenedBetween: true,
        prEffects: [1, 0],
      },
      {
        name: "no commits at all",
        a: succeeded(),
        b: succeeded(),
        prOpenedBetween: false,
        prEffects: [0, 0],
      },
    ])(
      "asks for the pull request only with the first commit ($name)",
      ({ a, b, prOpenedBetween, prEffects }) => {
        const count = (effects: Effect[]) =>
          effects.filter((e) => e.kind === "open_pull_request").length;
        const first = finishStage(startedRun(LINEAR).state, "a", a);
        const between = prOpenedBetween
          ? step(first.state, on.pullRequestOpened(12)).state
          : first.state;
        const second = finishStage(between, "b", b);
        expect([count(first.effects), count(second.effects)]).toStrictEqual(
          prEffects,
        );
      },
    );

    it("moves the head with each commit and dispatches against it", () => {
      const { state } = startedRun(LINEAR);
      const first = finishStage(state, "a", committed(C1, BASE_SHA));
      expect(first.state.head_sha).toBe(C1);
      expect(attemptOf(first.state, "b").base_sha).toBe(C1);
      expect(dispatchOf(first.effects, "b").request.base_sha).toBe(C1);

      const second = finishStage(first.state, "b", succeeded());
      expect(second.state.head_sha).toBe(C1);
    });

    it("fails a stage whose output path needs the spec directory before it is known", () => {
      const running = specifyRunning();
      const result = committed(C1, BASE_SHA, {
        outputs: { spec: `${SPEC_DIR}/spec.md` },
        spec_dir: null,
      });
      const { state, effects } = step(
        running,
        on.resultCollected("specify", 1, result, at(5)),
      );
      const reason =
        "output 'plan' path '${{ run.spec_dir }}/plan.md' reads a value that is not known yet (null)";

      expect(stageOf(state, "plan")).toStrictEqual({
        ...pendingStage("plan"),
        status: "failed",
        reason,
      });
      expect(state).toMatchObject({
        status: "failed",
        result_summary: `Stage Plan failed: ${reason}`,
        completed_at: at(5),
      });
      expect(effects).toStrictEqual([
        { kind: "update_check_run", stage: "specify", attempt: 1 },
        { kind: "open_pull_request" },
        notice.finished(at(5)),
      ]);
    });

    it("fails a stage whose required input is null", () => {
      const workflow = {
        stages: [
          { id: "a" },
          {
            id: "b",
            depends_on: ["a"],
            inputs: { summary: "${{ stages.a.outputs.summary }}" },
          },
        ],
      };
      const { state, effects } = finishStage(
        startedRun(workflow).state,
        "a",
        succeeded({ outputs: { other: "x" } }),
      );
      const reason =
        "input 'summary' is required, but its source '${{ stages.a.outputs.summary }}' gave nothing";

      expect(stageOf(state, "b")).toMatchObject({
        status: "failed",
        attempts: [],
        reason,
      });
      expect(state.status).toBe("failed");
      expect(state.result_summary).toBe(`Stage b failed: ${reason}`);
      expect(dispatched(effects)).toStrictEqual([]);
    });

    it("passes resolved upstream outputs as inputs", () => {
      const workflow = {
        stages: [
          { id: "a" },
          {
            id: "b",
            depends_on: ["a"],
            inputs: {
              summary: "${{ stages.a.outputs.summary }}",
              count: {
                source: "${{ stages.a.outputs.count }}",
                type: "number",
              },
              title: "Feature: ${{ stages.a.outputs.summary }}",
            },
          },
        ],
      };
      const { effects } = finishStage(
        startedRun(workflow).state,
        "a",
        succeeded({ outputs: { summary: "dark mode", count: 2 } }),
      );
      expect(dispatchOf(effects, "b").request.inputs).toStrictEqual({
        summary: "dark mode",
        count: 2,
        title: "Feature: dark mode",
      });
    });

    it.each<{ name: string; events: RunEvent[]; event: RunEvent }>([
      {
        name: "a duplicate result",
        events: [on.resultCollected("a", 1, succeeded())],
        event: on.resultCollected("a", 1, committed(C1, BASE_SHA)),
      },
      {
        name: "a result after a failure was recorded",
        events: [on.resultMissing("a", 1, "no artifact")],
        event: on.resultCollected("a", 1, succeeded()),
      },
      {
        name: "a result for an attempt that does not exist",
        events: [],
        event: on.resultCollected("a", 2, succeeded()),
      },
      {
        name: "a result for an unknown stage",
        events: [],
        event: on.resultCollected("zz", 1, succeeded()),
      },
    ])("ignores $name", ({ events, event }) => {
      const { state } = applyAll(startedRun(PARALLEL).state, events);
      expectNoOp(state, event);
    });
  });

  describe("attempt failures", () => {
    it.each<{ name: string; event: RunEvent; message: string }>([
      {
        name: "a failed result with a message",
        event: on.resultCollected(
          "a",
          1,
          failed("spec.md was not produced"),
          at(5),
        ),
        message: "spec.md was not produced",
      },
      {
        name: "a failed result without a message",
        event: on.resultCollected("a", 1, failed(null), at(5)),
        message: "the stage failed",
      },
      {
        name: "a missing result",
        event: on.resultMissing("a", 1, "no result bundle was uploaded", at(5)),
        message: "no result bundle was uploaded",
      },
    ])(
      "fails the attempt, the stage and (halt) the run for $name",
      ({ event, message }) => {
        const running = runningSingle();
        const { state, effects } = step(running, event);

        expect(effects).toStrictEqual([
          { kind: "update_check_run", stage: "a", attempt: 1 },
          notice.finished(at(5)),
        ]);
        expect(attemptOf(state, "a")).toMatchObject({
          status: "failed",
          error_message: message,
          completed_at: at(5),
        });
        expect(stageOf(state, "a")).toMatchObject({
          status: "failed",
          outputs: null,
          reason: message,
        });
        expect(state).toMatchObject({
          status: "failed",
          result_summary: `Stage a failed: ${message}`,
          completed_at: at(5),
        });
      },
    );

    it("records what a failed result reports", () => {
      const result = failed("tests failed", {
        execution_path: "direct_fallback",
        selected_skill: "speckit",
        outputs: { partial: true },
        spec_dir: SPEC_DIR,
        warnings: [
          "Spec Kit is set up (.specify/) but no codex commands were found",
        ],
      });
      const { state } = step(
        runningSingle(),
        on.resultCollected("a", 1, result),
      );
      expect(attemptOf(state, "a")).toMatchObject({
        execution_path: "direct_fallback",
        selected_skill: "speckit",
        outputs: { partial: true },
        commit_sha: null,
        warnings: result.warnings,
      });
      expect(stageOf(state, "a").outputs).toBeNull();
      expect(state.spec_dir).toBe(SPEC_DIR);
    });

    it("fails the attempt when the dispatch failed", () => {
      const { state, effects } = step(
        startedRun({ stages: [{ id: "a", name: "Draft" }] }).state,
        on.dispatchFailed("a", 1, "HTTP 404: workflow not found", at(2)),
      );
      const message =
        "could not dispatch the stage workflow: HTTP 404: workflow not found";

      expect(effects).toStrictEqual([
        { kind: "update_check_run", stage: "a", attempt: 1 },
        notice.finished(at(2)),
      ]);
      expect(attemptOf(state, "a")).toMatchObject({
        status: "failed",
        error_message: message,
        completed_at: at(2),
      });
      expect(state).toMatchObject({
        status: "failed",
        result_summary: `Stage Draft failed: ${message}`,
      });
    });

    it.each<{ name: string; events: RunEvent[]; event: RunEvent }>([
      {
        name: "dispatch_failed once the workflow run is known",
        events: [on.stageDispatched("a")],
        event: on.dispatchFailed("a", 1, "timeout"),
      },
      {
        name: "dispatch_failed for an attempt that does not exist",
        events: [],
        event: on.dispatchFailed("a", 2, "timeout"),
      },
      {
        name: "dispatch_failed for an unknown stage",
        events: [],
        event: on.dispatchFailed("zz", 1, "timeout"),
      },
      {
        name: "result_missing after the result was collected",
        events: [on.resultCollected("a", 1, succeeded())],
        event: on.resultMissing("a", 1, "gone"),
      },
      {
        name: "result_missing for an unknown stage",
        events: [],
        event: on.resultMissing("zz", 1, "gone"),
      },
    ])("ignores $name", ({ events, event }) => {
      const { state } = applyAll(startedRun(PARALLEL).state, events);
      expectNoOp(state, event);
    });
  });

  describe("events for an older attempt", () => {
    /** `a` retried: attempt 1 failed, attempt 2 dispatched. */
    function retried(): RunState {
      const state = structuredClone(runningSingle());
      const stage = stageOf(state, "a");
      const first = attemptOf(state, "a");
      first.status = "failed";
      first.conclusion = "failure";
      first.error_message = "runner lost";
      first.completed_at = at(4);
      stage.attempts.push(newAttempt(BASE_SHA, at(5), { attempt: 2 }));
      stage.status = "dispatched";
      return state;
    }

    it.each<{ name: string; event: RunEvent }>([
      { name: "in_progress", event: on.runUpdated("a", 1, "in_progress") },
      { name: "completed", event: on.runUpdated("a", 1, "completed") },
      {
        name: "result_collected",
        event: on.resultCollected("a", 1, succeeded()),
      },
      { name: "result_missing", event: on.resultMissing("a", 1, "gone") },
      { name: "dispatch_failed", event: on.dispatchFailed("a", 1, "nope") },
      { name: "stage_dispatched", event: on.stageDispatched("a", 1, 999) },
    ])("ignores $name", ({ event }) => {
      expectNoOp(retried(), event);
    });

    it("still applies events for the current attempt", () => {
      const { state } = applyAll(retried(), [
        on.stageDispatched("a", 2),
        on.runUpdated("a", 2, "completed"),
        on.resultCollected("a", 2, committed(C1, BASE_SHA)),
      ]);
      expect(attemptOf(state, "a")).toMatchObject({
        attempt: 2,
        status: "succeeded",
      });
      expect(state.status).toBe("succeeded");
    });
  });

  describe("terminal runs", () => {
    /** PARALLEL with `a` failed (halting the run) while `b` is still dispatched. */
    function halted(): RunState {
      const { state } = startedRun(PARALLEL);
      const { state: done } = applyAll(state, [
        on.resultMissing("a", 1, "no result"),
      ]);
      expect(done.status).toBe("failed");
      // The sibling still under way is stopped: its work would not be used.
      expect(stageOf(done, "b").status).toBe("skipped");
      expect(attemptOf(done, "b")).toMatchObject({
        status: "cancelled",
        cancel_requested: true,
        error_message: "not run: the run failed first",
      });
      return done;
    }

    it("cancel the siblings still under way when a stage halts the run", () => {
      const { state } = startedRun(PARALLEL);
      const running = applyAll(state, [
        on.runUpdated("b", 1, "in_progress", { time: at(3) }),
      ]).state;
      const { effects } = step(running, on.resultMissing("a", 1, "x", at(5)));
      expect(effects).toStrictEqual([
        { kind: "update_check_run", stage: "a", attempt: 1 },
        {
          kind: "cancel_workflow_run",
          stage: "b",
          attempt: 1,
          workflow_run_id: workflowRunId("b"),
        },
        { kind: "update_check_run", stage: "b", attempt: 1 },
        notice.finished(at(5)),
      ]);
    });

    it.each<{ name: string; event: RunEvent }>([
      { name: "start", event: on.start() },
      { name: "branch_created", event: on.branchCreated() },
      { name: "branch_failed", event: on.branchFailed("x") },
      {
        name: "result_collected",
        event: on.resultCollected("b", 1, committed(C1, BASE_SHA)),
      },
      { name: "result_missing", event: on.resultMissing("b", 1, "x") },
      { name: "dispatch_failed", event: on.dispatchFailed("b", 1, "x") },
      { name: "approve", event: on.approve("b", "octocat") },
    ])("ignore $name", ({ event }) => {
      expectNoOp(halted(), event);
    });

    it.each<{
      name: string;
      event: RunEvent;
      check: (state: RunState) => void;
      effects?: Effect[];
    }>([
      {
        name: "tracking_comment_created",
        event: on.trackingCommentCreated(900),
        check: (s) => expect(s.tracking_comment_id).toBe(900),
      },
      {
        name: "pull_request_opened",
        event: on.pullRequestOpened(12),
        check: (s) => expect(s.pull_request?.number).toBe(12),
      },
      {
        name: "check_run_created",
        event: on.checkRunCreated("b", 1, 66),
        check: (s) => expect(attemptOf(s, "b").check_run_id).toBe(66),
      },
      {
        name: "stage_dispatched (and cancel the run it names)",
        event: on.stageDispatched("b", 1, 77),
        check: (s) =>
          expect(attemptOf(s, "b")).toMatchObject({
            workflow_run_id: 77,
            status: "cancelled",
          }),
        effects: [
          {
            kind: "cancel_workflow_run",
            stage: "b",
            attempt: 1,
            workflow_run_id: 77,
          },
        ],
      },
      {
        name: "workflow_run_updated completed (conclusion only)",
        event: on.runUpdated("b", 1, "completed", { conclusion: "success" }),
        check: (s) => {
          expect(attemptOf(s, "b")).toMatchObject({
            status: "cancelled",
            conclusion: "success",
            workflow_run_id: workflowRunId("b"),
            started_at: null,
          });
          expect(stageOf(s, "b").status).toBe("skipped");
        },
      },
    ])("still record $name", ({ event, check, effects: expected = [] }) => {
      const before = halted();
      const { state, effects } = step(before, event);
      expect(effects).toStrictEqual(expected);
      check(state);
      expect(state).toMatchObject({
        status: "failed",
        result_summary: before.result_summary,
        completed_at: before.completed_at,
      });
    });

    it("start nothing on in_progress", () => {
      const recorded = step(halted(), on.stageDispatched("b")).state;
      expectNoOp(recorded, on.runUpdated("b", 1, "in_progress"));
      expectNoOp(recorded, on.runUpdated("b", 1, "queued"));
    });

    it("update the tracking comment for what they still record", () => {
      const { state } = startedRun(PARALLEL);
      const commented = applyAll(state, [
        on.trackingCommentCreated(900),
        on.resultMissing("a", 1, "no result"),
      ]).state;
      expect(
        step(commented, on.runUpdated("b", 1, "completed")).effects,
      ).toStrictEqual([{ kind: "update_tracking_comment" }]);
    });
  });

  describe("tracking comment", () => {
    it("is updated after every transition that changes the run, and only then", () => {
      const { state } = applyAll(makeRun(LINEAR), [
        on.start(),
        on.trackingCommentCreated(900),
      ]);
      const created = step(state, on.branchCreated());
      expect(created.effects).toStrictEqual([
        { kind: "create_check_run", stage: "a", attempt: 1 },
        expect.objectContaining({ kind: "dispatch_stage", stage: "a" }),
        { kind: "update_tracking_comment" },
      ]);
      const check = step(created.state, on.checkRunCreated("a", 1, 55));
      expect(check.effects).toStrictEqual([
        { kind: "update_tracking_comment" },
      ]);
      expectNoOp(check.state, on.checkRunCreated("a", 1, 55));
      const running = step(check.state, on.runUpdated("a", 1, "in_progress"));
      expect(running.effects).toStrictEqual([
        { kind: "update_check_run", stage: "a", attempt: 1 },
        { kind: "update_tracking_comment" },
      ]);
    });

    it("is not updated while the run has none", () => {
      const { effects } = applyAll(makeRun(LINEAR, { issue: null }), [
        on.start(),
        on.branchCreated(),
        ...stageEvents(startedRun(LINEAR).state, "a", committed(C1, BASE_SHA)),
      ]);
      expect(effects.map((e) => e.kind)).not.toContain(
        "update_tracking_comment",
      );
    });
  });

  describe("completion", () => {
    it.each<{
      name: string;
      a: ReturnType<typeof succeeded>;
      b: ReturnType<typeof succeeded>;
      status: string;
      summary: string;
    }>([
      {
        name: "succeeded when a stage committed",
        a: committed(C1, BASE_SHA),
        b: succeeded(),
        status: "succeeded",
        summary: "Every stage finished",
      },
      {
        name: "succeeded when every stage committed",
        a: committed(C1, BASE_SHA),
        b: committed(C2, C1),
        status: "succeeded",
        summary: "Every stage finished",
      },
      {
        name: "no_changes when nothing was committed",
        a: succeeded(),
        b: succeeded(),
        status: "no_changes",
        summary: "Every stage finished, and none changed the repository",
      },
      {
        name: "failed when the last stage failed",
        a: committed(C1, BASE_SHA),
        b: failed("boom"),
        status: "failed",
        summary: "Stage b failed: boom",
      },
    ])("ends the run $name", ({ a, b, status, summary }) => {
      const first = finishStage(startedRun(LINEAR).state, "a", a);
      expect(first.state.status).toBe("in_progress");
      const last = finishStage(first.state, "b", b, at(8));

      expect(last.state).toMatchObject({
        status,
        result_summary: summary,
        completed_at: at(8),
      });
      expect(dispatched(last.effects)).toStrictEqual([]);
    });

    it("runs the default workflow to the end, with approval before implement", () => {
      let { state } = startedRun(DEFAULT_WORKFLOW_SOURCE);
      const results: [string, ReturnType<typeof succeeded>][] = [
        [
          "specify",
          committed(C1, BASE_SHA, {
            outputs: { spec: `${SPEC_DIR}/spec.md` },
            spec_dir: SPEC_DIR,
          }),
        ],
        [
          "plan",
          committed(C2, C1, { outputs: { plan: `${SPEC_DIR}/plan.md` } }),
        ],
        [
          "tasks",
          committed(C3, C2, { outputs: { tasks: `${SPEC_DIR}/tasks.md` } }),
        ],
        ["analyze", succeeded({ outputs: { report: "ok", critical: 0 } })],
      ];
      for (const [id, result] of results) {
        state = finishStage(state, id, result).state;
      }
      expect(stageOf(state, "implement")).toMatchObject({
        status: "waiting_approval",
        waiting_since: at(5),
      });
      expect(state.status).toBe("in_progress");

      const approved = step(state, on.approve("implement", "maintainer"));
      const request = dispatchOf(approved.effects, "implement").request;
      expect(request).toMatchObject({
        base_sha: C3,
        spec_dir: SPEC_DIR,
        inputs: { tasks: `${SPEC_DIR}/tasks.md` },
        agent: { timeout_minutes: 60 },
        outputs: [expect.objectContaining({ path: `${SPEC_DIR}/tasks.md` })],
      });
      const done = finishStage(
        approved.state,
        "implement",
        committed(sha(0xc4), C3),
        at(9),
      ).state;

      expect(done).toMatchObject({
        status: "succeeded",
        result_summary: "Every stage finished",
        head_sha: sha(0xc4),
        completed_at: at(9),
      });
      expect(done.stages.map((s) => s.status)).toStrictEqual([
        "succeeded",
        "succeeded",
        "succeeded",
        "succeeded",
        "succeeded",
      ]);
      expect(stageOf(done, "implement").approved_by).toBe("maintainer");
    });
  });

  describe("immutability", () => {
    it("never changes any state it was given, nor an earlier result", () => {
      const events: RunEvent[] = [
        on.start(),
        on.trackingCommentCreated(900),
        on.branchCreated(),
        on.checkRunCreated("a", 1, 1),
        on.checkRunCreated("b", 1, 2),
        ...stageEvents(
          startedRun(PARALLEL).state,
          "a",
          committed(C1, BASE_SHA),
        ),
        on.pullRequestOpened(12),
        on.stageDispatched("b"),
        on.runUpdated("b", 1, "completed", { conclusion: "failure" }),
        on.resultCollected("b", 1, failed("boom")),
        on.resultCollected("b", 1, failed("again")),
      ];
      const states: RunState[] = [makeRun(PARALLEL)];
      for (const event of events) {
        const last = states[states.length - 1] as RunState;
        states.push(transition(last, event).state);
      }
      const snapshots = states.map((s) => structuredClone(s));

      // Apply every event to every state again: shared structure between
      // states would show as a changed snapshot.
      for (const state of states) {
        for (const event of events) transition(state, event);
      }
      expect(states).toStrictEqual(snapshots);
      expect(states.at(-1)?.status).toBe("failed");
      expect(states.map((s) => s.version)).toStrictEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13,
      ]);
    });
  });
});
