import { type EffectContext, repoOf } from "./effect-context.js";
import { httpStatus } from "./github-errors.js";

/**
 * Asks GitHub to cancel a stage's workflow run. One that already finished
 * (409) or is gone (404) needs nothing more.
 */
export async function cancelWorkflowRun(
  context: EffectContext,
  effect: { stage: string; attempt: number; workflow_run_id: number },
): Promise<null> {
  const { octokit, state, log } = context;
  try {
    await octokit.rest.actions.cancelWorkflowRun({
      ...repoOf(state),
      run_id: effect.workflow_run_id,
    });
    log.info(
      `specwright: cancelled workflow run ${effect.workflow_run_id} (${effect.stage} attempt ${effect.attempt})`,
    );
  } catch (error) {
    const status = httpStatus(error);
    if (status !== 409 && status !== 404) throw error;
  }
  return null;
}
