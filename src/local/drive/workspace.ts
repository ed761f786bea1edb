import { existsSync } from "node:fs";
import { git } from "../../../action/src/git.js";
import type { RunEvent } from "../../engine/events.js";
import type { RunState } from "../../engine/run-state.js";

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
    const exists = await git(repoRoot, [
      "rev-parse",
      "--verify",
      "--quiet",
      `refs/heads/${state.branch}`,
    ]).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await git(repoRoot, [
        "worktree",
        "add",
        "--quiet",
        "-b",
        state.branch,
        workspace,
        base,
      ]);
    } else if (!existsSync(workspace)) {
      await git(repoRoot, [
        "worktree",
        "add",
        "--quiet",
        workspace,
        state.branch,
      ]);
    }
    return { type: "branch_created", sha: base, at: at() };
  } catch (error) {
    return {
      type: "branch_failed",
      error: error instanceof Error ? error.message : String(error),
      at: at(),
    };
  }
}
