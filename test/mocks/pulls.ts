import { github } from "../support/github.js";
import { capture } from "./issues.js";
import { OWNER, REPO } from "./repository.js";

const REPO_PATH = `/repos/${OWNER}/${REPO}`;

export function nockCreatePull(number: number) {
  const captured = capture<{
    title: string;
    head: string;
    base: string;
    body: string;
    draft: boolean;
  }>();
  const scope = github()
    .post(`${REPO_PATH}/pulls`, captured.match)
    .reply(201, {
      number,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${number}`,
    });
  return { scope, bodies: captured.bodies };
}

/**
 * The tracking comment moving to the new pull request: posted there as
 * `commentId`, edited from then on (bodies captured), and the issue's
 * comment left as a link.
 */
export function nockTrackingMoved(number: number, commentId = 9100) {
  const posted = capture<{ body: string }>();
  github()
    .post(`${REPO_PATH}/issues/${number}/comments`, posted.match)
    .reply(201, { id: commentId });
  const edits = capture<{ body: string }>();
  github()
    .patch(`${REPO_PATH}/issues/comments/${commentId}`, edits.match)
    .optionally()
    .reply(200, { id: commentId })
    .persist();
  return { posted: posted.bodies, edits: edits.bodies };
}

export function nockRequestReviewers(number: number, reviewers: string[]) {
  return github()
    .post(`${REPO_PATH}/pulls/${number}/requested_reviewers`, { reviewers })
    .reply(201, { number });
}
