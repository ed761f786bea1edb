import type { ChangedFile } from "../contracts/changes.js";
import { checkStageOutputs } from "../contracts/check-stage-outputs.js";
import { type EffectContext, repoOf } from "./effect-context.js";
import { httpStatus } from "./github-errors.js";

/** Whether `path` is a file in the repository at `ref`. */
async function isFileAt(
  { octokit, state }: Pick<EffectContext, "octokit" | "state">,
  path: string,
  ref: string,
): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getContent({
      ...repoOf(state),
      path,
      ref,
    });
    return (
      !Array.isArray(data) && (data.type === "file" || data.type === "symlink")
    );
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw error;
  }
}

/**
 * Problems with the outputs a successful stage reported (see
 * {@link checkStageOutputs}); GitHub says which files the repository has.
 */
export function checkOutputs(
  context: Pick<EffectContext, "octokit" | "state">,
  params: {
    stage: string;
    outputs: Record<string, unknown>;
    changes: readonly ChangedFile[];
    base_sha: string;
  },
): Promise<string[]> {
  const def = context.state.workflow.stages.find((s) => s.id === params.stage);
  return checkStageOutputs({
    declared: def?.outputs ?? {},
    outputs: params.outputs,
    changes: params.changes,
    base_sha: params.base_sha,
    isFileAt: (path, ref) => isFileAt(context, path, ref),
  });
}
