import {
  BundleError,
  type ResultBundle,
  readResultBundle,
} from "../contracts/read-result-bundle.js";
import { bundleArtifactName } from "../contracts/stage-request.js";
import { collectableAttempt } from "../engine/collectable-attempt.js";
import { conflictingPaths } from "../engine/conflicting-paths.js";
import type { RunEvent } from "../engine/events.js";
import { keepsStoppedWork, keptWorkNote } from "../engine/keep-stopped-work.js";
import {
  artifactRecords,
  buildCollectedResult,
} from "./build-collected-result.js";
import { checkOutputs } from "./check-outputs.js";
import { BranchMovedError, commitChanges } from "./commit-changes.js";
import { keptWorkCommit, stageCommit } from "./commit-message.js";
import type { EffectContext } from "./effect-context.js";
import { type FetchedBundle, fetchBundle } from "./fetch-bundle.js";
import { httpStatus } from "./github-errors.js";

/**
 * Collects a finished attempt's result: downloads its bundle artifact (the
 * one the run's job named, else the newest of that name; see
 * fetch-bundle.ts) and validates it, commits its changes in one commit, and
 * reports the outcome. A run without a bundle, or with one the App refuses,
 * fails the attempt with the reason.
 */
export async function collectResult(
  context: EffectContext,
  effect: {
    stage: string;
    attempt: number;
    workflow_run_id: number;
    conclusion: string;
  },
): Promise<RunEvent> {
  const { state, now, log } = context;
  const at = () => now().toISOString();
  /** No result to use; `retryable` when the agent is not to blame. */
  const missing = (error: string, retryable: boolean): RunEvent => ({
    type: "result_missing",
    stage: effect.stage,
    attempt: effect.attempt,
    error,
    retryable,
    at: at(),
  });
  const collectable = collectableAttempt(state, effect.stage, effect.attempt);
  if ("error" in collectable) return missing(collectable.error, false);
  const { attempt } = collectable;
  const name = bundleArtifactName(state.id, effect.stage, effect.attempt);
  const runLink =
    attempt.workflow_run_url ?? `workflow run ${effect.workflow_run_id}`;

  let fetched: FetchedBundle | undefined;
  let bundle: ResultBundle;
  try {
    fetched = await fetchBundle(context, {
      workflow_run_id: effect.workflow_run_id,
      name,
    });
    if (fetched === undefined) {
      // The job ended before the action could upload: a lost runner, a
      // cancelled or failed job, a broken install step. Not the agent's doing.
      return missing(
        effect.conclusion === "success"
          ? `the workflow run succeeded but uploaded no result bundle (${name}); see ${runLink}`
          : `the workflow run ended with conclusion '${effect.conclusion}' and no result bundle; see ${runLink}`,
        true,
      );
    }
    bundle = await readResultBundle(fetched.zip, {
      run_id: state.id,
      stage: effect.stage,
      attempt: effect.attempt,
      base_sha: attempt.base_sha,
      protected_paths: state.settings.protected_paths,
    });
  } catch (error) {
    if (httpStatus(error) === 410)
      return missing(`the result bundle ${name} has expired`, true);
    if (error instanceof BundleError) {
      log.warn(
        { problems: error.problems },
        `refused the result bundle of ${effect.stage} attempt ${effect.attempt}`,
      );
      return missing(error.message.replace(/^specwright: /, ""), false);
    }
    throw error;
  }

  const { result, changes } = bundle;
  let status = result.status;
  let error = result.error_message;
  if (status === "succeeded" && effect.conclusion !== "success") {
    status = "failed";
    error = `the workflow run ended with conclusion '${effect.conclusion}' after the stage reported success; see ${runLink}`;
  }
  const outputProblems =
    status === "succeeded"
      ? await checkOutputs(context, {
          stage: effect.stage,
          outputs: result.outputs,
          changes: changes.files,
          base_sha: attempt.base_sha,
        })
      : [];
  const changedPaths = changes.files.map((file) => file.path);
  const clashes =
    status === "succeeded"
      ? conflictingPaths(state, attempt, changedPaths)
      : [];
  if (outputProblems.length > 0 || clashes.length > 0) {
    status = "failed";
    error = [
      ...outputProblems,
      ...(clashes.length > 0
        ? [`its changes conflict with another stage's: ${clashes.join(", ")}`]
        : []),
    ].join("; ");
  }

  let commitSha: string | null = null;
  const parent = state.head_sha ?? attempt.base_sha;
  const kept =
    result.stopped_by !== undefined &&
    keepsStoppedWork(state, attempt, {
      status,
      stopped_by: result.stopped_by,
      changedPaths,
    });
  if ((status === "succeeded" || kept) && changes.files.length > 0) {
    try {
      commitSha = await commitChanges(context, {
        branch: state.branch,
        parent,
        files: changes.files,
        ...(kept && result.stopped_by
          ? keptWorkCommit(
              state,
              effect.stage,
              effect.attempt,
              result.stopped_by,
            )
          : stageCommit(state, effect.stage, effect.attempt)),
      });
    } catch (caught) {
      if (caught instanceof BranchMovedError)
        return missing(caught.message, false);
      throw caught;
    }
    if (kept && commitSha !== null)
      error = `${error ?? "the stage failed"}; ${keptWorkNote(commitSha)}`;
  }

  const collected = buildCollectedResult({
    bundle,
    artifacts: artifactRecords(bundle, fetched.zip, fetched.artifact, now()),
    status,
    error,
    commitSha,
    parent,
  });
  return {
    type: "result_collected",
    stage: effect.stage,
    attempt: effect.attempt,
    result: collected,
    at: at(),
  };
}
