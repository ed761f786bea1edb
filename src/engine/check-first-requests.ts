import { type Stage, stageGate } from "../workflow/schema.js";
import { buildStageRequest } from "./build-stage-request.js";
import type { RunState } from "./run-state.js";

/** Stands in for the branch head, which has this length, before there is one. */
const NO_SHA_YET = "0".repeat(40);

/**
 * A stage that starts as soon as the branch exists (no dependency, gate or
 * condition) whose request would be over GitHub's limit for dispatch
 * inputs, with why. Checked before the run makes its branch, so that a run
 * that cannot dispatch its first stage leaves nothing behind.
 */
export function oversizeFirstRequest(
  state: RunState,
): { stage: Stage; error: string } | undefined {
  const probe: RunState = { ...state, head_sha: state.head_sha ?? NO_SHA_YET };
  for (const stage of state.workflow.stages) {
    if (
      stage.depends_on.length > 0 ||
      stage.type === "gate" ||
      stageGate(stage) !== undefined ||
      stage.condition !== undefined
    )
      continue;
    const built = buildStageRequest(probe, stage, 1);
    if ("error" in built && built.too_large)
      return { stage, error: built.error };
  }
  return undefined;
}
