import { existsSync } from "node:fs";
import { git } from "../../../action/src/git.js";
import type { RunEvent } from "../../engine/events.js";
import type { RunState } from "../../engine/run-state.js";
import { addWorktree } from "../stage/worktrees.js";

/**
 * The run's branch, checked out in `workspace/` (a git worktree): made from
 * the base branch's head, or found again after a crash made it.
 */
export async function createWorkspace(
  repoRoot: string,
  workspace: string,
  state: RunState,
  at: () => string,
): Promise<RunEvent> {
  try {
    const base = (
      await git(repoRoot, [
        "rev-parse",
        "--verify",
        `${state.base_branch}^{commit}`,
      ])
    ).trim();
    const branch = () => branchExists(repoRoot, state.branch);
    const exists = await branch();
    if (!exists || !existsSync(workspace))
      // A try that failed may have made the branch before its worktree.
      await addWorktree(repoRoot, workspace, async (tries) =>
        (tries === 1 ? exists : await branch())
          ? ["--quiet", workspace, state.branch]
          : ["--quiet", "-b", state.branch, workspace, base],
      );
    return { type: "branch_created", sha: base, at: at() };
  } catch (error) {
    return {
      type: "branch_failed",
      error: error instanceof Error ? error.message : String(error),
      at: at(),
    };
  }
}

async function branchExists(
  repoRoot: string,
  branch: string,
): Promise<boolean> {
  return git(repoRoot, [
    "rev-parse",
    "--verify",
    "--quiet",
    `refs/heads/${branch}`,
  ]).then(
    () => true,
    () => false,
  );
}
