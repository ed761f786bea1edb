import { github } from "../support/github.js";
import { OWNER, REPO } from "./repository.js";

const REPO_PATH = `/repos/${OWNER}/${REPO}`;

/** Records the bodies of the requests an interceptor matched. */
export function capture<T = Record<string, unknown>>(): {
  bodies: T[];
  match: (body: T) => boolean;
} {
  const bodies: T[] = [];
  return {
    bodies,
    match: (body: T) => {
      bodies.push(body);
      return true;
    },
  };
}

export function nockReaction(commentId: number, content: string) {
  return github()
    .post(`${REPO_PATH}/issues/comments/${commentId}/reactions`, { content })
    .reply(201, { id: 1, content });
}

/** New comments on an issue; their bodies are captured. */
export function nockCreateComment(issue: number, times = 1, firstId = 9000) {
  const captured = capture<{ body: string }>();
  let next = firstId;
  const scope = github()
    .post(`${REPO_PATH}/issues/${issue}/comments`, captured.match)
    .times(times)
    .reply(201, () => ({
      id: next++,
      html_url: `https://github.com/${OWNER}/${REPO}/issues/${issue}#issuecomment-${next}`,
    }));
  return { scope, bodies: captured.bodies };
}

/** Edits of a comment, any number of times; their bodies are captured. */
export function nockUpdateComment(commentId: number) {
  const captured = capture<{ body: string }>();
  const scope = github()
    .patch(`${REPO_PATH}/issues/comments/${commentId}`, captured.match)
    .reply(200, { id: commentId })
    .persist();
  return { scope, bodies: captured.bodies };
}
