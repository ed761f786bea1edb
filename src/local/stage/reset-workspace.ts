import { git } from "../../../action/src/git.js";

/**
 * Puts the workspace back on `branch` at `sha`, discarding what a stage
 * that ran there left uncommitted (its changes, its new files; files git
 * ignores stay, as in any checkout). Whatever the agent did to HEAD — a
 * commit, another branch — is undone too.
 */
export async function resetWorkspace(
  workspace: string,
  branch: string,
  sha: string,
): Promise<void> {
  await git(workspace, ["checkout", "--quiet", "--force", "-B", branch, sha]);
  await git(workspace, ["clean", "--quiet", "--force", "-d"]);
}
