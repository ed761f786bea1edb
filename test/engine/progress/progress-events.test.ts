import { describe, expect, it } from "vitest";
import type { ProgressEvent } from "../../../src/engine/progress/progress-event.js";
import { progressEvents } from "../../../src/engine/progress/progress-events.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../../src/workflow/default-workflow.js";
import {
  at,
  BASE_SHA,
  BRANCH,
  committed,
  FEATURE,
  makeRun,
  on,
  RUN_ID,
} from "../fixtures.js";
import {
  attempt,
  C1,
  C3,
  C4,
  DIAMOND,
  defaultRunToGate,
  more,
  tell,
  USAGE,
} from "./story.js";

const run = { run_id: RUN_ID };

describe("progressEvents", () => {
  it("reports the run's start with what it runs, and nothing for a dispatch", () => {
    const story = tell(makeRun(DEFAULT_WORKFLOW_SOURCE), [
      on.start(at(0)),
      on.branchCreated(BASE_SHA, at(1)),
      on.stageDispatched("specify", 1, undefined, at(1)),
    ]);

    expect(story.progress).toStrictEqual<ProgressEvent[]>([
      {
        event: "run_started",
        ...run,
        at: at(0),
        feature: FEATURE,
        workflow: "Spec Kit",
        branch: BRANCH,
        stages: ["specify", "plan", "tasks", "analyze", "implement"],
      },
    ]);
  });

  it("reports the start of a queued run, as the driver tells it, once", () => {
    const queued = makeRun(DEFAULT_WORKFLOW_SOURCE);
    const story = tell(
      queued,
      [on.start(at(0)), on.branchCreated(BASE_SHA, at(1))],
      queued,
    );

    expect(story.progress.map((e) => e.event)).toStrictEqual(["run_started"]);
    expect(story.progress[0]).toMatchObject({ at: at(0), branch: BRANCH });
  });

  it("reports an attempt's start once, when it first runs", () => {
    const started = tell(makeRun(DEFAULT_WORKFLOW_SOURCE), [
      on.start(at(0)),
      on.branchCreated(BASE_SHA, at(1)),
      on.runUpdated("specify", 1, "queued", { time: at(2) }),
      on.runUpdated("specify", 1, "in_progress", { time: at(3) }),
    ]);
    const again = more(started, [
      on.runUpdated("specify", 1, "in_progress", { time: at(4) }),
    ]);

    expect(started.progress.slice(1)).toStrictEqual<ProgressEvent[]>([
      {
        event: "stage_started",
        ...run,
        at: at(3),
        stage: "specify",
        attempt: 1,
      },
    ]);
    expect(again.progress).toStrictEqual([]);
  });

  it("reports finished attempts with duration, commit and usage, then the gate that waits", () => {
    const { progress } = defaultRunToGate();

    expect(
      progress.map((e) => `${e.event} ${"stage" in e ? e.stage : ""}`),
    ).toStrictEqual([
      "run_started ",
      "stage_started specify",
      "stage_completed specify",
      "stage_started plan",
      "stage_completed plan",
      "stage_started tasks",
      "stage_completed tasks",
      "stage_started analyze",
      "stage_completed analyze",
      "gate_waiting implement",
    ]);
    expect(progress[2]).toStrictEqual<ProgressEvent>({
      event: "stage_completed",
      ...run,
      at: at(4),
      stage: "specify",
      attempt: 1,
      status: "succeeded",
      duration_ms: 120_000,
      commit: C1,
      usage: USAGE,
    });
    expect(progress[9]).toStrictEqual<ProgressEvent>({
      event: "gate_waiting",
      ...run,
      at: at(13),
      stage: "implement",
      approve: "specwright approve 0b5e7a52 implement",
      reject: "specwright reject 0b5e7a52 implement",
    });
  });

  it("names the CLI as the driver was called in the gate commands", () => {
    const story = defaultRunToGate();
    const before = story.states[story.states.length - 2] ?? null;

    const events = progressEvents(before, story.state, {
      command: "npx specwright",
    });

    expect(events.at(-1)).toMatchObject({
      approve: "npx specwright approve 0b5e7a52 implement",
      reject: "npx specwright reject 0b5e7a52 implement",
    });
  });

  it("reports the run's end once, after the last stage", () => {
    const gate = defaultRunToGate();
    const approved = more(gate, [on.approve("implement", "octocat", at(14))]);
    const done = more(approved, [
      ...attempt("implement", 1, 14, committed(C4, C3)),
      on.approve("implement", "octocat", at(18)),
      on.tick(at(19)),
    ]);

    expect(approved.progress).toStrictEqual([]);
    expect(done.progress.map((e) => e.event)).toStrictEqual([
      "stage_started",
      "stage_completed",
      "run_completed",
    ]);
    expect(done.progress[2]).toStrictEqual<ProgressEvent>({
      event: "run_completed",
      ...run,
      at: at(17),
      status: "succeeded",
      summary: "Every stage finished",
      duration_ms: 17 * 60_000,
    });
  });

  it("reports nothing twice: the same state twice gives no event", () => {
    const { states } = defaultRunToGate();
    for (const state of states)
      expect(progressEvents(state, state)).toStrictEqual([]);
  });

  it("reports both middle stages of a diamond as started", () => {
    const story = tell(makeRun(DIAMOND), [
      on.start(at(0)),
      on.branchCreated(BASE_SHA, at(1)),
      ...attempt("a", 1, 1, committed(C1, BASE_SHA)),
      on.runUpdated("b", 1, "in_progress", { time: at(5) }),
      on.runUpdated("c", 1, "in_progress", { time: at(6) }),
    ]);

    expect(story.progress.slice(-2)).toStrictEqual<ProgressEvent[]>([
      { event: "stage_started", ...run, at: at(5), stage: "b", attempt: 1 },
      { event: "stage_started", ...run, at: at(6), stage: "c", attempt: 1 },
    ]);
    // A driver that joins midway hears the story so far, in time order.
    expect(
      progressEvents(null, story.state).map(
        (e) => `${e.event} ${"stage" in e ? e.stage : ""}`,
      ),
    ).toStrictEqual([
      "run_started ",
      "stage_started a",
      "stage_completed a",
      "stage_started b",
      "stage_started c",
    ]);
  });
});
