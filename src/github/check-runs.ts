import type { RunEvent } from "../engine/events.js";
import { findStage } from "../engine/run-state.js";
import { type EffectContext, repoOf } from "./effect-context.js";
import { renderCheckRun } from "./render-check-run.js";

function externalId(runId: string, stage: string, attempt: number): string {
  return `specwright:${runId}:${stage}:${attempt}`;
}

function locate(
  context: EffectContext,
  effect: { stage: string; attempt: number },
) {
  const stage = findStage(context.state, effect.stage);
  const attempt = stage?.attempts.find((a) => a.attempt === effect.attempt);
  return stage && attempt ? { stage, attempt } : undefined;
}

/**
 * Creates the check run for a stage attempt on the commit it runs against.
 * A retry first looks for the one an earlier try made (by external id).
 */
export async function createCheckRun(
  context: EffectContext,
  effect: { stage: string; attempt: number },
): Promise<RunEvent | null> {
  const { octokit, state, retries, now } = context;
  const found = locate(context, effect);
  if (found === undefined) return null;
  const id = externalId(state.id, effect.stage, effect.attempt);
  const fields = renderCheckRun(state, found.stage, found.attempt, now());
  const at = now().toISOString();
  if (retries > 0) {
    const { data } = await octokit.rest.checks.listForRef({
      ...repoOf(state),
      ref: found.attempt.base_sha,
      check_name: fields.name,
      filter: "all",
    });
    const earlier = data.check_runs.find((run) => run.external_id === id);
    if (earlier)
      return {
        type: "check_run_created",
        stage: effect.stage,
        attempt: effect.attempt,
        check_run_id: earlier.id,
        at,
      };
  }
  const { data } = await octokit.rest.checks.create({
    ...repoOf(state),
    head_sha: found.attempt.base_sha,
    external_id: id,
    ...fields,
  });
  return {
    type: "check_run_created",
    stage: effect.stage,
    attempt: effect.attempt,
    check_run_id: data.id,
    at,
  };
}

/** Brings a stage attempt's check run up to date with the attempt. */
export async function updateCheckRun(
  context: EffectContext,
  effect: { stage: string; attempt: number },
): Promise<null> {
  const { octokit, state, now } = context;
  const found = locate(context, effect);
  if (found === undefined || found.attempt.check_run_id === null) return null;
  const { name: _, ...fields } = renderCheckRun(
    state,
    found.stage,
    found.attempt,
    now(),
  );
  await octokit.rest.checks.update({
    ...repoOf(state),
    check_run_id: found.attempt.check_run_id,
    ...fields,
  });
  return null;
}
