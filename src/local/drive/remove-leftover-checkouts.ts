import { readFile, realpath, rm } from "node:fs/promises";
import { basename, isAbsolute, join } from "node:path";
import { git } from "../../../action/src/git.js";
import type { RunMetadata, RunPaths } from "../run-folder/index.js";
import { stepFolder } from "../stage/step-folder.js";
import { pruneWorktrees } from "../stage/worktrees.js";

/**
 * The worktrees git knows of in the repository, as real paths; none when
 * git cannot say (then nothing is removed).
 */
async function registeredWorktrees(repoRoot: string): Promise<Set<string>> {
  const out = await git(repoRoot, ["worktree", "list", "--porcelain"]).catch(
    () => "",
  );
  const paths = out
    .split("\n")
    .filter((line) => line.startsWith("worktree "))
    .map((line) => line.slice("worktree ".length));
  return new Set(
    await Promise.all(paths.map((path) => realpath(path).catch(() => path))),
  );
}

/**
 * Removes the attempts' checkouts a process that ended without finishing
 * left behind (a crash, `kill -9`, a second Ctrl+C): each step folder
 * names its checkout while it exists. Only a folder holding a worktree of
 * this repository is removed, whatever an edited step folder says; git's
 * record of it goes too. Call it with the run's lock held and its agents
 * stopped.
 */
export async function removeLeftoverCheckouts(
  paths: RunPaths,
  metadata: RunMetadata,
): Promise<void> {
  let registered: Set<string> | undefined;
  let removed = false;
  for (const name of Object.values(metadata.steps)) {
    const record = stepFolder(join(paths.steps, name)).checkout;
    const root = (await readFile(record, "utf8").catch(() => "")).trim();
    if (root === "") continue;
    const checkout = await realpath(join(root, "checkout")).catch(() => null);
    registered ??= await registeredWorktrees(paths.repoRoot);
    if (
      isAbsolute(root) &&
      basename(root).startsWith("specwright-") &&
      checkout !== null &&
      registered.has(checkout)
    ) {
      await rm(root, { recursive: true, force: true });
      removed = true;
    }
    await rm(record, { force: true });
  }
  if (removed) await pruneWorktrees(paths.repoRoot);
}
