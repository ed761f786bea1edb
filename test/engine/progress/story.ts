import type { CollectedResult, RunEvent } from "../../../src/engine/events.js";
import type { ProgressEvent } from "../../../src/engine/progress/progress-event.js";
import {
  type ProgressContext,
  progressEvents,
} from "../../../src/engine/progress/progress-events.js";
import type { RunState } from "../../../src/engine/run-state.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../../src/workflow/default-workflow.js";
import {
  at,
  BASE_SHA,
  committed,
  makeRun,
  on,
  step,
  succeeded,
} from "../fixtures.js";

/** A run told event by event, as the driver sees it. */
export interface Story {
  state: RunState;
  /** Every state after an event, in order. */
  states: RunState[];
  progress: ProgressEvent[];
}

/**
 * Applies engine events to a run and collects the progress events of every
 * transition, the way the driver does. `before` is the state the driver
 * last reported; null when it has reported nothing yet.
 */
export function tell(
  run: RunState,
  events: readonly RunEvent[],
  before: RunState | null = null,
  context: ProgressContext = {},
): Story {
  const story: Story = { state: run, states: [], progress: [] };
  let reported = before;
  for (const event of events) {
    const next = step(story.state, event).state;
    story.progress.push(...progressEvents(reported, next, context));
    story.states.push(next);
    story.state = next;
    reported = next;
  }
  return story;
}

/** Goes on with a story: its last state was reported already. */
export function more(story: Story, events: readonly RunEvent[]): Story {
  return tell(story.state, events, story.state);
}

/**
 * One attempt of a stage: dispatched at `from` minutes, running a minute
 * later, done two minutes after that with `result`.
 */
export function attempt(
  stage: string,
  number: number,
  from: number,
  result: CollectedResult,
): RunEvent[] {
  return [
    on.stageDispatched(stage, number, undefined, at(from)),
    on.runUpdated(stage, number, "in_progress", { time: at(from + 1) }),
    on.runUpdated(stage, number, "completed", { time: at(from + 3) }),
    on.resultCollected(stage, number, result, at(from + 3)),
  ];
}

export const SPEC_DIR = "specs/001-dark-mode";
/** Commits whose short form is easy to spot. */
export const C1 = "1a2b3c4d".padEnd(40, "1");
export const C2 = "2b3c4d5e".padEnd(40, "2");
export const C3 = "3c4d5e6f".padEnd(40, "3");
export const C4 = "4d5e6f70".padEnd(40, "4");
export const USAGE = {
  input_tokens: 1000,
  output_tokens: 234,
  cost_usd: 0.0123,
  turns: 7,
};

/**
 * The default workflow, started at minute 0 with its branch at minute 1,
 * specify to analyze done three minutes apart (specify with usage), so
 * implement waits for approval from minute 13.
 */
export function defaultRunToGate(): Story {
  return tell(makeRun(DEFAULT_WORKFLOW_SOURCE), [
    on.start(at(0)),
    on.branchCreated(BASE_SHA, at(1)),
    ...attempt(
      "specify",
      1,
      1,
      committed(C1, BASE_SHA, {
        outputs: { spec: `${SPEC_DIR}/spec.md` },
        spec_dir: SPEC_DIR,
        usage: USAGE,
      }),
    ),
    ...attempt(
      "plan",
      1,
      4,
      committed(C2, C1, { outputs: { plan: `${SPEC_DIR}/plan.md` } }),
    ),
    ...attempt(
      "tasks",
      1,
      7,
      committed(C3, C2, { outputs: { tasks: `${SPEC_DIR}/tasks.md` } }),
    ),
    ...attempt(
      "analyze",
      1,
      10,
      succeeded({ outputs: { report: "ok", critical: 0 } }),
    ),
  ]);
}

/** a → (b, c) → d */
export const DIAMOND = {
  name: "Diamond",
  stages: [
    { id: "a" },
    { id: "b", depends_on: ["a"] },
    { id: "c", depends_on: ["a"] },
    { id: "d", depends_on: ["b", "c"] },
  ],
};

/** The diamond with `a` done, `b` running since minute 5, `c` dispatched at 4. */
export function diamondMiddle(): Story {
  return tell(makeRun(DIAMOND), [
    on.start(at(0)),
    on.branchCreated(BASE_SHA, at(1)),
    ...attempt("a", 1, 1, committed(C1, BASE_SHA, { usage: USAGE })),
    on.runUpdated("b", 1, "in_progress", { time: at(5) }),
  ]);
}
