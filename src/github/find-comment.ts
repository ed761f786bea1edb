import type { RunState } from "../engine/run-state.js";
import { type EffectContext, repoOf } from "./effect-context.js";

/** Pages of 100 comments read at most when looking for one of ours. */
const MAX_PAGES = 10;

/**
 * The run's comment on an issue or pull request that contains `marker`
 * (an earlier try's), reading only comments since the run began and at most
 * a thousand of them.
 */
export async function findComment(
  context: EffectContext,
  issueNumber: number,
  marker: string,
  state: RunState = context.state,
): Promise<{ id: number } | undefined> {
  const { octokit } = context;
  let pages = 0;
  const found = await octokit.paginate(
    octokit.rest.issues.listComments,
    {
      ...repoOf(state),
      issue_number: issueNumber,
      since: state.created_at,
      per_page: 100,
    },
    (response, done) => {
      pages++;
      const hit = response.data.find((c) => c.body?.includes(marker));
      if (hit !== undefined || pages >= MAX_PAGES) done();
      return hit === undefined ? [] : [{ id: hit.id }];
    },
  );
  return found[0];
}
