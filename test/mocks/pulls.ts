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

export function nockRequestReviewers(number: number, reviewers: string[]) {
  return github()
    .post(`${REPO_PATH}/pulls/${number}/requested_reviewers`, { reviewers })
    .reply(201, { number });
}
