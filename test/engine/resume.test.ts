import { describe, expect, it } from "vitest";
import {
  at,
  attemptOf,
  BASE_SHA,
  bRunning,
  committed,
  dispatched,
  expectNoOp,
  failed,
  finishStage,
  on,
  sha,
  stageOf,
  startedRun,
  statuses,
  step,
} from "./fixtures.js";

const C1 = sha(0xc1);

describe("resume", () => {
  it("goes on with a cancelled run from the stage the cancel stopped, keeping what succeeded", () => {
    const cancelled = step(bRunning(), on.cancel("me", at(8))).state;
    expect(cancelled.status).toBe("cancelled");
    expect(attemptOf(cancelled, "b").status).toBe("cancelled");

    const { state, effects } = step(cancelled, on.resume("me", at(21)));
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
    expect(stageOf(state, "b").attempts.map((a) => a.status)).toStrictEqual([
      "cancelled",
      "dispatched",
    ]);
    expect(attemptOf(state, "b")).toMatchObject({
      attempt: 2,
      base_sha: C1,
      trigger: "resumed by me",
    });
    expect(dispatched(effects)).toStrictEqual(["b"]);
  });

  it("runs a failed stage again, and the stages skipped because of it", () => {
    const workflow = {
      stages: [
        { id: "a" },
        {
          id: "b",
          depends_on: ["a"],
          error_policy: { on_failure: "skip_dependents" },
        },
        { id: "c", depends_on: ["b"] },
        { id: "d", depends_on: ["a"] },
      ],
    };
    let state = finishStage(
      startedRun(workflow).state,
      "a",
      committed(C1, BASE_SHA),
      at(5),
    ).state;
    state = finishStage(state, "d", committed(sha(0xd1), C1), at(6)).state;
    state = finishStage(state, "b", failed("tests failed"), at(7)).state;
    expect(statuses(state)).toStrictEqual({
      a: "succeeded",
      b: "failed",
      c: "skipped",
      d: "succeeded",
    });
    expect(state.status).toBe("failed");

    const resumed = step(state, on.resume("me")).state;
    expect(statuses(resumed)).toStrictEqual({
      a: "succeeded",
      b: "dispatched",
      c: "pending",
      d: "succeeded",
    });
  });

  it("asks a rejected gate again, and keeps an approval that was given", () => {
    const gated = {
      stages: [
        { id: "a" },
        { id: "g", depends_on: ["a"], gate: {} },
        { id: "h", depends_on: ["a"], gate: {} },
      ],
    };
    let state = finishStage(
      startedRun(gated).state,
      "a",
      committed(C1, BASE_SHA),
      at(5),
    ).state;
    state = step(state, on.approve("h", "lead", at(6))).state;
    state = step(state, on.reject("g", "lead", "not yet", at(7))).state;
    expect(state.status).toBe("failed");
    expect(stageOf(state, "h")).toMatchObject({
      status: "skipped",
      stopped_by_run: true,
    });

    const resumed = step(state, on.resume("me")).state;
    expect(stageOf(resumed, "g")).toMatchObject({
      status: "waiting_approval",
      approved_by: null,
      rejected_by: null,
    });
    expect(stageOf(resumed, "h")).toMatchObject({
      status: "dispatched",
      approved_by: "lead",
    });
  });

  it("changes nothing in a run that is going or has succeeded", () => {
    expectNoOp(bRunning(), on.resume("me"));
    let done = finishStage(
      startedRun({ stages: [{ id: "a" }] }).state,
      "a",
      committed(C1, BASE_SHA),
    ).state;
    expect(done.status).toBe("succeeded");
    expectNoOp(done, on.resume("me"));
    done = step(
      startedRun({ stages: [{ id: "a" }] }).state,
      on.cancel("me"),
    ).state;
    expect(done.status).toBe("cancelled");
    // A cancelled run with its branch goes on.
    expect(step(done, on.resume("me")).state.status).toBe("in_progress");
  });
});
