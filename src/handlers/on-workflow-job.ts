import type { Context } from "probot";
import type { Dependencies } from "../app/dependencies.js";
import { bundleArtifactIdOf } from "../contracts/bundle-step.js";

/**
 * A stage workflow's job started: the stage is running. A job's end is not
 * the run's end (the result is collected on `workflow_run.completed`), but
 * its steps name the result bundle's artifact (contracts/bundle-step.ts):
 * the App remembers it, in memory only, to download the bundle without
 * listing the run's artifacts.
 *
 * Jobs of every workflow come here; only those a bot started (GitHub sends
 * who triggered the run as the sender, the App's bot for a stage it
 * dispatched) count. A started one on a branch is looked up in the store;
 * a finished one costs no store query and no request. Others lose nothing:
 * `workflow_run.in_progress` says the same for a stage re-run by a person,
 * and without a remembered id the App lists the artifacts, as before.
 */
export function onWorkflowJob(deps: Dependencies) {
  return async (context: Context<"workflow_job">): Promise<void> => {
    const { action, workflow_job: job, sender, repository } = context.payload;
    if (sender?.type !== "Bot") return;
    if (action === "completed") {
      const artifactId = bundleArtifactIdOf(job.steps);
      if (artifactId !== undefined)
        deps.runner.memory.rememberBundle(
          `${repository.owner.login}/${repository.name}`,
          job.run_id,
          artifactId,
        );
      return;
    }
    if (action !== "in_progress" || !job.head_branch) return;
    const found = await deps.store.findAttemptByWorkflowRun(job.run_id);
    if (found === undefined) return;
    const result = await deps.store.apply(
      found.runId,
      {
        type: "workflow_run_updated",
        stage: found.stage,
        attempt: found.attempt,
        workflow_run_id: job.run_id,
        workflow_run_url: `${context.payload.repository.html_url}/actions/runs/${job.run_id}`,
        status: "in_progress",
        conclusion: null,
        at: deps.now().toISOString(),
      },
      { delivery: { id: context.id, event: `workflow_job.${action}` } },
    );
    if (result.applied) deps.runner.kick();
  };
}
