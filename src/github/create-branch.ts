import type { RunEvent } from "../engine/events.js";
import {
  type EffectContext,
  repoOf,
  repositoryName,
} from "./effect-context.js";
import {
  ERROR_REFERENCE_EXISTS,
  httpStatus,
  mentions,
} from "./github-errors.js";

/**
 * Creates the run's feature branch at the base branch's head. The name has a
 * random token, so a branch of that name already there means a previous try
 * made it; on a first try it is someone else's, and the run refuses to use it.
 * The base branch is read with its head commit's tree, which the first
 * stage's commit builds on (remembered, not read again).
 */
export async function createBranch({
  octokit,
  state,
  retries,
  now,
  log,
  memory,
}: EffectContext): Promise<RunEvent> {
  const at = () => now().toISOString();
  const repo = repoOf(state);
  let sha: string;
  try {
    const { data } = await octokit.rest.repos.getBranch({
      ...repo,
      branch: state.base_branch,
    });
    sha = data.commit.sha;
    memory?.rememberTree(
      repositoryName(state),
      sha,
      data.commit.commit.tree.sha,
    );
  } catch (error) {
    if (httpStatus(error) !== 404) throw error;
    return {
      type: "branch_failed",
      error: `the base branch '${state.base_branch}' does not exist`,
      at: at(),
    };
  }
  try {
    await octokit.rest.git.createRef({
      ...repo,
      ref: `refs/heads/${state.branch}`,
      sha,
    });
    log.info(`created branch ${state.branch} at ${sha}`);
    return { type: "branch_created", sha, at: at() };
  } catch (error) {
    if (httpStatus(error) !== 422 || !mentions(error, ERROR_REFERENCE_EXISTS))
      throw error;
    if (retries === 0) {
      return {
        type: "branch_failed",
        error: `a branch named '${state.branch}' already exists, and Specwright did not create it`,
        at: at(),
      };
    }
    const { data } = await octokit.rest.git.getRef({
      ...repo,
      ref: `heads/${state.branch}`,
    });
    log.info(
      `branch ${state.branch} was created by an earlier try, at ${data.object.sha}`,
    );
    return { type: "branch_created", sha: data.object.sha, at: at() };
  }
}
