import type { Notice } from "../engine/effects.js";
import { type EffectContext, repoOf } from "./effect-context.js";
import { findComment } from "./find-comment.js";
import { noticeMarker, renderNotice } from "./render-notice.js";

/**
 * Posts a new comment where the run is followed (its pull request once the
 * tracking comment moved there, else its issue), for when someone must act
 * or the run is over. A retry first looks for an earlier try's comment.
 */
export async function postNotice(
  context: EffectContext,
  effect: { notice: Notice; key: string },
): Promise<null> {
  const { octokit, state, retries } = context;
  const number = state.tracking_comment_on ?? state.issue?.number;
  if (number === undefined) return null;
  if (
    retries > 0 &&
    (await findComment(context, number, noticeMarker(state.id, effect.key)))
  )
    return null;
  await octokit.rest.issues.createComment({
    ...repoOf(state),
    issue_number: number,
    body: renderNotice(state, effect.notice, effect.key),
  });
  return null;
}
