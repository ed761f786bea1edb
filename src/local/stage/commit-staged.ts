import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { git, gitDirectory, headCommit } from "../../../action/src/git.js";
import { commitMessage, trailerText } from "../../github/commit-message.js";
import { gitCommit } from "./git-commit.js";

export interface StagedCommit {
  workspace: string;
  branch: string;
  /** The head Specwright last left, where the stage started: the commit's parent. */
  parent: string;
  message: string;
  trailers: Record<string, string>;
}

const SHA = /^[0-9a-f]{40}$/;

/** The commit a ref's file names, or null when the ref is not a plain file. */
async function readRef(file: string): Promise<string | null> {
  const sha = await readFile(file, "utf8").then(
    (text) => text.trim(),
    () => "",
  );
  return SHA.test(sha) ? sha : null;
}

/**
 * Commits a stage that ran in the workspace itself: its changes are
 * there already, staged by the stage runner's collection, so the commit
 * takes the index as it is — no second look at the workspace, no second
 * add. What the agent did to HEAD (a commit of its own, another branch)
 * is undone first without touching the index: the commit goes on the
 * head Specwright last left, with all of the agent's work in it, as on
 * GitHub. Returns the new head. HEAD and the branch are read from git's
 * files: a stage's commit starts one git process, the commit's.
 */
export async function commitStaged(request: StagedCommit): Promise<string> {
  const { workspace, parent } = request;
  const ref = `refs/heads/${request.branch}`;
  const gitDir = await gitDirectory(workspace);
  const head = await readFile(join(gitDir, "HEAD"), "utf8").catch(() => "");
  if (head.trim() !== `ref: ${ref}`)
    await git(workspace, ["symbolic-ref", "HEAD", ref]);
  const common = await readFile(join(gitDir, "commondir"), "utf8").then(
    (dir) => resolve(gitDir, dir.trim()),
    () => gitDir,
  );
  const refFile = join(common, ref);
  if ((await readRef(refFile)) !== parent)
    await git(workspace, ["update-ref", ref, parent]);
  await gitCommit(
    workspace,
    commitMessage(request.message, trailerText(request.trailers)),
  );
  return (await readRef(refFile)) ?? headCommit(workspace);
}
