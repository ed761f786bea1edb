import { join, relative, resolve, sep } from "node:path";

/** Where runs live, relative to the repository root. */
export const RUNS_DIR = ".specwright/runs";

/** The files and folders of one run folder, as absolute paths. */
export interface RunPaths {
  /** The run's id: the folder's name. */
  id: string;
  repoRoot: string;
  root: string;
  metadata: string;
  snapshot: string;
  lock: string;
  inbox: string;
  steps: string;
  workspace: string;
}

/** The files of one stage attempt's folder under `steps/`. */
export interface StepPaths {
  root: string;
  result: string;
  stdout: string;
  stderr: string;
  environment: string;
  outputs: string;
}

/**
 * A run id as it may name a folder: a UUID, or a prefix of one. Checked
 * before any path is built from user input, so `../` never leaves the
 * runs folder.
 */
export const RUN_ID_PATTERN = /^[0-9a-f-]+$/i;

/** Stage ids are workflow identifiers; anything else would not be a safe name. */
const STAGE_NAME = /^[A-Za-z0-9_-]+$/;

export function runPaths(repoRoot: string, runId: string): RunPaths {
  if (!RUN_ID_PATTERN.test(runId))
    throw new RangeError(`not a run id: ${JSON.stringify(runId)}`);
  const absoluteRoot = resolve(repoRoot);
  const root = join(absoluteRoot, RUNS_DIR, runId);
  return {
    id: runId,
    repoRoot: absoluteRoot,
    root,
    metadata: join(root, "metadata.json"),
    snapshot: join(root, "workflow_snapshot.yml"),
    lock: join(root, "lock"),
    inbox: join(root, "inbox"),
    steps: join(root, "steps"),
    workspace: join(root, "workspace"),
  };
}

/**
 * The folder name of a stage attempt: its dispatch sequence in the run
 * (two digits at least, so a listing sorts in order up to 99) and the stage.
 */
export function stepDirName(sequence: number, stage: string): string {
  if (!Number.isInteger(sequence) || sequence < 1)
    throw new RangeError(`step sequence must be an integer ≥ 1: ${sequence}`);
  if (!STAGE_NAME.test(stage))
    throw new RangeError(`not a stage id: ${JSON.stringify(stage)}`);
  return `${String(sequence).padStart(2, "0")}_${stage}`;
}

export function stepPaths(paths: RunPaths, dirName: string): StepPaths {
  const root = join(paths.steps, dirName);
  return {
    root,
    result: join(root, "result.json"),
    stdout: join(root, "stdout.log"),
    stderr: join(root, "stderr.log"),
    environment: join(root, "environment.json"),
    outputs: join(root, "outputs"),
  };
}

/** A path inside the repository as people see it in messages: `.specwright/runs/…`. */
export function displayPath(paths: RunPaths, file: string): string {
  return relative(paths.repoRoot, file).split(sep).join("/");
}
