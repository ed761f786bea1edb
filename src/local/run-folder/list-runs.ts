import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { RunFolderError } from "./errors.js";
import type { RunMetadata } from "./metadata-schema.js";
import { RUN_ID_PATTERN, RUNS_DIR, runPaths } from "./paths.js";
import { readRunMetadata } from "./run-metadata.js";

/** A run folder that could not be read, and why. */
export interface BrokenRun {
  id: string;
  message: string;
}

/**
 * Every run of the repository, newest first. A broken folder is reported
 * in `broken` rather than thrown, so one damaged run does not hide the
 * others from `specwright runs`.
 */
export async function listRuns(
  repoRoot: string,
): Promise<{ runs: RunMetadata[]; broken: BrokenRun[] }> {
  const runs: RunMetadata[] = [];
  const broken: BrokenRun[] = [];
  for (const id of await listRunFolders(repoRoot)) {
    try {
      if (!RUN_ID_PATTERN.test(id))
        throw new RunFolderError(
          `${RUNS_DIR}/${id}: not a run folder (its name is not a run id); remove it`,
        );
      runs.push(await readRunMetadata(runPaths(repoRoot, id)));
    } catch (error) {
      if (!(error instanceof RunFolderError)) throw error;
      broken.push({ id, message: error.message });
    }
  }
  runs.sort(
    (a, b) =>
      Date.parse(b.created_at) - Date.parse(a.created_at) ||
      a.id.localeCompare(b.id),
  );
  return { runs, broken };
}

/**
 * The names of the folders in `.specwright/runs`, sorted; folders being
 * built (`.tmp-…`) and other dot names are skipped, and so are files.
 */
export async function listRunFolders(repoRoot: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(join(resolve(repoRoot), RUNS_DIR), {
      withFileTypes: true,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
    .map((entry) => entry.name)
    .sort();
}
