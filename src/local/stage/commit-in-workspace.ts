import { chmod, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { git, headCommit } from "../../../action/src/git.js";
import type { ChangedFile } from "../../contracts/changes.js";
import { commitMessage, trailerText } from "../../github/commit-message.js";
import { gitCommit } from "./git-commit.js";
import { readWorkspaceStatus } from "./workspace-status.js";

export interface LocalCommit {
  workspace: string;
  branch: string;
  /** The head Specwright last left; the commit's parent. */
  parent: string;
  files: readonly ChangedFile[];
  message: string;
  trailers: Record<string, string>;
}

/** The workspace moved or holds work nobody committed: the stage's changes wait. */
export class WorkspaceMovedError extends Error {
  override name = "WorkspaceMovedError";
}

async function applyFile(workspace: string, file: ChangedFile): Promise<void> {
  const path = join(workspace, file.path);
  await rm(path, { force: true, recursive: true });
  if ("deleted" in file) return;
  await mkdir(dirname(path), { recursive: true });
  const bytes = Buffer.from(file.content, file.encoding);
  if (file.mode === "120000") {
    await symlink(bytes.toString("utf8"), path);
    return;
  }
  await writeFile(path, bytes);
  await chmod(path, file.mode === "100755" ? 0o755 : 0o644);
}

/**
 * Commits a stage's changes in the run's workspace, as the App commits
 * them on GitHub: one commit on the head Specwright last left, the same
 * message and trailers. Returns the new head, or null when the changes
 * change nothing. A commit this attempt made before a crash (its trailers
 * on the head) is found and returned, not made twice.
 */
export async function commitInWorkspace(
  request: LocalCommit,
): Promise<string | null> {
  const { workspace } = request;
  if (request.files.length === 0) return null;
  const trailers = trailerText(request.trailers);
  const status = await readWorkspaceStatus(workspace);
  if (status.head !== request.parent) {
    const message = await git(workspace, [
      "log",
      "-1",
      "--format=%B",
      status.head,
    ]);
    if (message.trimEnd().endsWith(trailers)) return status.head;
    throw new WorkspaceMovedError(
      `the workspace's branch ${request.branch} moved since Specwright last committed (it is at ${status.head.slice(0, 12)}, not ${request.parent.slice(0, 12)}); the stage's changes were not committed`,
    );
  }
  if (status.dirty.length > 0) {
    throw new WorkspaceMovedError(
      `the workspace has changes nobody committed (${status.dirty.length} path${status.dirty.length === 1 ? "" : "s"}, e.g. ${status.dirty[0]}); commit or discard them in ${workspace}, then resume`,
    );
  }
  for (const file of request.files) await applyFile(workspace, file);
  await git(workspace, [
    "add",
    "--all",
    "--",
    ...request.files.map((f) => `:(literal)${f.path}`),
  ]);
  const committed = await gitCommit(
    workspace,
    commitMessage(request.message, trailers),
  ).then(
    () => true,
    async (error: Error) => {
      // The changes leave the tree as it was: nothing to commit.
      const staged = await git(workspace, ["diff", "--cached", "--quiet"]).then(
        () => false,
        () => true,
      );
      if (!staged) return false;
      throw error;
    },
  );
  if (!committed) return null;
  const made = await headCommit(workspace);
  // git said it committed but the head did not move: nothing was.
  return made === request.parent ? null : made;
}
