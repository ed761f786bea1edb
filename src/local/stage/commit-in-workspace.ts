import { chmod, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { git } from "../../../action/src/git.js";
import type { ChangedFile } from "../../contracts/changes.js";
import { commitMessage, trailerText } from "../../github/commit-message.js";

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

async function head(workspace: string): Promise<string> {
  return (await git(workspace, ["rev-parse", "HEAD"])).trim();
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

/** Who the commit is by: you, or Specwright when git knows nobody. */
async function identity(workspace: string): Promise<string[]> {
  const name = await git(workspace, ["config", "user.name"]).catch(() => "");
  const email = await git(workspace, ["config", "user.email"]).catch(() => "");
  return [
    ...(name.trim() ? [] : ["-c", "user.name=Specwright"]),
    ...(email.trim() ? [] : ["-c", "user.email=specwright@localhost"]),
  ];
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
  const current = await head(workspace);
  if (current !== request.parent) {
    const message = await git(workspace, ["log", "-1", "--format=%B", current]);
    if (message.trimEnd().endsWith(trailers)) return current;
    throw new WorkspaceMovedError(
      `the workspace's branch ${request.branch} moved since Specwright last committed (it is at ${current.slice(0, 12)}, not ${request.parent.slice(0, 12)}); the stage's changes were not committed`,
    );
  }
  const dirty = await git(workspace, ["status", "--porcelain"]);
  if (dirty.trim() !== "") {
    throw new WorkspaceMovedError(
      `the workspace has changes nobody committed (${dirty.trim().split("\n").length} paths, e.g. ${dirty.trim().split("\n")[0]?.slice(3)}); commit or discard them in ${workspace}, then resume`,
    );
  }
  for (const file of request.files) await applyFile(workspace, file);
  await git(workspace, [
    "add",
    "--all",
    "--",
    ...request.files.map((f) => `:(literal)${f.path}`),
  ]);
  const staged = await git(workspace, ["diff", "--cached", "--name-only"]);
  if (staged.trim() === "") return null;
  await git(workspace, [
    ...(await identity(workspace)),
    "commit",
    "--quiet",
    "--no-verify",
    "-m",
    commitMessage(request.message, trailers),
  ]);
  return head(workspace);
}
