import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { StagedTree } from "../../../action/src/collect-changes.js";
import { git, gitDirectory, headCommit } from "../../../action/src/git.js";
import { readIndexStamp } from "../../../action/src/index-stamp.js";
import { commitMessage, trailerText } from "../../github/commit-message.js";
import { commitSettings, gitCommit } from "./git-commit.js";
import { writeCommit } from "./write-commit.js";

export interface StagedCommit {
  workspace: string;
  branch: string;
  /** The head Specwright last left, where the stage started: the commit's parent. */
  parent: string;
  message: string;
  trailers: Record<string, string>;
  /** What the stage runner staged, as it told (null when it did not, or that was lost). */
  staged: StagedTree | null;
}

/** Environment that changes what `git commit` writes: git itself is asked then. */
const GIT_OVERRIDES =
  /^GIT_((AUTHOR|COMMITTER)_(NAME|EMAIL|DATE)|DIR|COMMON_DIR|OBJECT_DIRECTORY|INDEX_FILE|REFLOG_ACTION)$/;

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
 * files; when the stage runner said which tree it staged and nobody wrote
 * the index since, the commit is written without git (`write-commit.ts`),
 * else one git process makes it.
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
  const message = commitMessage(request.message, trailerText(request.trailers));
  const settings = await commitSettings(workspace);
  const { staged } = request;
  if (
    staged !== null &&
    settings.writable &&
    !Object.keys(process.env).some((name) => GIT_OVERRIDES.test(name)) &&
    (await readIndexStamp(workspace)) === staged.index
  ) {
    const when = new Date();
    return writeCommit(
      { common, gitDir, ref, startLogs: settings.startLogs },
      {
        tree: staged.tree,
        parent,
        author: { ...settings.author, when },
        committer: { ...settings.committer, when },
        message,
      },
    );
  }
  await gitCommit(workspace, message);
  return (await readRef(refFile)) ?? headCommit(workspace);
}
