import type { RunState } from "../../src/engine/run-state.js";
import type { Store } from "../../src/store/store.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import {
  at,
  BASE_SHA,
  committed,
  finishStage,
  on,
  sha,
  startedRun,
  step,
  succeeded,
} from "../engine/fixtures.js";

/**
 * Puts a run the engine took somewhere (built with the engine's fixtures)
 * into the store as it is, with nothing left for the effect runner to do.
 */
export async function seedRun(store: Store, state: RunState): Promise<void> {
  const result = await store.createRun(
    { ...state, version: 0 },
    // Nothing is due in a freshly built run: this changes nothing.
    { type: "tick", at: state.created_at },
    {
      agent: {
        backend: "claude",
        version: null,
        prompt_pack_version: "1",
        runtime_env: {},
      },
    },
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
