import { git } from "../../../action/src/git.js";

/** A problem with where a local run would run: one line for stderr. */
export class RepositoryError extends Error {
  override name = "RepositoryError";
}

/** The top of the git repository `cwd` is in. */
export async function findRepositoryRoot(cwd: string): Promise<string> {
  try {
    return (await git(cwd, ["rev-parse", "--show-toplevel"])).trim();
  } catch {
    throw new RepositoryError(
      `${cwd} is not in a git repository; run it in the repository the workflow is for (git init makes one)`,
    );
  }
}

/** The commit checked out: the run starts from it. */
export async function headCommit(repoRoot: string): Promise<string> {
  try {
    return (
      await git(repoRoot, ["rev-parse", "--verify", "HEAD^{commit}"])
    ).trim();
  } catch {
    throw new RepositoryError(
      "the repository has no commit yet; a run starts from the commit checked out: commit something first",
    );
  }
}

/**
 * Refuses a working tree with uncommitted changes to tracked files: the
 * run starts from the last commit, and its stages would not see them.
 */
export async function checkClean(repoRoot: string): Promise<void> {
  const paths = changedPaths(
    await git(repoRoot, [
      "status",
      "--porcelain",
      "-z",
      "--untracked-files=no",
    ]),
  );
  if (paths.length === 0) return;
  throw new RepositoryError(
    `the working tree has uncommitted changes (${paths.length} file${paths.length === 1 ? "" : "s"}, e.g. ${paths[0]}); the run starts from the last commit and would not see them: commit or stash them first`,
  );
}

/**
 * The paths in `git status --porcelain -z`: `XY path`, each ended by NUL,
 * a rename or copy followed by the path it came from. The status letters
 * may start with a space, so nothing is trimmed.
 */
function changedPaths(status: string): string[] {
  const paths: string[] = [];
  const fields = status.split("\0");
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] ?? "";
    if (entry.length < 4) continue;
    paths.push(entry.slice(3));
    if (entry[0] === "R" || entry[0] === "C") i++;
  }
  return paths;
}
