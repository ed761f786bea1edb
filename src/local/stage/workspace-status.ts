import { git } from "../../../action/src/git.js";

/** The workspace as git sees it: its commit, its branch, what nobody committed. */
export interface WorkspaceStatus {
  head: string;
  /** The branch checked out, or null when HEAD is detached. */
  branch: string | null;
  /** Paths with changes nobody committed, untracked ones included. */
  dirty: string[];
}

/** The workspace's head, branch and uncommitted paths, in one git call. */
export async function readWorkspaceStatus(
  workspace: string,
): Promise<WorkspaceStatus> {
  const out = await git(workspace, [
    "status",
    "--porcelain=v2",
    "--branch",
    "--untracked-files=all",
  ]);
  let head = "";
  let branch: string | null = null;
  const dirty: string[] = [];
  for (const line of out.split("\n")) {
    if (line.startsWith("# branch.oid ")) head = line.slice(13).trim();
    else if (line.startsWith("# branch.head ")) {
      const name = line.slice(14).trim();
      branch = name === "(detached)" ? null : name;
    } else if (line !== "" && !line.startsWith("#"))
      dirty.push(line.split(" ").at(-1) ?? line);
  }
  return { head, branch, dirty };
}

/** Whether the workspace is on `branch` at `sha` with nothing uncommitted. */
export async function isWorkspaceCleanAt(
  workspace: string,
  branch: string,
  sha: string,
): Promise<boolean> {
  const status = await readWorkspaceStatus(workspace).catch(() => undefined);
  return (
    status !== undefined &&
    status.head === sha &&
    status.branch === branch &&
    status.dirty.length === 0
  );
}
