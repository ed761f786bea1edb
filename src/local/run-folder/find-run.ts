import { AmbiguousRunError, UnknownRunError } from "./errors.js";
import { listRunFolders } from "./list-runs.js";
import { type RunPaths, runPaths } from "./paths.js";

/** Shorter prefixes would match too much to be a choice. */
export const MIN_PREFIX_LENGTH = 4;

/** What a person may type for a run: hex digits and dashes, nothing that walks out of the folder. */
const ID_OR_PREFIX = /^[0-9a-f-]+$/;

/**
 * The run a person named: its full id, or a prefix of at least four
 * characters that names one run only. Input is checked before any path is
 * built from it, so nothing outside `.specwright/runs` is read.
 */
export async function findRun(
  repoRoot: string,
  idOrPrefix: string,
): Promise<RunPaths> {
  const wanted = idOrPrefix.trim().toLowerCase();
  if (wanted.length < MIN_PREFIX_LENGTH || !ID_OR_PREFIX.test(wanted))
    throw new UnknownRunError(idOrPrefix);
  const folders = await listRunFolders(repoRoot);
  if (folders.includes(wanted)) return runPaths(repoRoot, wanted);
  const matches = folders.filter((name) => name.startsWith(wanted));
  const [only] = matches;
  if (only === undefined) throw new UnknownRunError(idOrPrefix);
  if (matches.length > 1) throw new AmbiguousRunError(idOrPrefix, matches);
  return runPaths(repoRoot, only);
}
