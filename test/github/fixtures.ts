import type { CollectedResult } from "../../src/engine/events.js";
import type { RunState } from "../../src/engine/run-state.js";
import { BASE_SHA, committed, finishStage, sha } from "../engine/fixtures.js";

/** The feature's spec folder, and the commits specify, plan and tasks make. */
export const SPEC_DIR = "specs/001-dark-mode";
export const C1 = sha(0xc1);
export const C2 = sha(0xc2);
export const C3 = sha(0xc3);

/** `specify` finished: committed C1 with the spec in SPEC_DIR (and `result`). */
export function specifyDone(
  state: RunState,
  result: Partial<CollectedResult> = {},
): RunState {
  return finishStage(
    state,
    "specify",
    committed(C1, BASE_SHA, {
      spec_dir: SPEC_DIR,
      outputs: { spec: `${SPEC_DIR}/spec.md` },
      ...result,
    }),
  ).state;
}

/** `plan` and `tasks` finished after `specify`: commits C2 and C3. */
export function planAndTasksDone(state: RunState): RunState {
  const planned = finishStage(
    state,
    "plan",
    committed(C2, C1, { outputs: { plan: `${SPEC_DIR}/plan.md` } }),
  ).state;
  return finishStage(
    planned,
    "tasks",
    committed(C3, C2, { outputs: { tasks: `${SPEC_DIR}/tasks.md` } }),
  ).state;
}

/** The default workflow's `specify`, `plan` and `tasks` finished. */
export function throughTasks(state: RunState): RunState {
  return planAndTasksDone(specifyDone(state));
}
