import type { RunEvent } from "../engine/events.js";
import { type EffectContext, repoOf } from "./effect-context.js";
import {
  renderTrackingComment,
  trackingMarker,
} from "./render-tracking-comment.js";

/**
 * Posts the run's tracking comment on its issue. A retry first looks for
 * the comment an earlier try posted (by its hidden marker).
 */
export async function createTrackingComment(
  context: EffectContext,
): Promise<RunEvent | null> {
  const { octokit, state, retries, now } = context;
  if (state.issue === null) return null;
  const at = now().toISOString();
  if (retries > 0) {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      ...repoOf(state),
      issue_number: state.issue.number,
      per_page: 100,
    });
    const earlier = comments.find((c) =>
      c.body?.includes(trackingMarker(state.id)),
    );
    if (earlier)
      return { type: "tracking_comment_created", comment_id: earlier.id, at };
  }
  const { data } = await octokit.rest.issues.createComment({
    ...repoOf(state),
    issue_number: state.issue.number,
    body: renderTrackingComment(state, now()),
  });
  return { type: "tracking_comment_created", comment_id: data.id, at };
}

/** Rewrites the tracking comment from the run's current state. */
export async function updateTrackingComment(
  context: EffectContext,
): Promise<null> {
  const { octokit, state, now } = context;
  if (state.tracking_comment_id === null) return null;
  await octokit.rest.issues.updateComment({
    ...repoOf(state),
    comment_id: state.tracking_comment_id,
    body: renderTrackingComment(state, now()),
  });
  return null;
}
