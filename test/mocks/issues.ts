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

/**
 * The `specwright:*` labels: GitHub already has them (`existing`), or they
 * are looked up, missing, and created (bodies captured).
 */
export function nockLabels(existing = true) {
  const created = capture<Record<string, unknown>>();
  const names = ["specwright:implement", "specwright:specify"];
  const scope = github();
  for (const name of names) {
    scope
      .get(`${REPO_PATH}/labels/${encodeURIComponent(name)}`)
      .reply(
        existing ? 200 : 404,
        existing ? { id: 1, name } : { message: "Not Found" },
      );
  }
  if (!existing) {
    scope
      .post(`${REPO_PATH}/labels`, created.match)
      .times(names.length)
      .reply(201, (_uri, body) => ({ id: 2, ...(body as object) }));
  }
  return { scope, created: created.bodies };
}

/** A label taken off an issue or pull request again. */
export function nockRemoveLabel(number: number, name: string, status = 200) {
  return github()
    .delete(`${REPO_PATH}/issues/${number}/labels/${encodeURIComponent(name)}`)
    .reply(status, status === 200 ? [] : { message: "Label does not exist" });
}
