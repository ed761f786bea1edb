import { eq } from "drizzle-orm";
import type { RunState } from "../../src/engine/run-state.js";
import { effects } from "../../src/store/schema.js";
import type { Store } from "../../src/store/store.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import {
  at,
  BASE_SHA,
  committed,
  finishStage,
  makeRun,
  on,
  sha,
  startedRun,
  step,
  succeeded,
} from "../engine/fixtures.js";

/** The agent a test run is recorded with. */
export const TEST_AGENT = {
  agent: {
    backend: "claude",
    version: null,
    prompt_pack_version: "1",
    runtime_env: {},
  },
} as const;

/**
 * Starts the default workflow's run (acme/web, issue 42) at `time` and takes
 * it to `specify` dispatched, with its tracking comment (55) and check run
 * (900), every effect so far marked performed. Its id.
 */
export async function dispatchedRun(
  store: Store,
  time: string,
): Promise<string> {
  const state = makeRun(DEFAULT_WORKFLOW_SOURCE);
  await store.createRun(state, on.start(time), TEST_AGENT);
  await store.apply(state.id, on.trackingCommentCreated(55));
  await store.apply(state.id, on.branchCreated());
  await store.apply(state.id, on.checkRunCreated("specify", 1, 900));
  await store.apply(state.id, on.stageDispatched("specify", 1));
  const queued = await store.db
    .select({ id: effects.id })
    .from(effects)
    .where(eq(effects.status, "pending"));
  for (const { id } of queued) await store.completeEffect(id);
  return state.id;
}

/**
 * Puts a run the engine took somewhere (built with the engine's fixtures)
 * into the store as it is, with nothing left for the effect runner to do.
 */
export async function seedRun(store: Store, state: RunState): Promise<void> {
  const result = await store.createRun(
    { ...state, version: 0 },
    // Nothing is due in a freshly built run: this changes nothing.
    { type: "tick", at: state.created_at },
    TEST_AGENT,
  );
  if (result.effects.length > 0)
    throw new Error("the seeded run asked for effects");
}

/**
 * The default workflow run (acme/web, issue 42) through analyze, with its
 * pull request #12 open and `implement` waiting for approval; its gate's
 * check run is 5000.
 */
export function implementWaiting(): RunState {
  let { state } = startedRun(DEFAULT_WORKFLOW_SOURCE);
  let parent = BASE_SHA;
  const outputs: Record<string, Record<string, string>> = {
    specify: { spec: "specs/001-dark-mode/spec.md" },
    plan: { plan: "specs/001-dark-mode/plan.md" },
    tasks: { tasks: "specs/001-dark-mode/tasks.md" },
  };
  for (const [i, id] of ["specify", "plan", "tasks"].entries()) {
    const next = sha(0x100 + i);
    state = finishStage(
      state,
      id,
      committed(next, parent, {
        outputs: outputs[id] ?? {},
        spec_dir: "specs/001-dark-mode",
      }),
      at(5 + i),
    ).state;
    if (i === 0) state = step(state, on.pullRequestOpened(12)).state;
    parent = next;
  }
  state = finishStage(
    state,
    "analyze",
    succeeded({ outputs: { report: "ok", critical: 0 } }),
    at(9),
  ).state;
  return step(state, on.gateCheckRunCreated("implement", 5000, at(9), at(10)))
    .state;
}
