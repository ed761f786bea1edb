import { existsSync } from "node:fs";
import { join } from "node:path";
import { headCommit } from "../../../action/src/git.js";
import type { Effect } from "../../engine/effects.js";
import type { RunEvent } from "../../engine/events.js";
import type { RunMetadata, RunPaths } from "../run-folder/index.js";
import { collectLocally } from "../stage/collect-locally.js";
import type { RunWorkspace } from "./run-workspace.js";
import type { StageSlots } from "./stage-slots.js";
import { createWorkspace } from "./workspace.js";

/** Where the effects of a local run are performed. */
export interface LocalPlace {
  paths: RunPaths;
  /** The run as last written (its state and step folders). */
  metadata: RunMetadata;
  slots: StageSlots;
  workspace: RunWorkspace;
  now: () => Date;
}

/**
 * The effects done on your machine other than collecting: what the run
 * folder must record before they are done. The others are GitHub's.
 */
export const LOCAL_EFFECTS: ReadonlySet<Effect["kind"]> = new Set([
  "create_branch",
  "dispatch_stage",
  "cancel_workflow_run",
]);

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
  const { paths, metadata, slots, workspace } = place;
  const at = () => place.now().toISOString();
  const step = (stage: string, attempt: number) =>
    metadata.steps[`${stage}#${attempt}`];
  switch (effect.kind) {
    case "create_branch": {
      const fresh = !existsSync(paths.workspace);
      const event = await createWorkspace(
        paths.repoRoot,
        paths.workspace,
        metadata.state,
        at,
      );
      // A worktree just made is clean at its branch's head.
      if (fresh && event.type === "branch_created")
        workspace.cleanAt = await headCommit(paths.workspace).catch(() => null);
      return event;
    }
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
      const event: RunEvent =
        broken !== undefined
          ? {
              type: "result_missing",
              stage: effect.stage,
              attempt: effect.attempt,
              error: broken,
              retryable: true,
              at: at(),
            }
          : await collectLocally({
              state: metadata.state,
              stage: effect.stage,
              attempt: effect.attempt,
              conclusion: effect.conclusion,
              step: join(paths.steps, step(effect.stage, effect.attempt) ?? ""),
              runFolder: paths.root,
              workspace: paths.workspace,
              inWorkspace: workspace.holdsWorkOf(effect.stage, effect.attempt),
              now: place.now,
            });
      if (workspace.isHeldBy(effect.stage, effect.attempt)) {
        await workspace.release(
          event.type === "result_collected" ? event.result.commit_sha : null,
        );
      }
      return event;
    }
    case "cancel_workflow_run":
      slots.stop(effect.stage, effect.attempt);
      return undefined;
    default:
      return undefined;
  }
}
