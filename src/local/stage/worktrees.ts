import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { git } from "../../../action/src/git.js";

/** How often a worktree is asked for before git's answer is taken as final. */
export const WORKTREE_TRIES = 3;
const RETRY_WAIT_MS = 100;

/**
 * `git worktree add` with the arguments `args` gives for each try, one at
 * a time in this process and tried again when it fails. Git's own adds
 * are not safe side by side: one can read the record of another
 * half-written and die ("failed to read .git/worktrees/…/commondir"), and
 * a prune in another run's process can take a record being made. A failed
 * try leaves no record (git removes it), and `dir` is removed before the
 * next unless it was there before the first.
 */
export async function addWorktree(
  repoRoot: string,
  dir: string,
  args: (tries: number) => Promise<readonly string[]>,
): Promise<void> {
  const existed = existsSync(dir);
  for (let tries = 1; ; tries++) {
    try {
      const command = await args(tries);
      await inTurn(repoRoot, () =>
        git(repoRoot, ["worktree", "add", ...command]),
      );
      return;
    } catch (error) {
      if (tries >= WORKTREE_TRIES) throw error;
      if (!existed) await rm(dir, { recursive: true, force: true });
      await sleep(RETRY_WAIT_MS * tries);
    }
  }
}

/** Forgets the worktrees whose folders are gone, after the adds asked before. */
export async function pruneWorktrees(repoRoot: string): Promise<void> {
  await inTurn(repoRoot, () => git(repoRoot, ["worktree", "prune"])).catch(
    () => undefined,
  );
}

/** The last worktree change asked for in each repository, settled or not. */
const lastInRepository = new Map<string, Promise<unknown>>();

/** Runs `change` once the repository's worktree changes asked before it have ended. */
async function inTurn<T>(
  repoRoot: string,
  change: () => Promise<T>,
): Promise<T> {
  const before = lastInRepository.get(repoRoot) ?? Promise.resolve();
  const mine = before.then(change, change);
  const settled = mine.catch(() => undefined);
  lastInRepository.set(repoRoot, settled);
  try {
    return await mine;
  } finally {
    if (lastInRepository.get(repoRoot) === settled)
      lastInRepository.delete(repoRoot);
  }
}
