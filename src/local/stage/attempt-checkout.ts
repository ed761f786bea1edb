import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addWorktree } from "./worktrees.js";

/** A checkout of one commit for one stage attempt, as a GitHub job has. */
export interface AttemptCheckout {
  /** The folder holding the checkout and the scratch space (`remove` deletes it). */
  root: string;
  dir: string;
  /** Scratch space for the stage runner (prompt files, the bundle). */
  tempDir: string;
  remove(): Promise<void>;
}

/**
 * Checks out `sha` in a worktree of its own: stages of one batch run side
 * by side, each against the commit it was dispatched on, and their work is
 * committed to the run's workspace one after another, as the App commits
 * on GitHub. Outside the repository, so the agent finds no run folder.
 */
export async function openAttemptCheckout(
  repoRoot: string,
  sha: string,
  label: string,
): Promise<AttemptCheckout> {
  const root = await mkdtemp(join(tmpdir(), `specwright-${label}-`));
  const dir = join(root, "checkout");
  const tempDir = join(root, "tmp");
  try {
    await addWorktree(repoRoot, dir, async () => [
      "--detach",
      "--quiet",
      dir,
      sha,
    ]);
    await mkdir(tempDir);
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return {
    root,
    dir,
    tempDir,
    // Git's own record of the worktree goes at the run's end, all at once
    // (`pruneWorktrees`): one git process per run, not one per attempt.
    async remove() {
      await rm(root, { recursive: true, force: true });
    },
  };
}
