import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { syncDirectory, writeFileAtomic } from "./atomic-write.js";
import { RunFolderError } from "./errors.js";
import { excludeFromGit } from "./exclude-from-git.js";
import type { RunMetadata } from "./metadata-schema.js";
import { displayPath, type RunPaths, runPaths } from "./paths.js";

/** Prefix of folders being built; listings skip them. */
export const TEMP_RUN_PREFIX = ".tmp-";

/**
 * Makes a run's folder: `metadata.json`, `workflow_snapshot.yml`, and empty
 * `steps/` and `inbox/`. The folder is built under a temporary name and
 * renamed into place, so a crash never leaves a half-made run that
 * `specwright runs` would list. Refuses a run id that already has a folder.
 */
export async function createRunFolder(
  repoRoot: string,
  { metadata, workflowText }: { metadata: RunMetadata; workflowText: string },
): Promise<RunPaths> {
  const paths = runPaths(repoRoot, metadata.id);
  const runsDir = dirname(paths.root);
  await excludeFromGit(paths.repoRoot);
  await mkdir(runsDir, { recursive: true });
  if (await exists(paths.root)) throw alreadyExists(paths);

  const temp = join(
    runsDir,
    `${TEMP_RUN_PREFIX}${metadata.id}-${randomBytes(4).toString("hex")}`,
  );
  try {
    await buildFolder(temp, { metadata, workflowText });
    await placeFolder(temp, paths);
  } catch (error) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(runsDir);
  return paths;
}

async function buildFolder(
  dir: string,
  { metadata, workflowText }: { metadata: RunMetadata; workflowText: string },
): Promise<void> {
  await mkdir(dir);
  await mkdir(join(dir, "steps"));
  await mkdir(join(dir, "inbox"));
  await writeFileAtomic(
    join(dir, "metadata.json"),
    `${JSON.stringify(metadata, null, 2)}\n`,
  );
  await writeFileAtomic(join(dir, "workflow_snapshot.yml"), workflowText);
}

/**
 * Renames the finished folder into place. `rename` would replace an empty
 * folder of the same name; the check before it makes that a race between
 * two creators of one UUID, which does not happen.
 */
async function placeFolder(temp: string, paths: RunPaths): Promise<void> {
  try {
    await rename(temp, paths.root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTEMPTY" || code === "EEXIST")
      throw alreadyExists(paths, error);
    throw error;
  }
}

function alreadyExists(paths: RunPaths, cause?: unknown): RunFolderError {
  return new RunFolderError(
    `${displayPath(paths, paths.root)} already exists; a new run needs a new id`,
    cause === undefined ? undefined : { cause },
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
