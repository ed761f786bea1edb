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
  const status = (
    await git(repoRoot, ["status", "--porcelain", "--untracked-files=no"])
  ).trim();
  if (status === "") return;
  const lines = status.split("\n");
  throw new RepositoryError(
    `the working tree has uncommitted changes (${lines.length} file${lines.length === 1 ? "" : "s"}, e.g. ${lines[0]?.slice(3)}); the run starts from the last commit and would not see them: commit or stash them first`,
  );
}
