import { describe, expect, it } from "vitest";
import {
  APPROVED_ON_TIMEOUT,
  type RunState,
} from "../../src/engine/run-state.js";
import { nextWake } from "../../src/engine/timers.js";
import { MAX_REDISPATCHES } from "../../src/engine/transition.js";
import {
  applyAll,
  at,
  attemptOf,
  BASE_SHA,
  bRunning,
  committed,
  dispatched,
  expectNoOp,
  failed,
  finishStage,
  LINEAR3,
  notice,
  on,
  sha,
  stageOf,
  startedRun,
  statuses,
  step,
  succeeded,
  workflowRunId,
} from "./fixtures.js";

const C1 = sha(0xc1);
const C2 = sha(0xc2);
const GATED = {
  stages: [
    { id: "a" },
    { id: "g", depends_on: ["a"], gate: { approvers: ["lead"] } },
  ],
};

/** GATED with `a` done and `g` waiting since at(5). */
function waiting(gate: Record<string, unknown> = {}): RunState {
  const workflow = {
    stages: [{ id: "a" }, { id: "g", depends_on: ["a"], gate }],
  };
  return finishStage(
    startedRun(workflow).state,
    "a",
    committed(C1, BASE_SHA),
    at(5),
  ).state;
}

describe("gates", () => {
  it("reject fails the gate, and (halt) the run, saying who and why", () => {
    const { state, effects } = step(
      waiting(),
      on.reject("g", "lead", "the plan is too big", at(9)),
    );
    expect(stageOf(state, "g")).toMatchObject({
      status: "failed",
      rejected_by: "lead",
      reason: "rejected by @lead: the plan is too big",
    });
    expect(state).toMatchObject({
      status: "failed",
      result_summary: "Stage g failed: rejected by @lead: the plan is too big",
    });
    expect(effects).toStrictEqual([notice.finished(at(9))]);
  });

  it("updates the gate's check run when it is approved or rejected", () => {
    const base = step(waiting(), on.gateCheckRunCreated("g", 555)).state;
    expect(stageOf(base, "g").gate_check_run_id).toBe(555);
    expect(step(base, on.approve("g", "lead")).effects[0]).toStrictEqual({
      kind: "update_gate_check_run",
      stage: "g",
    });
    expect(step(base, on.reject("g", "lead")).effects[0]).toStrictEqual({
      kind: "update_gate_check_run",
      stage: "g",
    });
  });

  it("updates a gate check run made after the gate was already decided", () => {
    const approved = step(waiting(), on.approve("g", "lead")).state;
    const { state, effects } = step(approved, on.gateCheckRunCreated("g", 7));
    expect(stageOf(state, "g").gate_check_run_id).toBe(7);
    expect(effects[0]).toStrictEqual({
      kind: "update_gate_check_run",
      stage: "g",
    });
  });

  it("ignores a reject of a stage that does not wait", () => {
    expectNoOp(startedRun(GATED).state, on.reject("a", "lead"));
    expectNoOp(waiting(), on.reject("zz", "lead"));
  });

  describe("time limits (on_timeout)", () => {
    const waited = (on_timeout: string) =>
      waiting({ timeout: "1h", on_timeout });

    it("does nothing before the deadline", () => {
      expectNoOp(waited("halt"), on.tick(64));
    });

    it("halt: the run fails, saying nobody approved in time", () => {
      const { state, effects } = step(waited("halt"), on.tick(65));
      expect(stageOf(state, "g")).toMatchObject({
        status: "timed_out",
        reason: "nobody approved within 1h",
      });
      expect(state).toMatchObject({
        status: "failed",
        result_summary: "Stage g was not approved within 1h",
      });
      expect(effects).toStrictEqual([notice.finished(at(65))]);
    });

    it("approve: the stage runs as if approved", () => {
      const { state, effects } = step(waited("approve"), on.tick(65));
      expect(stageOf(state, "g")).toMatchObject({
        status: "dispatched",
        approved_by: APPROVED_ON_TIMEOUT,
      });
      expect(dispatched(effects)).toStrictEqual(["g"]);
    });

    it("skip: the stage and its dependents are skipped, the run goes on", () => {
      const workflow = {
        stages: [
          { id: "a" },
          {
            id: "g",
            depends_on: ["a"],
            gate: { timeout: "1h", on_timeout: "skip" },
          },
          { id: "after", depends_on: ["g"] },
          {
            id: "other",
            depends_on: ["a"],
            error_policy: { timeout: "2h" },
          },
        ],
      };
      const { state: base } = finishStage(
        startedRun(workflow).state,
        "a",
        committed(C1, BASE_SHA),
        at(5),
      );
      const { state } = step(base, on.tick(65));
      expect(statuses(state)).toStrictEqual({
        a: "succeeded",
        g: "skipped",
        after: "skipped",
        other: "dispatched",
      });
      expect(stageOf(state, "after").reason).toBe(
        "skipped because g was not approved in time",
      );
    });

    it("updates the gate's check run when its time runs out", () => {
      const base = step(waited("halt"), on.gateCheckRunCreated("g", 9)).state;
      expect(step(base, on.tick(65)).effects[0]).toStrictEqual({
        kind: "update_gate_check_run",
        stage: "g",
      });
    });
  });
});

describe("automatic retries", () => {
  /** One stage, retried up to 3 attempts: 1m, then 2m, capped at 3m. */
  const RETRIED = {
    stages: [
      {
        id: "a",
        error_policy: {
          retry: {
            max_attempts: 3,
            initial_interval: "1m",
            backoff: 2,
            max_interval: "90s",
          },
        },
      },
    ],
  };

  it("retries a failure the agent did not cause, after the initial interval", () => {
    const { state: started } = startedRun(RETRIED);
    const { state, effects } = step(
      started,
      on.resultMissing("a", 1, "runner lost", at(5), true),
    );
    expect(stageOf(state, "a")).toMatchObject({
      status: "retrying",
      retry_at: at(6),
    });
    expect(attemptOf(state, "a")).toMatchObject({
      status: "failed",
      error_message: "runner lost",
    });
    expect(state.status).toBe("in_progress");
    expect(effects).toStrictEqual([
      { kind: "update_check_run", stage: "a", attempt: 1 },
    ]);
    expect(nextWake(state)).toBe(at(6));

    expectNoOp(state, on.tick(5.5));
    const retry = step(state, on.tick(6));
    expect(dispatched(retry.effects)).toStrictEqual(["a"]);
    expect(attemptOf(retry.state, "a")).toMatchObject({
      attempt: 2,
      status: "dispatched",
      trigger: "automatic retry 1 of 2, after: runner lost",
    });
  });

  it("waits longer each time, up to max_interval, then fails for good", () => {
    let { state } = startedRun(RETRIED);
    state = step(state, on.resultMissing("a", 1, "lost", at(5), true)).state;
    state = step(state, on.tick(6)).state;
    state = step(state, on.resultMissing("a", 2, "lost", at(7), true)).state;
    // 1m × 2 = 2m, capped at 90s.
    expect(stageOf(state, "a").retry_at).toBe(at(8.5));
    state = step(state, on.tick(8.5)).state;
    const last = step(state, on.resultMissing("a", 3, "lost", at(10), true));
    expect(stageOf(last.state, "a")).toMatchObject({
      status: "failed",
      reason: "lost",
    });
    expect(last.state.status).toBe("failed");
  });

  it("does not retry what the agent caused", () => {
    const { state: started } = startedRun(RETRIED);
    const missing = step(
      started,
      on.resultMissing("a", 1, "bad bundle", at(5)),
    );
    expect(missing.state.status).toBe("failed");
    const reported = step(
      started,
      on.resultCollected("a", 1, failed("tests failed"), at(5)),
    );
    expect(reported.state.status).toBe("failed");
  });

  it("does not retry a stage whose policy allows one attempt", () => {
    const { state } = startedRun({
      stages: [{ id: "a", error_policy: { retry: { max_attempts: 1 } } }],
    });
    const { state: done } = step(
      state,
      on.resultMissing("a", 1, "lost", at(5), true),
    );
    expect(stageOf(done, "a").status).toBe("failed");
  });

  it("waits for /unhold before retrying a held run", () => {
    const { state: started } = startedRun(RETRIED);
    const held = applyAll(started, [
      on.hold("maintainer", at(4)),
      on.resultMissing("a", 1, "lost", at(5), true),
    ]).state;
    const late = step(held, on.tick(30));
    expect(stageOf(late.state, "a").status).toBe("retrying");
    expect(dispatched(late.effects)).toStrictEqual([]);
    const resumed = step(late.state, on.unhold("maintainer", at(31)));
    expect(dispatched(resumed.effects)).toStrictEqual(["a"]);
  });
});

describe("stage time limits", () => {
  const LIMITED = { stages: [{ id: "a", error_policy: { timeout: "10m" } }] };

  it("stops an attempt with no result past its limit and the job's 15 minutes", () => {
    const { state: started } = startedRun(LIMITED);
    const running = step(
      started,
      on.runUpdated("a", 1, "in_progress", { time: at(2) }),
    ).state;
    // Dispatched at(1): the deadline is at(26).
    expect(nextWake(running)).toBe(at(26));
    expectNoOp(running, on.tick(25));
    const { state, effects } = step(running, on.tick(26));
    expect(attemptOf(state, "a")).toMatchObject({
      status: "timed_out",
      cancel_requested: true,
      error_message:
        "no result within the stage's 10m time limit (and 15m for the job around it); the workflow run was cancelled",
    });
    expect(stageOf(state, "a").status).toBe("timed_out");
    expect(state.status).toBe("failed");
    expect(effects).toStrictEqual([
      {
        kind: "cancel_workflow_run",
        stage: "a",
        attempt: 1,
        workflow_run_id: workflowRunId("a"),
      },
      { kind: "update_check_run", stage: "a", attempt: 1 },
      notice.finished(at(26)),
    ]);
  });

  it("does not time out an attempt whose workflow run finished: its result is being collected", () => {
    const { state: started } = startedRun(LIMITED);
    const finished = step(
      started,
      on.runUpdated("a", 1, "completed", { time: at(20) }),
    ).state;
    expect(nextWake(finished)).toBeNull();
    expectNoOp(finished, on.tick(60));
  });

  it("cancels the workflow run once it is known, when the attempt timed out first", () => {
    const { state: started } = startedRun(LIMITED);
    const { state } = step(started, on.tick(26));
    const known = step(state, on.stageDispatched("a", 1, 4242, at(27)));
    expect(known.effects).toStrictEqual([
      {
        kind: "cancel_workflow_run",
        stage: "a",
        attempt: 1,
        workflow_run_id: 4242,
      },
    ]);
  });
});

describe("rerun", () => {
  it("runs a failed stage again and reopens the run (/retry)", () => {
    const { state: failedRun } = step(
      bRunning(),
      on.resultCollected("b", 1, failed("tests failed"), at(8)),
    );
    expect(failedRun.status).toBe("failed");
    const { state, effects } = step(
      failedRun,
      on.rerun("b", "maintainer", "`/retry` by @maintainer", at(20)),
    );
    expect(state).toMatchObject({
      status: "in_progress",
      result_summary: null,
      completed_at: null,
    });
    expect(statuses(state)).toStrictEqual({
      a: "succeeded",
      b: "dispatched",
      c: "pending",
    });
    expect(attemptOf(state, "b")).toMatchObject({
      attempt: 2,
      base_sha: C1,
      trigger: "`/retry` by @maintainer",
    });
    expect(dispatched(effects)).toStrictEqual(["b"]);
  });

  it("runs a stage that succeeded again, and every stage after it (/plan)", () => {
    let { state } = finishStage(
      startedRun(LINEAR3).state,
      "a",
      committed(C1, BASE_SHA),
    );
    state = finishStage(state, "b", committed(C2, C1)).state;
    state = finishStage(state, "c", succeeded()).state;
    expect(state.status).toBe("succeeded");
    const { state: again, effects } = step(
      state,
      on.rerun("b", "maintainer", "`/plan` by @maintainer"),
    );
    expect(statuses(again)).toStrictEqual({
      a: "succeeded",
      b: "dispatched",
      c: "pending",
    });
    expect(stageOf(again, "c")).toMatchObject({
      outputs: null,
      attempts: [expect.anything()],
    });
    expect(attemptOf(again, "b").base_sha).toBe(C2);
    expect(dispatched(effects)).toStrictEqual(["b"]);
  });

  it("asks again for the approval of a gate after the stage re-run", () => {
    const approved = step(waiting(), on.approve("g", "lead", at(7))).state;
    const done = finishStage(approved, "g", succeeded(), at(9)).state;
    const { state } = step(done, on.rerun("a", "lead", "`/retry` by @lead"));
    expect(stageOf(state, "g")).toMatchObject({
      status: "pending",
      approved_by: null,
    });
  });

  it("keeps the approval of the stage run again itself: the same work, approved", () => {
    const approved = step(waiting(), on.approve("g", "lead", at(7))).state;
    const broken = step(
      approved,
      on.resultCollected("g", 1, failed("tests failed"), at(9)),
    ).state;
    const { state, effects } = step(
      broken,
      on.rerun("g", "lead", "`/retry` by @lead"),
    );
    expect(stageOf(state, "g")).toMatchObject({
      status: "dispatched",
      approved_by: "lead",
    });
    expect(dispatched(effects)).toStrictEqual(["g"]);
  });

  it("runs again the siblings the halt stopped, so the run cannot end succeeded without them", () => {
    const diamond = {
      stages: [
        { id: "a" },
        { id: "b", depends_on: ["a"] },
        { id: "c", depends_on: ["a"] },
        { id: "d", depends_on: ["b", "c"] },
      ],
    };
    let { state } = finishStage(
      startedRun(diamond).state,
      "a",
      committed(C1, BASE_SHA),
      at(3),
    );
    state = step(
      state,
      on.resultCollected("b", 1, failed("boom"), at(5)),
    ).state;
    expect(statuses(state)).toStrictEqual({
      a: "succeeded",
      b: "failed",
      c: "skipped",
      d: "skipped",
    });
    const { state: again, effects } = step(
      state,
      on.rerun("b", "m", "`/retry` by @m", at(9)),
    );
    expect(statuses(again)).toStrictEqual({
      a: "succeeded",
      b: "dispatched",
      c: "dispatched",
      d: "pending",
    });
    expect(dispatched(effects)).toStrictEqual(["b", "c"]);
  });

  it("closes the check run of a gate that waited, which will ask again", () => {
    const base = step(waiting(), on.gateCheckRunCreated("g", 41)).state;
    const { state, effects } = step(base, on.rerun("a", "m", "`/retry` by @m"));
    expect(effects).toContainEqual({
      kind: "update_gate_check_run",
      stage: "g",
      check_run_id: 41,
      superseded: true,
    });
    expect(stageOf(state, "g").gate_check_run_id).toBeNull();
  });

  it("closes a gate check run made for an earlier wait, and keeps the current one", () => {
    const rerun = step(
      waiting(),
      on.rerun("a", "m", "`/retry` by @m", at(9)),
    ).state;
    const waitingAgain = finishStage(
      rerun,
      "a",
      committed(C2, C1),
      at(12),
    ).state;
    expect(stageOf(waitingAgain, "g").waiting_since).toBe(at(12));
    // The first wait's check run is reported late.
    const late = step(
      waitingAgain,
      on.gateCheckRunCreated("g", 51, at(5), at(13)),
    );
    expect(late.effects).toStrictEqual([
      {
        kind: "update_gate_check_run",
        stage: "g",
        check_run_id: 51,
        superseded: true,
      },
    ]);
    expect(stageOf(late.state, "g").gate_check_run_id).toBeNull();
    const current = step(
      late.state,
      on.gateCheckRunCreated("g", 52, at(12), at(14)),
    );
    expect(stageOf(current.state, "g").gate_check_run_id).toBe(52);
  });

  it("resets the failure count of the retry policy", () => {
    const workflow = {
      stages: [{ id: "a", error_policy: { retry: { max_attempts: 2 } } }],
    };
    let { state } = startedRun(workflow);
    state = step(state, on.resultMissing("a", 1, "lost", at(5), true)).state;
    state = step(state, on.tick(10)).state;
    state = step(state, on.resultMissing("a", 2, "lost", at(11), true)).state;
    expect(state.status).toBe("failed");
    state = step(state, on.rerun("a", "m", "`/retry` by @m", at(20))).state;
    const { state: after } = step(
      state,
      on.resultMissing("a", 3, "lost", at(21), true),
    );
    expect(stageOf(after, "a").status).toBe("retrying");
  });

  it.each<[string, () => RunState, string]>([
    ["a stage under way", bRunning, "b"],
    ["a stage whose dependent is under way", bRunning, "a"],
    ["a stage that has not run", bRunning, "c"],
    ["an unknown stage", bRunning, "zz"],
    [
      "a cancelled run",
      () => step(bRunning(), on.cancel("m", at(9))).state,
      "a",
    ],
  ])("does nothing for %s", (_, base, stage) => {
    expectNoOp(base(), on.rerun(stage, "m", "`/retry` by @m"));
  });
});

describe("cancel", () => {
  it("stops the workflow runs under way, closes gates and ends the run", () => {
    const { state, effects } = step(bRunning(), on.cancel("maintainer", at(9)));
    expect(state).toMatchObject({
      status: "cancelled",
      result_summary: "Cancelled by @maintainer",
      completed_at: at(9),
    });
    expect(statuses(state)).toStrictEqual({
      a: "succeeded",
      b: "cancelled",
      c: "cancelled",
    });
    expect(attemptOf(state, "b")).toMatchObject({
      status: "cancelled",
      cancel_requested: true,
    });
    expect(effects).toStrictEqual([
      {
        kind: "cancel_workflow_run",
        stage: "b",
        attempt: 1,
        workflow_run_id: workflowRunId("b"),
      },
      { kind: "update_check_run", stage: "b", attempt: 1 },
      notice.finished(at(9)),
    ]);
  });

  it("closes a waiting gate's check run", () => {
    const base = step(waiting(), on.gateCheckRunCreated("g", 31)).state;
    const { state, effects } = step(base, on.cancel("m", at(9)));
    expect(stageOf(state, "g").status).toBe("cancelled");
    expect(effects).toContainEqual({
      kind: "update_gate_check_run",
      stage: "g",
    });
  });

  it("ignores the late result of a cancelled attempt", () => {
    const cancelled = step(bRunning(), on.cancel("m", at(9))).state;
    expectNoOp(cancelled, on.resultCollected("b", 1, committed(C2, C1)));
    expectNoOp(cancelled, on.cancel("m"));
  });
});

describe("hold", () => {
  it("lets work under way finish but starts nothing until /unhold", () => {
    const held = step(bRunning(), on.hold("maintainer", at(7))).state;
    expect(held.hold).toStrictEqual({ by: "maintainer", at: at(7) });
    const { state, effects } = finishStage(held, "b", committed(C2, C1), at(8));
    expect(dispatched(effects)).toStrictEqual([]);
    expect(stageOf(state, "c").status).toBe("pending");
    expect(state.status).toBe("in_progress");

    const resumed = step(state, on.unhold("maintainer", at(9)));
    expect(resumed.state.hold).toBeNull();
    expect(dispatched(resumed.effects)).toStrictEqual(["c"]);
  });

  it("keeps the first hold, and ignores /unhold when not held", () => {
    const held = step(bRunning(), on.hold("first", at(7))).state;
    expectNoOp(held, on.hold("second", at(8)));
    expectNoOp(bRunning(), on.unhold("m"));
  });

  it("ends with the run", () => {
    const held = step(bRunning(), on.hold("m", at(7))).state;
    const { state } = step(held, on.cancel("m", at(8)));
    expect(state.hold).toBeNull();
    expectNoOp(state, on.hold("m", at(9)));
  });
});

describe("lost dispatches", () => {
  it("sends the dispatch again, then gives up", () => {
    let { state } = startedRun({ stages: [{ id: "a" }] });
    for (let i = 1; i <= MAX_REDISPATCHES; i++) {
      const again = step(state, on.dispatchLost("a", 1, at(10 * i)));
      expect(again.effects).toStrictEqual([
        expect.objectContaining({
          kind: "dispatch_stage",
          stage: "a",
          attempt: 1,
        }),
      ]);
      state = again.state;
      expect(attemptOf(state, "a").redispatches).toBe(i);
    }
    const { state: done } = step(state, on.dispatchLost("a", 1, at(40)));
    expect(attemptOf(done, "a")).toMatchObject({
      status: "failed",
      error_message: "no workflow run started for the stage after 3 dispatches",
    });
  });

  it("ignores an attempt whose workflow run is known", () => {
    const { state } = startedRun({ stages: [{ id: "a" }] });
    const known = step(state, on.stageDispatched("a")).state;
    expectNoOp(known, on.dispatchLost("a"));
  });
});

describe("the tracking comment", () => {
  it("moves to the pull request once it exists", () => {
    const { state } = startedRun({ stages: [{ id: "a" }] });
    const commented = step(state, on.trackingCommentCreated(900)).state;
    const opened = step(commented, on.pullRequestOpened(12));
    // No edit besides: the move posts the comment as the run is then.
    expect(opened.effects).toStrictEqual([{ kind: "move_tracking_comment" }]);
    const moved = step(opened.state, on.trackingCommentMoved(901, 12));
    expect(moved.state).toMatchObject({
      tracking_comment_id: 901,
      tracking_comment_on: 12,
    });
    expect(moved.effects).toStrictEqual([]);
  });
});

describe("nextWake", () => {
  it("is the earliest of retries, attempt deadlines and gate deadlines", () => {
    const gate = waiting({ timeout: "2h" });
    // g waits since at(5): its deadline is at(125).
    expect(nextWake(gate)).toBe(at(125));
    expect(nextWake(bRunning())).toBe(
      // b was dispatched at(5) with the default 30m limit, plus 15m.
      at(50),
    );
  });

  it("leaves out the retries of a run on hold: nothing is due until /unhold", () => {
    const { state: started } = startedRun({
      stages: [
        {
          id: "a",
          error_policy: { retry: { max_attempts: 2 }, timeout: "2h" },
        },
      ],
    });
    const held = applyAll(started, [
      on.hold("m", at(2)),
      on.resultMissing("a", 1, "lost", at(5), true),
    ]).state;
    expect(stageOf(held, "a").status).toBe("retrying");
    expect(nextWake(held)).toBeNull();
  });

  it("is null for a finished run", () => {
    const { state } = step(bRunning(), on.cancel("m", at(9)));
    expect(nextWake(state)).toBeNull();
  });
});
