import { parseCorrelationKey } from "../contracts/stage-request.js";
import type { Store } from "../store/store.js";

export interface WorkflowRunFacts {
  id: number;
  display_title: string;
  path: string;
  event: string;
  head_branch: string | null;
  repository: { owner: string; repo: string };
  /** Who started the run: for a dispatch by the App, its bot user. */
  triggering_actor_type: string | undefined;
}

/**
 * The run, stage and attempt a workflow run belongs to: by the run id the
 * dispatch returned, else by the key in its `run-name` — accepted only from
 * the run's own stage workflow, dispatched by a bot on the run's branch.
 */
export async function findAttempt(
  store: Store,
  run: WorkflowRunFacts,
): Promise<{ runId: string; stage: string; attempt: number } | undefined> {
  const known = await store.findAttemptByWorkflowRun(run.id);
  if (known) return known;
  const key = parseCorrelationKey(run.display_title);
  if (
    key === undefined ||
    run.event !== "workflow_dispatch" ||
    run.triggering_actor_type !== "Bot"
  ) {
    return undefined;
  }
  const state = await store.viewRun(key.runId);
  if (
    state === undefined ||
    state.owner !== run.repository.owner ||
    state.repo !== run.repository.repo ||
    state.branch !== run.head_branch ||
    !run.path.endsWith(`/${state.settings.stage_workflow}`)
  ) {
    return undefined;
  }
  const attempt = state.stages
    .find((s) => s.id === key.stage)
    ?.attempts.find((a) => a.attempt === key.attempt);
  if (
    attempt === undefined ||
    (attempt.workflow_run_id !== null && attempt.workflow_run_id !== run.id)
  ) {
    return undefined;
  }
  return key;
}
