import type { StageRequest } from "../../../src/contracts/stage-request.js";
import { headCommit } from "../git.js";

/**
 * The stage must run on the commit the App dispatched it against, from the
 * branch it made: changes are collected against that commit, and the App
 * commits them on top of it. Says what is wrong, or null.
 */
export async function checkCheckout(
  request: StageRequest,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<string | null> {
  if (
    env.GITHUB_EVENT_NAME === "workflow_dispatch" &&
    env.GITHUB_REF_NAME &&
    env.GITHUB_REF_NAME !== request.branch
  ) {
    return `the workflow was dispatched on '${env.GITHUB_REF_NAME}', not on the run's branch '${request.branch}'`;
  }
  let head: string;
  try {
    head = await headCommit(cwd);
  } catch (error) {
    return `${cwd} is not a git checkout (${error instanceof Error ? error.message : String(error)}); the stage workflow must check out the repository first`;
  }
  return head === request.base_sha
    ? null
    : `the checkout is at ${head.slice(0, 12)}, not at the commit the stage was dispatched against (${request.base_sha.slice(0, 12)}); the stage workflow must check out \${{ fromJSON(inputs.request).base_sha }}`;
}
