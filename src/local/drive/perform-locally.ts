import { join } from "node:path";
import type { Effect } from "../../engine/effects.js";
import type { RunEvent } from "../../engine/events.js";
import type { RunMetadata, RunPaths } from "../run-folder/index.js";
import { collectLocally } from "../stage/collect-locally.js";
import type { StageSlots } from "./stage-slots.js";
import { createWorkspace } from "./workspace.js";

/** Where the effects of a local run are performed. */
export interface LocalPlace {
  paths: RunPaths;
  /** The run as last written (its state and step folders). */
  metadata: RunMetadata;
  slots: StageSlots;
  now: () => Date;
}

/**
 * Performs one of the engine's effects on your machine and returns the
 * event it leads to, if it leads to one at once: the branch is a worktree,
 * a dispatch takes a slot, a collection checks and commits. GitHub's own
 * effects (comments, check runs, labels, the pull request) have nothing to
 * do here.
 */
export async function performLocally(
  place: LocalPlace,
  effect: Effect,
): Promise<RunEvent | undefined> {
  const { paths, metadata, slots } = place;
  const at = () => place.now().toISOString();
  const step = (stage: string, attempt: number) =>
    metadata.steps[`${stage}#${attempt}`];
  switch (effect.kind) {
    case "create_branch":
      return createWorkspace(
        paths.repoRoot,
        paths.workspace,
        metadata.state,
        at,
      );
    case "dispatch_stage": {
      const name = step(effect.stage, effect.attempt) as string;
      const def = metadata.state.workflow.stages.find(
        (s) => s.id === effect.stage,
      );
      slots.enqueue({
        stage: effect.stage,
        attempt: effect.attempt,
        request: effect.request,
        declared: def?.outputs ?? {},
        step: join(paths.steps, name),
        sequence: Number(name.split("_")[0]),
      });
      return undefined;
    }
    case "collect_result": {
      const broken = slots.takeBreakage(effect.stage, effect.attempt);
      if (broken !== undefined) {
        return {
          type: "result_missing",
          stage: effect.stage,
          attempt: effect.attempt,
          error: broken,
          retryable: true,
          at: at(),
        };
      }
      return collectLocally({
        state: metadata.state,
        stage: effect.stage,
        attempt: effect.attempt,
        conclusion: effect.conclusion,
        step: join(paths.steps, step(effect.stage, effect.attempt) ?? ""),
        runFolder: paths.root,
        workspace: paths.workspace,
        now: place.now,
      });
    }
    case "cancel_workflow_run":
      slots.stop(effect.stage, effect.attempt);
      return undefined;
    default:
      return undefined;
  }
}
