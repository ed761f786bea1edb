import { describe, expect, it } from "vitest";
import type { Effect, EffectKind } from "../../src/engine/effects.js";
import type { RunEvent } from "../../src/engine/events.js";
import type { RunState } from "../../src/engine/run-state.js";
import {
  applyAll,
  at,
  attemptOf,
  BASE_SHA,
  committed,
  makeRun,
  on,
  sha,
  stageOf,
  step,
} from "./fixtures.js";

// An effect that fails for good (`effect_failed`): per kind, what the run
// does (stops, fails the attempt, goes on) and what it keeps to show people.

const LINEAR = {
  stages: [
    { id: "a", name: "Draft" },
    { id: "b", depends_on: ["a"] },
  ],
};
const C1 = sha(0xc1);
const TRACKING = { kind: "update_tracking_comment" } as const;

/** a committed (its pull request asked for), b dispatched: both have check runs. */
function runningRun(): RunState {
  return applyAll(makeRun(LINEAR), [
    on.start(),
    on.trackingCommentCreated(555),
    on.branchCreated(),
    on.checkRunCreated("a", 1, 900),
    on.stageDispatched("a", 1),
    on.runUpdated("a", 1, "in_progress"),
    on.runUpdated("a", 1, "completed"),
    on.resultCollected("a", 1, committed(C1, BASE_SHA)),
    on.checkRunCreated("b", 1, 901),
  ]).state;
}

function queuedRun(): RunState {
  return applyAll(makeRun(LINEAR), [on.start(), on.trackingCommentCreated(555)])
    .state;
}

interface Case {
  kind: EffectKind;
  from: () => RunState;
  event: RunEvent;
  /** The run's and the target stage's status afterwards. */
  run: RunState["status"];
  stage?: [string, string];
  /** The problem kept, by stage (null: none kept; the attempt shows it). */
  problem: { stage: string | null; attempt: number | null } | null;
  effects: Effect[];
}

const cases: Case[] = [
  {
    kind: "create_branch",
    from: queuedRun,
    event: on.effectFailed("create_branch"),
    run: "failed",
    problem: { stage: null, attempt: null },
    effects: [
      // The comment's edit before the notice that sends people to it.
      TRACKING,
      {
        kind: "post_notice",
        notice: { type: "run_finished" },
        key: `finished:${at(6)}`,
      },
    ],
  },
  {
    kind: "dispatch_stage",
    from: runningRun,
    event: on.effectFailed("dispatch_stage", { stage: "b", attempt: 1 }),
    run: "failed",
    stage: ["b", "failed"],
    problem: null,
    effects: [
      { kind: "update_check_run", stage: "b", attempt: 1 },
      // The comment's edit before the notice that sends people to it.
      TRACKING,
      {
        kind: "post_notice",
        notice: { type: "run_finished" },
        key: `finished:${at(6)}`,
      },
    ],
  },
  {
    kind: "collect_result",
    from: () =>
      applyAll(runningRun(), [
        on.stageDispatched("b", 1),
        on.runUpdated("b", 1, "completed"),
      ]).state,
    event: on.effectFailed("collect_result", { stage: "b", attempt: 1 }),
    run: "failed",
    stage: ["b", "failed"],
    problem: null,
    effects: [
      { kind: "update_check_run", stage: "b", attempt: 1 },
      // The comment's edit before the notice that sends people to it.
      TRACKING,
      {
        kind: "post_notice",
        notice: { type: "run_finished" },
        key: `finished:${at(6)}`,
      },
    ],
  },
  {
    kind: "open_pull_request",
    from: runningRun,
    event: on.effectFailed("open_pull_request"),
    run: "in_progress",
    stage: ["b", "dispatched"],
    problem: { stage: "a", attempt: 1 },
    effects: [{ kind: "update_check_run", stage: "a", attempt: 1 }, TRACKING],
  },
  {
    kind: "create_check_run",
    from: runningRun,
    event: on.effectFailed("create_check_run", { stage: "b", attempt: 1 }),
    run: "in_progress",
    stage: ["b", "dispatched"],
    problem: { stage: "b", attempt: 1 },
    effects: [TRACKING],
  },
  {
    kind: "update_check_run",
    from: runningRun,
    event: on.effectFailed("update_check_run", { stage: "a", attempt: 1 }),
    run: "in_progress",
    problem: { stage: "a", attempt: 1 },
    effects: [TRACKING],
  },
  {
    kind: "create_gate_check_run",
    from: runningRun,
    event: on.effectFailed("create_gate_check_run", { stage: "b" }),
    run: "in_progress",
    problem: { stage: "b", attempt: null },
    // b's check run shows its stage's problems.
    effects: [{ kind: "update_check_run", stage: "b", attempt: 1 }, TRACKING],
  },
  {
    kind: "update_gate_check_run",
    from: runningRun,
    event: on.effectFailed("update_gate_check_run", { stage: "b" }),
    run: "in_progress",
    problem: { stage: "b", attempt: null },
    // b's check run shows its stage's problems.
    effects: [{ kind: "update_check_run", stage: "b", attempt: 1 }, TRACKING],
  },
  {
    kind: "cancel_workflow_run",
    from: () => applyAll(runningRun(), [on.cancel("m", at(5))]).state,
    event: on.effectFailed("cancel_workflow_run", { stage: "b", attempt: 1 }),
    run: "cancelled",
    stage: ["b", "cancelled"],
    problem: { stage: "b", attempt: 1 },
    effects: [{ kind: "update_check_run", stage: "b", attempt: 1 }, TRACKING],
  },
  {
    kind: "create_tracking_comment",
    from: () =>
      applyAll(makeRun(LINEAR), [
        on.start(),
        on.branchCreated(),
        on.checkRunCreated("a", 1, 900),
      ]).state,
    event: on.effectFailed("create_tracking_comment"),
    run: "in_progress",
    problem: { stage: null, attempt: null },
    // The comment cannot say it: the check runs do.
    effects: [{ kind: "update_check_run", stage: "a", attempt: 1 }],
  },
  {
    kind: "update_tracking_comment",
    from: runningRun,
    event: on.effectFailed("update_tracking_comment"),
    run: "in_progress",
    problem: { stage: null, attempt: null },
    // Not another edit of the comment that could not be edited.
    effects: [
      { kind: "update_check_run", stage: "a", attempt: 1 },
      { kind: "update_check_run", stage: "b", attempt: 1 },
    ],
  },
  {
    kind: "move_tracking_comment",
    from: runningRun,
    event: on.effectFailed("move_tracking_comment"),
    run: "in_progress",
    problem: { stage: null, attempt: null },
    effects: [
      { kind: "update_check_run", stage: "a", attempt: 1 },
      { kind: "update_check_run", stage: "b", attempt: 1 },
      TRACKING,
    ],
  },
  {
    kind: "ensure_labels",
    from: runningRun,
    event: on.effectFailed("ensure_labels"),
    run: "in_progress",
    problem: { stage: null, attempt: null },
    effects: [TRACKING],
  },
  {
    kind: "post_notice",
    from: runningRun,
    event: on.effectFailed("post_notice"),
    run: "in_progress",
    problem: { stage: null, attempt: null },
    effects: [TRACKING],
  },
];

describe("effect_failed", () => {
  it("has a case for every kind of effect", () => {
    const kinds: Record<EffectKind, true> = {
      create_tracking_comment: true,
      update_tracking_comment: true,
      create_branch: true,
      create_check_run: true,
      update_check_run: true,
      dispatch_stage: true,
      collect_result: true,
      open_pull_request: true,
      move_tracking_comment: true,
      ensure_labels: true,
      cancel_workflow_run: true,
      create_gate_check_run: true,
      update_gate_check_run: true,
      post_notice: true,
    };
    expect(cases.map((c) => c.kind).sort()).toEqual(Object.keys(kinds).sort());
  });

  it.each(cases)(
    "$kind: the run is $run, and what failed is kept to be shown",
    ({ from, event, run, stage, problem, effects }) => {
      const { state, effects: asked } = step(from(), event);
      expect(state.status).toBe(run);
      if (stage) expect(stageOf(state, stage[0]).status).toBe(stage[1]);
      expect(asked).toStrictEqual(effects);
      expect(state.problems).toStrictEqual(
        problem === null
          ? []
          : [
              {
                kind: event.type === "effect_failed" ? event.kind : "",
                ...problem,
                message: "Resource not accessible by integration",
                at: at(6),
              },
            ],
      );
    },
  );

  it("says why the feature branch failed in the run's summary", () => {
    const { state } = step(
      queuedRun(),
      on.effectFailed("create_branch", {}, "Bad credentials"),
    );
    expect(state.result_summary).toBe(
      "Could not create the feature branch: Bad credentials",
    );
  });

  it("fails the attempt with GitHub's message, and dispatches nothing more", () => {
    const { state, effects } = step(
      runningRun(),
      on.effectFailed("dispatch_stage", { stage: "b", attempt: 1 }, "Nope"),
    );
    expect(attemptOf(state, "b").error_message).toBe(
      "could not dispatch the stage workflow: Nope",
    );
    expect(effects.some((e) => e.kind === "dispatch_stage")).toBe(false);
  });

  it.each([
    { transient: true, status: "retrying" },
    { transient: false, status: "failed" },
  ])(
    "retries a result GitHub kept failing to give (transient: $transient), not one it refused",
    ({ transient, status }) => {
      const from = applyAll(runningRun(), [
        on.stageDispatched("b", 1),
        on.runUpdated("b", 1, "completed"),
      ]).state;
      const { state } = step(
        from,
        on.effectFailed(
          "collect_result",
          { stage: "b", attempt: 1 },
          "Server Error",
          { transient },
        ),
      );
      expect(stageOf(state, "b").status).toBe(status);
      expect(attemptOf(state, "b").error_message).toBe(
        "the result could not be collected and committed: Server Error",
      );
    },
  );

  it("keeps one problem per effect: the same failure again changes nothing", () => {
    const once = step(runningRun(), on.effectFailed("update_tracking_comment"));
    const again = step(once.state, on.effectFailed("update_tracking_comment"));
    expect(again.state).toBe(once.state);
    expect(again.effects).toEqual([]);
  });

  it("opens the pull request again with the next commit after a failed try, and forgets the failure once it is open", () => {
    const failed = step(runningRun(), on.effectFailed("open_pull_request"));
    const next = applyAll(failed.state, [
      on.stageDispatched("b", 1),
      on.runUpdated("b", 1, "completed"),
      on.resultCollected("b", 1, committed(sha(0xc2), C1), at(7)),
    ]);
    expect(next.effects).toContainEqual({ kind: "open_pull_request" });
    const opened = step(next.state, on.pullRequestOpened(7, at(8)));
    expect(opened.state.problems).toEqual([]);
    expect(opened.state.pull_request).toEqual({
      number: 7,
      url: "https://github.com/acme/web/pull/7",
    });
  });

  it("does not ask for the pull request again on later commits while no try has failed", () => {
    const next = applyAll(runningRun(), [
      on.stageDispatched("b", 1),
      on.runUpdated("b", 1, "completed"),
      on.resultCollected("b", 1, committed(sha(0xc2), C1), at(7)),
    ]);
    expect(next.effects).not.toContainEqual({ kind: "open_pull_request" });
  });

  it("forgets a check run that could not be made once a later try made it", () => {
    const failed = step(
      runningRun(),
      on.effectFailed("create_check_run", { stage: "b", attempt: 1 }),
    );
    expect(failed.state.problems).toHaveLength(1);
    const made = step(failed.state, on.checkRunCreated("b", 1, 999));
    expect(made.state.problems).toEqual([]);
  });

  it("records that the pull request was opened ready because drafts were refused", () => {
    const { state } = step(runningRun(), {
      ...on.pullRequestOpened(7),
      draft_refused: true,
    } as RunEvent);
    expect(state.pull_request_draft_refused).toBe(true);
  });

  it("forgets a check run update that failed once a later update worked, and shows that in the comment", () => {
    const failed = step(
      runningRun(),
      on.effectFailed("update_check_run", { stage: "a", attempt: 1 }),
    );
    const recovered = step(failed.state, {
      type: "effect_recovered",
      kind: "update_check_run",
      stage: "a",
      attempt: 1,
      at: at(7),
    });
    expect(recovered.state.problems).toEqual([]);
    expect(recovered.effects).toStrictEqual([TRACKING]);
  });

  it("takes the tracking comment's failure off the check runs once an edit worked, without another edit", () => {
    const failed = step(
      runningRun(),
      on.effectFailed("update_tracking_comment"),
    );
    const recovered = step(failed.state, {
      type: "effect_recovered",
      kind: "update_tracking_comment",
      stage: null,
      attempt: null,
      at: at(7),
    });
    expect(recovered.state.problems).toEqual([]);
    expect(recovered.effects).toStrictEqual([
      { kind: "update_check_run", stage: "a", attempt: 1 },
      { kind: "update_check_run", stage: "b", attempt: 1 },
    ]);
  });

  it("changes nothing when an effect that never failed works", () => {
    const from = runningRun();
    const { state, effects } = step(from, {
      type: "effect_recovered",
      kind: "update_check_run",
      stage: "a",
      attempt: 1,
      at: at(7),
    });
    expect(state).toBe(from);
    expect(effects).toEqual([]);
  });

  it("takes the pull request's failure off the check run that showed it once it is open", () => {
    const failed = step(runningRun(), on.effectFailed("open_pull_request"));
    const opened = step(failed.state, on.pullRequestOpened(7, at(8)));
    expect(opened.effects).toContainEqual({
      kind: "update_check_run",
      stage: "a",
      attempt: 1,
    });
  });

  // Every effect a failure asks for fails too (GitHub refuses the App
  // everything), with a new message each time: the run settles.
  it("settles when the tracking comment and every check run keep failing", () => {
    let state = runningRun();
    let queue: Effect[] = [TRACKING];
    let n = 0;
    for (; queue.length > 0 && n < 100; n++) {
      const effect = queue.shift() as Effect;
      const next = step(state, {
        type: "effect_failed",
        kind: effect.kind,
        stage: "stage" in effect ? effect.stage : null,
        attempt: "attempt" in effect ? effect.attempt : null,
        message: `Server Error ${n}`,
        transient: true,
        at: at(6),
      });
      state = next.state;
      queue = [...queue, ...next.effects];
    }
    expect(queue).toEqual([]);
    expect(n).toBeLessThan(10);
  });
});
