import { github } from "../support/github.js";
import { capture } from "./issues.js";
import { OWNER, REPO } from "./repository.js";

const REPO_PATH = `/repos/${OWNER}/${REPO}`;

/** The base branch, with its head commit and that commit's tree. */
export function nockGetBranch(
  branch: string,
  sha: string,
  tree = "t".repeat(40),
) {
  return github()
    .get(`${REPO_PATH}/branches/${encodeURIComponent(branch)}`)
    .reply(200, {
      name: branch,
      commit: { sha, commit: { tree: { sha: tree } } },
      protected: false,
    });
}

export function nockGetRef(branch: string, sha: string) {
  return github()
    .get(`${REPO_PATH}/git/ref/${encodeURIComponent(`heads/${branch}`)}`)
    .reply(200, {
      ref: `refs/heads/${branch}`,
      object: { sha, type: "commit" },
    });
}

export function nockCreateRef(branch: string, sha: string) {
  return github()
    .post(`${REPO_PATH}/git/refs`, { ref: `refs/heads/${branch}`, sha })
    .reply(201, {
      ref: `refs/heads/${branch}`,
      object: { sha, type: "commit" },
    });
}

export function nockGetCommit(
  sha: string,
  treeSha: string,
  message = "Initial commit",
) {
  return github()
    .get(`${REPO_PATH}/git/commits/${sha}`)
    .reply(200, { sha, message, tree: { sha: treeSha }, parents: [] });
}

/**
 * One stage commit through the Git Data API: the parent's tree, a new tree,
 * a commit, and the fast-forward of the branch. Captures what is sent.
 */
export function nockCommit(options: {
  branch: string;
  parent: string;
  parentTree: string;
  newTree: string;
  commit: string;
  /** The App made the parent itself and knows its tree: no read of it. */
  parentKnown?: boolean;
}) {
  const tree = capture<{ base_tree: string; tree: unknown[] }>();
  const commit = capture<{
    message: string;
    tree: string;
    parents: string[];
  }>();
  const ref = capture<{ sha: string; force: boolean }>();
  const scope = github();
  if (!options.parentKnown) {
    scope.get(`${REPO_PATH}/git/commits/${options.parent}`).reply(200, {
      sha: options.parent,
      message: "parent",
      tree: { sha: options.parentTree },
      parents: [],
    });
  }
  scope
    .post(`${REPO_PATH}/git/trees`, tree.match)
    .reply(201, { sha: options.newTree, tree: [] })
    .post(`${REPO_PATH}/git/commits`, commit.match)
    .reply(201, { sha: options.commit, tree: { sha: options.newTree } })
    .patch(
      `${REPO_PATH}/git/refs/${encodeURIComponent(`heads/${options.branch}`)}`,
      ref.match,
    )
    .reply(200, {
      ref: `refs/heads/${options.branch}`,
      object: { sha: options.commit },
    });
  return { scope, tree: tree.bodies, commit: commit.bodies, ref: ref.bodies };
}
