import { readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import type { StagedTree } from "../../../action/src/collect-changes.js";
import { git } from "../../../action/src/git.js";
import { BundleError } from "../../contracts/bundle-error.js";
import { BUNDLE_LIMITS } from "../../contracts/bundle-limits.js";
import { checkStageOutputs } from "../../contracts/check-stage-outputs.js";
import { checkResultBundle } from "../../contracts/read-result-bundle.js";
import { collectableAttempt } from "../../engine/collectable-attempt.js";
import { conflictingPaths } from "../../engine/conflicting-paths.js";
import type { RunEvent } from "../../engine/events.js";
import {
  keepsStoppedWork,
  keptWorkNote,
} from "../../engine/keep-stopped-work.js";
import type { AttemptArtifact, RunState } from "../../engine/run-state.js";
import {
  ARTIFACT_TYPES,
  buildCollectedResult,
} from "../../github/build-collected-result.js";
import { keptWorkCommit, stageCommit } from "../../github/commit-message.js";
import {
  commitInWorkspace,
  WorkspaceMovedError,
} from "./commit-in-workspace.js";
import { commitStaged } from "./commit-staged.js";
import { stepFolder } from "./step-folder.js";

/** A local run keeps its step folders until you delete them. */
export const KEPT_WITH_RUN_FOLDER = "9999-12-31T23:59:59.999Z";

export interface CollectLocally {
  state: RunState;
  stage: string;
  attempt: number;
  conclusion: string;
  /** The attempt's step folder, holding its bundle. */
  step: string;
  /** The run folder, for the artifacts' paths. */
  runFolder: string;
  workspace: string;
  /**
   * The attempt ran in the workspace itself, which holds its changes,
   * staged: they are committed as they are (the caller puts the workspace
   * back when they are not).
   */
  inWorkspace?: boolean | undefined;
  now: () => Date;
}

/** The bundle's files as the stage runner left them in the step folder. */
async function readBundleFiles(step: string): Promise<Map<string, Uint8Array>> {
  const read = await Promise.all(
    Object.keys(ARTIFACT_TYPES).map(async (name) => {
      const path = join(step, name);
      const info = await stat(path).catch(() => undefined);
      if (info === undefined) return undefined;
      if (!info.isFile() || info.size > BUNDLE_LIMITS.totalBytes)
        throw new BundleError([`${name} is not a file the size of a bundle's`]);
      return [name, await readFile(path)] as const;
    }),
  );
  return new Map(read.filter((entry) => entry !== undefined));
}

/** What the stage runner said it staged, or null. */
async function readStagedTree(file: string): Promise<StagedTree | null> {
  const text = await readFile(file, "utf8").catch(() => null);
  if (text === null) return null;
  try {
    const { tree, index } = JSON.parse(text) as Partial<StagedTree>;
    return typeof tree === "string" &&
      /^[0-9a-f]{40}$/.test(tree) &&
      (typeof index === "string" || index === null)
      ? { tree, index }
      : null;
  } catch {
    return null;
  }
}

/** The bundle's files as the attempt's artifacts: the step folder keeps them. */
function artifacts(
  files: ReadonlyMap<string, Uint8Array>,
  step: string,
  runFolder: string,
): AttemptArtifact[] {
  const out: AttemptArtifact[] = [];
  for (const [name, type] of Object.entries(ARTIFACT_TYPES)) {
    const bytes = files.get(name);
    if (bytes === undefined) continue;
    out.push({
      type,
      name,
      size_bytes: bytes.byteLength,
      storage_path: relative(runFolder, join(step, name)),
      expires_at: KEPT_WITH_RUN_FOLDER,
    });
  }
  return out;
}

/** Whether `path` is a file (or link) in the repository at `ref`. */
async function isFileAt(
  workspace: string,
  path: string,
  ref: string,
): Promise<boolean> {
  const type = await git(workspace, ["cat-file", "-t", `${ref}:${path}`]).catch(
    () => "",
  );
  return type.trim() === "blob";
}

/**
 * Collects a finished attempt on your machine as the App does on GitHub:
 * the same checks of the bundle (schemas, the attempt, the base commit,
 * paths, protected paths), of the outputs and of conflicts with sibling
 * stages; then one commit in the workspace with the same message and
 * trailers. Returns the engine's event.
 */
export async function collectLocally(input: CollectLocally): Promise<RunEvent> {
  const { state } = input;
  const at = () => input.now().toISOString();
  const missing = (error: string, retryable: boolean): RunEvent => ({
    type: "result_missing",
    stage: input.stage,
    attempt: input.attempt,
    error,
    retryable,
    at: at(),
  });
  const collectable = collectableAttempt(state, input.stage, input.attempt);
  if ("error" in collectable) return missing(collectable.error, false);
  const { attempt } = collectable;
  let bundle: ReturnType<typeof checkResultBundle>;
  let files: Map<string, Uint8Array>;
  try {
    files = await readBundleFiles(input.step);
    bundle = checkResultBundle(files, {
      run_id: state.id,
      stage: input.stage,
      attempt: input.attempt,
      base_sha: attempt.base_sha,
      protected_paths: state.settings.protected_paths,
    });
  } catch (error) {
    if (error instanceof BundleError) {
      return missing(
        error.message.replace(/^specwright: /, ""),
        input.conclusion !== "success" && input.conclusion !== "failure",
      );
    }
    throw error;
  }
  const { result, changes } = bundle;
  let status = result.status;
  let error = result.error_message;
  const def = state.workflow.stages.find((s) => s.id === input.stage);
  const problems =
    status === "succeeded"
      ? [
          ...(await checkStageOutputs({
            declared: def?.outputs ?? {},
            outputs: result.outputs,
            changes: changes.files,
            base_sha: attempt.base_sha,
            isFileAt: (path, ref) => isFileAt(input.workspace, path, ref),
          })),
          ...conflictMessage(state, attempt, changes.files),
        ]
      : [];
  if (problems.length > 0) {
    status = "failed";
    error = problems.join("; ");
  }
  const parent = state.head_sha ?? attempt.base_sha;
  let commitSha: string | null = null;
  const kept =
    result.stopped_by !== undefined &&
    keepsStoppedWork(state, attempt, {
      status,
      stopped_by: result.stopped_by,
      changedPaths: changes.files.map((file) => file.path),
    });
  if ((status === "succeeded" || kept) && changes.files.length > 0) {
    const commit = {
      workspace: input.workspace,
      branch: state.branch,
      parent,
      ...(kept && result.stopped_by
        ? keptWorkCommit(state, input.stage, input.attempt, result.stopped_by)
        : stageCommit(state, input.stage, input.attempt)),
    };
    try {
      commitSha = input.inWorkspace
        ? await commitStaged({
            ...commit,
            staged: await readStagedTree(stepFolder(input.step).stagedTree),
          })
        : await commitInWorkspace({ ...commit, files: changes.files });
    } catch (caught) {
      if (caught instanceof WorkspaceMovedError)
        return missing(caught.message, false);
      throw caught;
    }
    if (kept && commitSha !== null)
      error = `${error ?? "the stage failed"}; ${keptWorkNote(commitSha)}`;
  }
  return {
    type: "result_collected",
    stage: input.stage,
    attempt: input.attempt,
    result: buildCollectedResult({
      bundle,
      artifacts: artifacts(files, input.step, input.runFolder),
      status,
      error,
      commitSha,
      parent,
    }),
    at: at(),
  };
}

function conflictMessage(
  state: RunState,
  attempt: Parameters<typeof conflictingPaths>[1],
  files: readonly { path: string }[],
): string[] {
  const clashes = conflictingPaths(
    state,
    attempt,
    files.map((file) => file.path),
  );
  return clashes.length > 0
    ? [`its changes conflict with another stage's: ${clashes.join(", ")}`]
    : [];
}
