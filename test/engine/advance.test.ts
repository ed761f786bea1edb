import { describe, expect, it } from "vitest";
import type { CollectedResult, RunEvent } from "../../src/engine/events.js";
import { pendingStage, type RunState } from "../../src/engine/run-state.js";
import {
  applyAll,
  at,
  attemptOf,
  BASE_SHA,
  committed,
  dispatched,
  dispatchOf,
  expectNoOp,
  failed,
  finishStage,
  makeRun,
  newAttempt,
  notice,
  on,
  sha,
  stageOf,
  startedRun,
  statuses,
  step,
  succeeded,
} from "./fixtures.js";

const C1 = sha(0xc1);
const C2 = sha(0xc2);
const C3 = sha(0xc3);

type Policy = "halt" | "skip_dependents" | "continue";

/** a → (b, c) → d; `b` fails with `policy` in the failure tests. */
function diamond(policy?: Policy, extra: object[] = []) {
  return {
    stages: [
      { id: "a" },
      {
        id: "b",
        depends_on: ["a"],
        ...(policy === undefined
          ? {}
          : { error_policy: { on_failure: policy } }),
      },
      { id: "c", depends_on: ["a"] },
      { id: "d", depends_on: ["b", "c"] },
      ...extra,
    ],
  };
}

/** The diamond with `a` done (committing C1), `b` and `c` dispatched. */
function middle(policy?: Policy, extra: object[] = []): RunState {
  return finishStage(
    startedRun(diamond(policy, extra)).state,
    "a",
    committed(C1, BASE_SHA),
  ).state;
}

describe("advance", () => {
  describe("parallel batches", () => {
    it("dispatches both middle stages of a diamond together, against the new head", () => {
      const { state, effects } = finishStage(
        startedRun(diamond()).state,
        "a",
        committed(C1, BASE_SHA),
        at(5),
      );

      expect(
        effects.map((e) => [e.kind, "stage" in e ? e.stage : null]),
      ).toStrictEqual([
        ["update_check_run", "a"],
        ["open_pull_request", null],
        ["create_check_run", "b"],
        ["dispatch_stage", "b"],
        ["create_check_run", "c"],
        ["dispatch_stage", "c"],
      ]);
      expect(statuses(state)).toStrictEqual({
        a: "succeeded",
        b: "dispatched",
        c: "dispatched",
        d: "pending",
      });
      for (const id of ["b", "c"]) {
        expect(stageOf(state, id).attempts).toStrictEqual([
          newAttempt(C1, at(5)),
        ]);
        expect(dispatchOf(effects, id).request.base_sha).toBe(C1);
      }
    });

    it.each([
      { first: "b", second: "c" },
      { first: "c", second: "b" },
    ])(
      "waits for both $first and $second before the fan-in stage",
      ({ first, second }) => {
        const one = finishStage(middle(), first, committed(C2, C1), at(6));
        expect(one.effects).toStrictEqual([
          { kind: "update_check_run", stage: first, attempt: 1 },
        ]);
        expect(stageOf(one.state, "d").status).toBe("pending");

        const two = finishStage(one.state, second, committed(C3, C2), at(7));
        expect(two.effects).toStrictEqual([
          { kind: "update_check_run", stage: second, attempt: 1 },
          { kind: "create_check_run", stage: "d", attempt: 1 },
          expect.objectContaining({ kind: "dispatch_stage", stage: "d" }),
        ]);
        expect(attemptOf(two.state, "d")).toStrictEqual(newAttempt(C3, at(7)));
        expect(dispatchOf(two.effects, "d").request.base_sha).toBe(C3);
      },
    );

    it("lets the fan-in stage read both branches' outputs", () => {
      const workflow = {
        stages: [
          { id: "a" },
          { id: "b", depends_on: ["a"] },
          { id: "c", depends_on: ["a"] },
          {
            id: "d",
            depends_on: ["b", "c"],
            inputs: {
              files:
                "${{ stages.b.outputs.file }} and ${{ stages.c.outputs.file }}",
            },
          },
        ],
      };
      const { state } = finishStage(
        startedRun(workflow).state,
        "a",
        succeeded(),
      );
      const { effects } = applyAll(
        finishStage(state, "b", succeeded({ outputs: { file: "api.ts" } }))
          .state,
        [
          on.resultCollected(
            "c",
            1,
            succeeded({ outputs: { file: "web.ts" } }),
          ),
        ],
      );
      expect(dispatchOf(effects, "d").request.inputs).toStrictEqual({
        files: "api.ts and web.ts",
      });
    });
  });

  describe("on_failure", () => {
    it("halt (the default) fails the run and starts nothing more", () => {
      const { state, effects } = step(
        middle(),
        on.resultCollected("b", 1, failed("boom"), at(6)),
      );

      // c, still under way, is stopped; d never starts.
      expect(effects).toStrictEqual([
        { kind: "update_check_run", stage: "b", attempt: 1 },
        { kind: "update_check_run", stage: "c", attempt: 1 },
        notice.finished(at(6)),
      ]);
      expect(statuses(state)).toStrictEqual({
        a: "succeeded",
        b: "failed",
        c: "skipped",
        d: "skipped",
      });
      expect(attemptOf(state, "c").status).toBe("cancelled");
      expect(state).toMatchObject({
        status: "failed",
        result_summary: "Stage b failed: boom",
        completed_at: at(6),
      });
    });

    it.each<{ name: string; event: RunEvent; reason: string }>([
      {
        name: "a failed result",
        event: on.resultCollected("b", 1, failed("boom"), at(6)),
        reason: "boom",
      },
      {
        name: "a missing result",
        event: on.resultMissing("b", 1, "no bundle", at(6)),
        reason: "no bundle",
      },
      {
        name: "a failed dispatch",
        event: on.dispatchFailed("b", 1, "HTTP 422", at(6)),
        reason: "could not dispatch the stage workflow: HTTP 422",
      },
    ])(
      "skip_dependents skips the dependents of $name while the other branch goes on",
      ({ event, reason }) => {
        const { state, effects } = step(middle("skip_dependents"), event);

        expect(effects).toStrictEqual([
          { kind: "update_check_run", stage: "b", attempt: 1 },
          notice.stageFailed("b", 1, at(6)),
        ]);
        expect(statuses(state)).toStrictEqual({
          a: "succeeded",
          b: "failed",
          c: "dispatched",
          d: "skipped",
        });
        expect(stageOf(state, "b").reason).toBe(reason);
        expect(stageOf(state, "d")).toMatchObject({
          reason: "skipped because b failed",
          attempts: [],
        });
        expect(state.status).toBe("in_progress");

        const last = finishStage(state, "c", committed(C2, C1), at(8));
        expect(dispatched(last.effects)).toStrictEqual([]);
        expect(last.state).toMatchObject({
          status: "failed",
          result_summary: "Failed: b",
          completed_at: at(8),
        });
      },
    );

    it("skip_dependents skips transitive dependents only", () => {
      const workflow = {
        stages: [
          { id: "a" },
          {
            id: "b",
            depends_on: ["a"],
            error_policy: { on_failure: "skip_dependents" },
          },
          { id: "c", depends_on: ["b"] },
          { id: "d", depends_on: ["c"] },
          { id: "e", depends_on: ["a"] },
          { id: "f", depends_on: ["e", "d"] },
          { id: "g", depends_on: ["e"] },
        ],
      };
      const { state: started } = finishStage(
        startedRun(workflow).state,
        "a",
        succeeded(),
      );
      const { state } = step(started, on.resultMissing("b", 1, "gone"));

      expect(statuses(state)).toStrictEqual({
        a: "succeeded",
        b: "failed",
        c: "skipped",
        d: "skipped",
        e: "dispatched",
        f: "skipped",
        g: "pending",
      });
      for (const id of ["c", "d", "f"]) {
        expect(stageOf(state, id).reason).toBe("skipped because b failed");
      }
      const last = finishStage(state, "e", committed(C1, BASE_SHA));
      expect(dispatched(last.effects)).toStrictEqual(["g"]);
    });

    it("continue lets the dependents run and the run succeed", () => {
      const { state, effects } = step(
        middle("continue"),
        on.resultCollected("b", 1, failed("boom"), at(6)),
      );
      expect(effects).toStrictEqual([
        { kind: "update_check_run", stage: "b", attempt: 1 },
        notice.stageFailed("b", 1, at(6)),
      ]);
      expect(statuses(state)).toStrictEqual({
        a: "succeeded",
        b: "failed",
        c: "dispatched",
        d: "pending",
      });
      expect(stageOf(state, "b").reason).toBe("boom");

      const c = finishStage(state, "c", succeeded(), at(7));
      expect(dispatched(c.effects)).toStrictEqual(["d"]);
      const d = finishStage(c.state, "d", succeeded(), at(8));
      expect(d.state).toMatchObject({
        status: "succeeded",
        result_summary: "Every stage finished",
        completed_at: at(8),
      });
    });

    it("continue ends in no_changes when nothing was committed", () => {
      const { state } = startedRun({
        stages: [{ id: "a", error_policy: { on_failure: "continue" } }],
      });
      const { state: done } = step(
        state,
        on.resultCollected("a", 1, failed("boom")),
      );
      expect(done).toMatchObject({
        status: "no_changes",
        result_summary: "Every stage finished, and none changed the repository",
      });
    });

    it("continue still fails a dependent that needs the failed stage's outputs", () => {
      const workflow = {
        stages: [
          { id: "a", error_policy: { on_failure: "continue" } },
          {
            id: "b",
            depends_on: ["a"],
            inputs: { spec: "${{ stages.a.outputs.spec }}" },
          },
        ],
      };
      const { state } = step(
        startedRun(workflow).state,
        on.resultCollected("a", 1, failed("boom")),
      );
      expect(state).toMatchObject({
        status: "failed",
        result_summary:
          "Stage b failed: input 'spec' is required, but its source '${{ stages.a.outputs.spec }}' gave nothing",
      });
    });
  });

  describe("conditions", () => {
    const outputs = { critical: 0, label: "big", flag: true };

    it.each<{ condition: string; runs: boolean }>([
      { condition: "false", runs: false },
      { condition: "${{ false }}", runs: false },
      { condition: "true", runs: true },
      { condition: "stages.a.outputs.critical > 0", runs: false },
      { condition: "${{ stages.a.outputs.critical == 0 }}", runs: true },
      { condition: "stages.a.status == 'succeeded'", runs: true },
      { condition: "stages.a.outputs.missing", runs: false },
      { condition: "stages.a.outputs.flag", runs: true },
      { condition: "parameters.enabled", runs: false },
      { condition: "!parameters.enabled", runs: true },
      { condition: "contains(stages.a.outputs.label, 'BIG')", runs: true },
      { condition: "env.MODE == 'full' && run.issue == 42", runs: true },
      { condition: "run.spec_dir == null", runs: true },
    ])("$condition → runs: $runs", ({ condition, runs }) => {
      const workflow = {
        env: { MODE: "full" },
        stages: [
          { id: "a" },
          { id: "b", depends_on: ["a"], condition },
          { id: "c", depends_on: ["b"] },
        ],
      };
      const { state, effects } = finishStage(
        startedRun(workflow, { parameters: { enabled: false } }).state,
        "a",
        succeeded({ outputs }),
        at(5),
      );

      if (runs) {
        expect(dispatched(effects)).toStrictEqual(["b"]);
        expect(statuses(state)).toMatchObject({
          b: "dispatched",
          c: "pending",
        });
      } else {
        // The skipped stage's dependents still run.
        expect(dispatched(effects)).toStrictEqual(["c"]);
        expect(stageOf(state, "b")).toStrictEqual({
          ...pendingStage("b"),
          status: "skipped",
          reason: "its condition is false",
        });
        expect(stageOf(state, "c").status).toBe("dispatched");
      }
    });

    it("skips a first stage whose condition is false and ends an all-skipped run in no_changes", () => {
      const { state, effects } = startedRun({
        stages: [
          { id: "a", condition: "parameters.run_it" },
          { id: "b", depends_on: ["a"], condition: "false" },
        ],
      });
      expect(effects).toStrictEqual([notice.finished(at(1))]);
      expect(statuses(state)).toStrictEqual({ a: "skipped", b: "skipped" });
      expect(state).toMatchObject({
        status: "no_changes",
        result_summary: "Every stage finished, and none changed the repository",
        completed_at: at(1),
      });
    });

    it("reads an upstream failure through stages.<id>.status", () => {
      const workflow = {
        stages: [
          { id: "a", error_policy: { on_failure: "continue" } },
          {
            id: "recover",
            depends_on: ["a"],
            condition: "stages.a.status == 'failed'",
          },
          {
            id: "extend",
            depends_on: ["a"],
            condition: "stages.a.status == 'succeeded'",
          },
        ],
      };
      const failedA = step(
        startedRun(workflow).state,
        on.resultCollected("a", 1, failed("boom")),
      );
      expect(dispatched(failedA.effects)).toStrictEqual(["recover"]);
      expect(statuses(failedA.state)).toStrictEqual({
        a: "failed",
        recover: "dispatched",
        extend: "skipped",
      });

      const done = finishStage(
        failedA.state,
        "recover",
        committed(C1, BASE_SHA),
      );
      expect(done.state.status).toBe("succeeded");
    });

    it.each<{ condition: string; message: string }>([
      {
        condition: "length(stages.a.outputs.critical)",
        message: "length: expected a string, array or object, got a number",
      },
      { condition: "nope.value", message: "unknown name 'nope'" },
      {
        condition: "ready ${{ true }}",
        message:
          "a condition that mixes text with ${{ }} is always true: put the whole condition inside one ${{ }}",
      },
      {
        condition: "${{ fromJSON(stages.a.outputs.label) }}",
        message: "fromJSON: not valid JSON",
      },
    ])(
      "fails the stage (halting the run) when $condition cannot be evaluated",
      ({ condition, message }) => {
        const workflow = {
          stages: [
            { id: "a" },
            { id: "b", depends_on: ["a"], condition },
            { id: "c", depends_on: ["b"] },
          ],
        };
        const { state, effects } = finishStage(
          startedRun(workflow).state,
          "a",
          succeeded({ outputs }),
          at(5),
        );

        expect(effects).toStrictEqual([
          { kind: "update_check_run", stage: "a", attempt: 1 },
          notice.finished(at(5)),
        ]);
        expect(stageOf(state, "b")).toMatchObject({
          status: "failed",
          attempts: [],
          reason: expect.stringContaining(
            `its condition could not be evaluated: ${message}`,
          ),
        });
        expect(state.status).toBe("failed");
        expect(state.result_summary).toBe(
          `Stage b failed: ${stageOf(state, "b").reason}`,
        );
        expect(stageOf(state, "c")).toMatchObject({
          status: "skipped",
          reason: "not run: the run failed first",
        });
      },
    );

    it("applies skip_dependents to a stage whose condition fails", () => {
      const workflow = {
        stages: [
          { id: "a" },
          {
            id: "b",
            depends_on: ["a"],
            condition: "nope",
            error_policy: { on_failure: "skip_dependents" },
          },
          { id: "c", depends_on: ["b"] },
        ],
      };
      const { state } = finishStage(
        startedRun(workflow).state,
        "a",
        committed(C1, BASE_SHA),
        at(5),
      );
      expect(statuses(state)).toStrictEqual({
        a: "succeeded",
        b: "failed",
        c: "skipped",
      });
      expect(state).toMatchObject({
        status: "failed",
        result_summary: "Failed: b",
        completed_at: at(5),
      });
    });
  });

  describe("gates", () => {
    const GATED = {
      stages: [
        { id: "a" },
        { id: "g", depends_on: ["a"], gate: { approvers: ["maintainer"] } },
        { id: "c", depends_on: ["g"] },
      ],
    };

    /** GATED with `a` done and `g` waiting since at(5). */
    function waiting(): RunState {
      return finishStage(
        startedRun(GATED).state,
        "a",
        committed(C1, BASE_SHA),
        at(5),
      ).state;
    }

    it("waits for approval before dispatching a gated stage", () => {
      const { state, effects } = finishStage(
        startedRun(GATED).state,
        "a",
        committed(C1, BASE_SHA),
        at(5),
      );
      // A check run with Approve and Reject buttons, and a comment that asks.
      expect(effects).toStrictEqual([
        { kind: "update_check_run", stage: "a", attempt: 1 },
        { kind: "open_pull_request" },
        { kind: "create_gate_check_run", stage: "g", waiting_since: at(5) },
        notice.gateWaiting("g", at(5)),
      ]);
      expect(stageOf(state, "g")).toStrictEqual({
        ...pendingStage("g"),
        status: "waiting_approval",
        waiting_since: at(5),
      });
      expect(state.status).toBe("in_progress");
    });

    it("dispatches the stage on approve and records who approved", () => {
      const { state, effects } = step(
        waiting(),
        on.approve("g", "maintainer", at(7)),
      );
      expect(effects).toStrictEqual([
        { kind: "create_check_run", stage: "g", attempt: 1 },
        expect.objectContaining({
          kind: "dispatch_stage",
          stage: "g",
          attempt: 1,
        }),
      ]);
      expect(stageOf(state, "g")).toStrictEqual({
        ...pendingStage("g"),
        status: "dispatched",
        attempts: [newAttempt(C1, at(7))],
        approved_by: "maintainer",
        waiting_since: at(5),
      });

      const done = finishStage(state, "g", succeeded());
      expect(dispatched(done.effects)).toStrictEqual(["c"]);
    });

    it("waits at the start when the first stage is gated", () => {
      const { state, effects } = startedRun({
        stages: [{ id: "a", gate: {} }],
      });
      expect(effects).toStrictEqual([
        { kind: "create_gate_check_run", stage: "a", waiting_since: at(1) },
        notice.gateWaiting("a", at(1)),
      ]);
      expect(stageOf(state, "a")).toMatchObject({
        status: "waiting_approval",
        waiting_since: at(1),
      });
      expect(state.status).toBe("in_progress");
    });

    it.each<{ name: string; base: () => RunState; event: RunEvent }>([
      {
        name: "a stage that is still pending",
        base: waiting,
        event: on.approve("c", "maintainer"),
      },
      {
        name: "an unknown stage",
        base: waiting,
        event: on.approve("zz", "maintainer"),
      },
      {
        name: "a stage already approved and dispatched",
        base: () => step(waiting(), on.approve("g", "maintainer")).state,
        event: on.approve("g", "someone-else"),
      },
      {
        name: "a stage that is not gated",
        base: () => startedRun(GATED).state,
        event: on.approve("a", "maintainer"),
      },
      {
        name: "a gate whose dependencies are not done",
        base: () => startedRun(GATED).state,
        event: on.approve("g", "maintainer"),
      },
    ])("ignores approve for $name", ({ base, event }) => {
      expectNoOp(base(), event);
    });

    it("succeeds a gate stage on approve without dispatching it", () => {
      const workflow = {
        stages: [
          { id: "a" },
          { id: "review", type: "gate", depends_on: ["a"] },
          { id: "c", depends_on: ["review"] },
        ],
      };
      const before = finishStage(
        startedRun(workflow).state,
        "a",
        committed(C1, BASE_SHA),
        at(5),
      ).state;
      expect(stageOf(before, "review")).toMatchObject({
        status: "waiting_approval",
        waiting_since: at(5),
      });

      const { state, effects } = step(
        before,
        on.approve("review", "lead", at(7)),
      );
      expect(stageOf(state, "review")).toStrictEqual({
        ...pendingStage("review"),
        status: "succeeded",
        outputs: {},
        approved_by: "lead",
        waiting_since: at(5),
      });
      expect(effects).toStrictEqual([
        { kind: "create_check_run", stage: "c", attempt: 1 },
        expect.objectContaining({ kind: "dispatch_stage", stage: "c" }),
      ]);
    });

    it.each<{ name: string; result: CollectedResult; status: string }>([
      {
        name: "succeeded",
        result: committed(C1, BASE_SHA),
        status: "succeeded",
      },
      { name: "no_changes", result: succeeded(), status: "no_changes" },
    ])(
      "completes the run ($name) when a final gate stage is approved",
      ({ result, status }) => {
        const workflow = {
          stages: [
            { id: "a" },
            { id: "signoff", type: "gate", depends_on: ["a"] },
          ],
        };
        const { state } = finishStage(startedRun(workflow).state, "a", result);
        expect(state.status).toBe("in_progress");
        const done = step(state, on.approve("signoff", "lead", at(9)));
        expect(done.effects).toStrictEqual([notice.finished(at(9))]);
        expect(done.state).toMatchObject({ status, completed_at: at(9) });
      },
    );

    it("skips a gated stage whose condition is false without waiting", () => {
      const workflow = {
        stages: [
          { id: "a" },
          { id: "g", depends_on: ["a"], gate: {}, condition: "false" },
        ],
      };
      const { state } = finishStage(
        startedRun(workflow).state,
        "a",
        committed(C1, BASE_SHA),
      );
      expect(stageOf(state, "g")).toMatchObject({
        status: "skipped",
        waiting_since: null,
        reason: "its condition is false",
      });
      expect(state.status).toBe("succeeded");
    });
  });

  describe("requests that cannot be built", () => {
    const TOO_LARGE =
      /^the stage request is \d+ characters, over the 65000 GitHub allows in dispatch inputs; shorten the issue text or the stage's inputs$/;

    it("fails the run before it makes a branch when its first stage's request is too large", () => {
      const { state, effects } = step(
        makeRun(
          { stages: [{ id: "a" }, { id: "b", depends_on: ["a"] }] },
          {
            feature: "x".repeat(70_000),
          },
        ),
        on.start(at(0)),
      );
      // No create_branch: nothing is left behind to clean up.
      expect(effects).toStrictEqual([
        { kind: "create_tracking_comment" },
        notice.finished(at(0)),
      ]);
      expect(stageOf(state, "a")).toMatchObject({
        status: "failed",
        attempts: [],
        reason: expect.stringMatching(TOO_LARGE),
      });
      expect(stageOf(state, "b").status).toBe("skipped");
      expect(state).toMatchObject({
        status: "failed",
        base_sha: null,
        result_summary: `Stage a failed: ${stageOf(state, "a").reason}; no branch was made`,
        completed_at: at(0),
      });
    });

    it("checks only the stages that start at once: a gated first stage makes its branch", () => {
      const { effects } = step(
        makeRun(
          { stages: [{ id: "a", gate: {} }] },
          {
            feature: "x".repeat(70_000),
          },
        ),
        on.start(at(0)),
      );
      expect(effects.map((e) => e.kind)).toContain("create_branch");
    });

    it("fails a later stage whose request is too large, before dispatching it", () => {
      const { state } = startedRun({
        stages: [
          { id: "a", outputs: { text: { type: "string" } } },
          {
            id: "b",
            depends_on: ["a"],
            inputs: { text: "${{ stages.a.outputs.text }}" },
          },
        ],
      });
      const { state: after, effects } = finishStage(
        state,
        "a",
        committed(sha(0xc1), BASE_SHA, {
          outputs: { text: "y".repeat(70_000) },
        }),
      );
      // The branch holds a's commit: it stays, with its pull request.
      expect(effects.map((e) => e.kind)).toEqual([
        "update_check_run",
        "open_pull_request",
        "post_notice",
      ]);
      expect(stageOf(after, "b")).toMatchObject({
        status: "failed",
        attempts: [],
        reason: expect.stringMatching(TOO_LARGE),
      });
      expect(after.status).toBe("failed");
    });
  });
});
