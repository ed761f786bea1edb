import type { Context } from "probot";
import type { Dependencies } from "../app/dependencies.js";
import { parseCorrelationKey } from "../contracts/stage-request.js";
import { findAttempt } from "./find-attempt.js";

const STATUS = {
  requested: "queued",
  in_progress: "in_progress",
  completed: "completed",
} as const;

type WorkflowRun = Context<"workflow_run">["payload"]["workflow_run"];

/**
 * Whether the payload alone shows the run is not a stage Specwright
 * dispatched. Every workflow of every repository the App is installed on
 * sends these, so they are dropped before any store query: the App
 * dispatches its stages itself (`workflow_dispatch`, by its bot) and the
 * stage workflow's `run-name` carries the run's key. A re-run keeps the
 * original `actor` and `event`, so a stage re-run by a person still counts.
 */
export function isForeignWorkflowRun(run: WorkflowRun): boolean {
  if (run.event !== "workflow_dispatch") return true;
  if (run.actor != null && run.actor.type !== "Bot") return true;
  // Servers too old to send a display title are left to the store lookup.
  if (!("display_title" in run) || typeof run.display_title !== "string") {
    return false;
  }
  return parseCorrelationKey(run.display_title) === undefined;
}

/**
 * A stage workflow run was requested, started or finished: tell the engine,
 * which collects the result of a finished one. Runs that are not a stage
 * Specwright dispatched are ignored.
 */
export function onWorkflowRun(deps: Dependencies) {
  return async (context: Context<"workflow_run">): Promise<void> => {
    const { action, workflow_run: run, repository } = context.payload;
    const status = STATUS[action as keyof typeof STATUS];
    if (status === undefined || isForeignWorkflowRun(run)) return;
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
