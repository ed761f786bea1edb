import {
  correlationKey,
  type StageRequest,
} from "../contracts/stage-request.js";
import type { RunEvent } from "../engine/events.js";
import { type EffectContext, repoOf } from "./effect-context.js";
import { httpStatus, mentions } from "./github-errors.js";

interface DispatchDetails {
  workflow_run_id: number;
  run_url: string;
  html_url: string;
}

/**
 * Dispatches the stage workflow on the run's feature branch, with the
 * StageRequest as its one input. Asks for the new run's id
 * (`return_run_details`); a server that does not know the field (older
 * GitHub Enterprise Server) is asked again without it, and the run is then
 * recognised by its `run-name`. Refuses any ref but the branch the run made.
 */
export async function dispatchStage(
  context: EffectContext,
  effect: { stage: string; attempt: number; request: StageRequest },
): Promise<RunEvent> {
  const { octokit, state, retries, now, log } = context;
  const at = () => now().toISOString();
  const failed = (error: string): RunEvent => ({
    type: "dispatch_failed",
    stage: effect.stage,
    attempt: effect.attempt,
    error,
    at: at(),
  });
  if (state.base_sha === null || effect.request.branch !== state.branch) {
    return failed(
      `refusing to dispatch on '${effect.request.branch}': only the run's own branch '${state.branch}' may be used`,
    );
  }
  const repo = repoOf(state);
  const workflowFile = state.settings.stage_workflow;
  const key = correlationKey(state.id, effect.stage, effect.attempt);

  if (retries > 0) {
    // An earlier try may have dispatched before the App stopped.
    const { data } = await octokit.rest.actions.listWorkflowRuns({
      ...repo,
      workflow_id: workflowFile,
      branch: state.branch,
      event: "workflow_dispatch",
      per_page: 50,
    });
    const earlier = data.workflow_runs.find((run) =>
      run.display_title.includes(key),
    );
    if (earlier) {
      log.info(
        `stage ${effect.stage} attempt ${effect.attempt} was dispatched by an earlier try: run ${earlier.id}`,
      );
      return {
        type: "stage_dispatched",
        stage: effect.stage,
        attempt: effect.attempt,
        workflow_run_id: earlier.id,
        workflow_run_url: earlier.html_url,
        at: at(),
      };
    }
  }

  const body = {
    ...repo,
    workflow_id: workflowFile,
    ref: state.branch,
    inputs: { request: JSON.stringify(effect.request) },
  };
  const dispatch = (withDetails: boolean) =>
    octokit.request(
      "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
      {
        ...body,
        ...(withDetails ? { return_run_details: true } : {}),
      },
    );
  let response: Awaited<ReturnType<typeof dispatch>>;
  try {
    try {
      response = await dispatch(true);
    } catch (error) {
      const status = httpStatus(error);
      if (
        (status !== 400 && status !== 422) ||
        !mentions(error, "return_run_details")
      )
        throw error;
      log.info(
        "the server does not take return_run_details; dispatching without it",
      );
      response = await dispatch(false);
    }
  } catch (error) {
    const status = httpStatus(error);
    if (status === 404) {
      return failed(
        `the stage workflow .github/workflows/${workflowFile} was not found on the default branch; copy it there (see the README) or set stage_workflow in .github/specwright.yml`,
      );
    }
    if (status === 422)
      return failed(`GitHub refused the dispatch: ${(error as Error).message}`);
    throw error;
  }
  const status: number = response.status;
  const details =
    status === 200 ? (response.data as unknown as DispatchDetails) : undefined;
  log.info(
    `dispatched stage ${effect.stage} attempt ${effect.attempt}${details ? ` as run ${details.workflow_run_id}` : ""}`,
  );
  return {
    type: "stage_dispatched",
    stage: effect.stage,
    attempt: effect.attempt,
    workflow_run_id: details?.workflow_run_id ?? null,
    workflow_run_url: details?.html_url ?? null,
    at: at(),
  };
}
