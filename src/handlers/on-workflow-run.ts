import type { Context } from "probot";
import type { Dependencies } from "../app/dependencies.js";
import { findAttempt } from "./find-attempt.js";

const STATUS = {
  requested: "queued",
  in_progress: "in_progress",
  completed: "completed",
} as const;

/**
 * A stage workflow run was requested, started or finished: tell the engine,
 * which collects the result of a finished one. Runs that are not a stage
 * Specwright dispatched are ignored.
 */
export function onWorkflowRun(deps: Dependencies) {
  return async (context: Context<"workflow_run">): Promise<void> => {
    const { action, workflow_run: run, repository } = context.payload;
    const status = STATUS[action as keyof typeof STATUS];
    if (status === undefined) return;
    const found = await findAttempt(deps.store, {
      id: run.id,
      display_title: "display_title" in run ? (run.display_title ?? "") : "",
      path: run.path,
      event: run.event,
      head_branch: run.head_branch,
      repository: { owner: repository.owner.login, repo: repository.name },
      triggering_actor_type: run.triggering_actor?.type ?? run.actor?.type,
    });
    if (found === undefined) return;
    const result = await deps.store.apply(
      found.runId,
      {
        type: "workflow_run_updated",
        stage: found.stage,
        attempt: found.attempt,
        workflow_run_id: run.id,
        workflow_run_url: run.html_url,
        status,
        conclusion: run.conclusion,
        at: deps.now().toISOString(),
      },
      { delivery: { id: context.id, event: `workflow_run.${action}` } },
    );
    if (result.applied) deps.runner.kick();
  };
}
