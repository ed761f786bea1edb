import type { RunEvent } from "../engine/events.js";
import { type EffectContext, repoOf } from "./effect-context.js";
import { findComment } from "./find-comment.js";
import {
  renderMovedComment,
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
    const earlier = await findComment(
      context,
      state.issue.number,
      trackingMarker(state.id),
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

/**
 * Moves the tracking comment to the run's pull request, where the work is
 * reviewed, and leaves a link in its place on the issue.
 */
export async function moveTrackingComment(
  context: EffectContext,
): Promise<RunEvent | null> {
  const { octokit, state, retries, now } = context;
  const pull = state.pull_request;
  if (pull === null || state.tracking_comment_id === null) return null;
  if (state.tracking_comment_on === pull.number) return null;
  const at = now().toISOString();
  const earlier =
    retries > 0
      ? await findComment(context, pull.number, trackingMarker(state.id))
      : undefined;
  const id =
    earlier?.id ??
    (
      await octokit.rest.issues.createComment({
        ...repoOf(state),
        issue_number: pull.number,
        body: renderTrackingComment(
          { ...state, tracking_comment_on: pull.number },
          now(),
        ),
      })
    ).data.id;
  await octokit.rest.issues.updateComment({
    ...repoOf(state),
    comment_id: state.tracking_comment_id,
    body: renderMovedComment(state),
  });
  return {
    type: "tracking_comment_moved",
    comment_id: id,
    number: pull.number,
    at,
  };
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
