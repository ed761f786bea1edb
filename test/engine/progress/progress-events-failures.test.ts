import { describe, expect, it } from "vitest";
import type { ProgressEvent } from "../../../src/engine/progress/progress-event.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../../src/workflow/default-workflow.js";
import {
  at,
  BASE_SHA,
  failed,
  makeRun,
  on,
  RUN_ID,
  succeeded,
} from "../fixtures.js";
import { DIAMOND, defaultRunToGate, more, tell } from "./story.js";

const run = { run_id: RUN_ID };

describe("progressEvents when stages fail, are skipped or cancelled", () => {
  it("reports a failure that will be retried, the retry, and the halt", () => {
    const first = tell(makeRun(DEFAULT_WORKFLOW_SOURCE), [
      on.start(at(0)),
      on.branchCreated(BASE_SHA, at(1)),
      on.runUpdated("specify", 1, "in_progress", { time: at(2) }),
      on.resultMissing("specify", 1, "the runner was lost", at(3), true),
    ]);
    const second = more(first, [
      on.tick(at(4)),
      on.runUpdated("specify", 2, "in_progress", { time: at(5) }),
      on.resultCollected("specify", 2, failed("\x1b[31mboom\x1b[0m"), at(6)),
    ]);

    expect(first.progress.at(-1)).toStrictEqual<ProgressEvent>({
      event: "stage_failed",
      ...run,
      at: at(3),
      stage: "specify",
      attempt: 1,
      status: "failed",
      error: "the runner was lost",
      will_retry: true,
    });
    expect(second.progress.slice(0, 2)).toStrictEqual<ProgressEvent[]>([
      {
        event: "stage_started",
        ...run,
        at: at(5),
        stage: "specify",
        attempt: 2,
      },
      {
        event: "stage_failed",
        ...run,
        at: at(6),
        stage: "specify",
        attempt: 2,
        status: "failed",
        error: "\x1b[31mboom\x1b[0m",
        will_retry: false,
      },
    ]);
    // The stages that never ran are skipped by the run's end, at its time.
    expect(second.progress.slice(2)).toStrictEqual<ProgressEvent[]>([
      ...["plan", "tasks", "analyze", "implement"].map(
        (stage): ProgressEvent => ({
          event: "stage_completed",
          ...run,
          at: at(6),
          stage,
          attempt: 0,
          status: "skipped",
          duration_ms: null,
          commit: null,
          usage: null,
          reason: "not run: the run failed first",
        }),
      ),
      {
        event: "run_completed",
        ...run,
        at: at(6),
        status: "failed",
        summary: "Stage Specify failed: \x1b[31mboom\x1b[0m",
        duration_ms: 6 * 60_000,
      },
    ]);
  });

  it("reports a stage skipped by its condition at the event's time", () => {
    const workflow = {
      stages: [{ id: "a" }, { id: "b", depends_on: ["a"], condition: "false" }],
    };
    const story = tell(makeRun(workflow), [
      on.start(at(0)),
      on.branchCreated(BASE_SHA, at(1)),
      on.runUpdated("a", 1, "in_progress", { time: at(2) }),
    ]);
    const done = tell(
      story.state,
      [on.resultCollected("a", 1, succeeded(), at(4))],
      story.state,
      { at: at(4.5) },
    );

    expect(done.progress.map((e) => [e.event, e.at])).toStrictEqual([
      ["stage_completed", at(4)],
      ["stage_completed", at(4.5)],
      ["run_completed", at(4)],
    ]);
    expect(done.progress[1]).toMatchObject({
      stage: "b",
      attempt: 0,
      status: "skipped",
      reason: "its condition is false",
    });
  });

  it("reports a rejected gate as a failure without an attempt", () => {
    const gate = defaultRunToGate();
    const { progress } = more(gate, [
      on.reject("implement", "octocat", "not now", at(20)),
    ]);

    expect(progress[0]).toStrictEqual<ProgressEvent>({
      event: "stage_failed",
      ...run,
      at: at(20),
      stage: "implement",
      attempt: null,
      status: "failed",
      error: "rejected by @octocat: not now",
      will_retry: false,
    });
    expect(progress.map((e) => e.event)).toStrictEqual([
      "stage_failed",
      "run_completed",
    ]);
  });

  it("reports a cancelled run: the running attempt, the stages not run, the end", () => {
    const story = tell(makeRun(DIAMOND), [
      on.start(at(0)),
      on.branchCreated(BASE_SHA, at(1)),
      on.runUpdated("a", 1, "in_progress", { time: at(2) }),
    ]);
    const { progress } = more(story, [on.cancel("octocat", at(3))]);

    expect(progress).toStrictEqual<ProgressEvent[]>([
      {
        event: "stage_failed",
        ...run,
        at: at(3),
        stage: "a",
        attempt: 1,
        status: "cancelled",
        error: "Cancelled by @octocat",
        will_retry: false,
      },
      ...["b", "c", "d"].map(
        (stage): ProgressEvent => ({
          event: "stage_failed",
          ...run,
          at: at(3),
          stage,
          attempt: null,
          status: "cancelled",
          error: "Cancelled by @octocat",
          will_retry: false,
        }),
      ),
      {
        event: "run_completed",
        ...run,
        at: at(3),
        status: "cancelled",
        summary: "Cancelled by @octocat",
        duration_ms: 3 * 60_000,
      },
    ]);
  });
});
