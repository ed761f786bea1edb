import type { ChangedFile } from "../contracts/changes.js";
import { commitMessage, trailerText } from "./commit-message.js";
import {
  type EffectContext,
  repoOf,
  repositoryName,
} from "./effect-context.js";
import {
  ERROR_NOT_FAST_FORWARD,
  httpStatus,
  mentions,
} from "./github-errors.js";

export interface CommitRequest {
  branch: string;
  /** The branch head Specwright last wrote: the commit's parent. */
  parent: string;
  files: readonly ChangedFile[];
  /** The subject: one line, made safe here (it may quote the feature). */
  message: string;
  /** Trailers that identify the attempt, to find a commit an earlier try made. */
  trailers: Record<string, string>;
}

/** The branch moved since Specwright last wrote it; the stage's work is not committed. */
export class BranchMovedError extends Error {
  override name = "BranchMovedError";
}

/**
 * Commits a stage's changes to the feature branch through the Git Data API:
 * blobs for binary files, one tree on the parent's, one commit, and a
 * fast-forward of the branch. Returns the new head, or null when the changes
 * change nothing. A retry that finds its own commit on the branch returns it.
 */
export async function commitChanges(
  {
    octokit,
    state,
    retries,
    log,
    memory,
  }: Pick<EffectContext, "octokit" | "state" | "retries" | "log" | "memory">,
  request: CommitRequest,
): Promise<string | null> {
  const repo = repoOf(state);
  if (request.files.length === 0) return null;
  const trailers = trailerText(request.trailers);

  if (retries > 0) {
    const { data: ref } = await octokit.rest.git.getRef({
      ...repo,
      ref: `heads/${request.branch}`,
    });
    if (ref.object.sha !== request.parent) {
      const { data: head } = await octokit.rest.git.getCommit({
        ...repo,
        commit_sha: ref.object.sha,
      });
      if (head.message.endsWith(trailers)) {
        log.info(
          `the commit for this attempt was made by an earlier try: ${head.sha}`,
        );
        memory?.rememberTree(repositoryName(state), head.sha, head.tree.sha);
        return head.sha;
      }
    }
  }

  // The parent is usually the commit the last stage made here: its tree is
  // known without asking.
  const name = repositoryName(state);
  const parentTree =
    memory?.treeOf(name, request.parent) ??
    (
      await octokit.rest.git.getCommit({
        ...repo,
        commit_sha: request.parent,
      })
    ).data.tree.sha;
  const tree = [];
  for (const file of request.files) {
    if ("deleted" in file) {
      tree.push({
        path: file.path,
        mode: "100644" as const,
        type: "blob" as const,
        sha: null,
      });
    } else if (file.encoding === "utf8") {
      tree.push({
        path: file.path,
        mode: file.mode,
        type: "blob" as const,
        content: file.content,
      });
    } else {
      const { data: blob } = await octokit.rest.git.createBlob({
        ...repo,
        content: file.content,
        encoding: "base64",
      });
      tree.push({
        path: file.path,
        mode: file.mode,
        type: "blob" as const,
        sha: blob.sha,
      });
    }
  }
  const { data: newTree } = await octokit.rest.git.createTree({
    ...repo,
    base_tree: parentTree,
    tree,
  });
  if (newTree.sha === parentTree) return null;

  const { data: commit } = await octokit.rest.git.createCommit({
    ...repo,
    message: commitMessage(request.message, trailers),
    tree: newTree.sha,
    parents: [request.parent],
  });
  memory?.rememberTree(name, commit.sha, newTree.sha);
  try {
    await octokit.rest.git.updateRef({
      ...repo,
      ref: `heads/${request.branch}`,
      sha: commit.sha,
      force: false,
    });
  } catch (error) {
    if (httpStatus(error) === 422 && mentions(error, ERROR_NOT_FAST_FORWARD)) {
      throw new BranchMovedError(
        `the branch ${request.branch} moved since Specwright last wrote it (someone pushed to it); the stage's changes were not committed`,
      );
    }
    throw error;
  }
  log.info(`committed ${commit.sha} to ${request.branch}`);
  return commit.sha;
}
