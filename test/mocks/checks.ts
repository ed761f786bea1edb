import { github } from "../support/github.js";
import { capture } from "./issues.js";
import { OWNER, REPO } from "./repository.js";

const REPO_PATH = `/repos/${OWNER}/${REPO}`;

/** Check-run creations; each gets the next id. Bodies are captured. */
export function nockCreateCheckRuns(times: number, firstId = 700) {
  const captured = capture<Record<string, unknown>>();
  let next = firstId;
  const scope = github()
    .post(`${REPO_PATH}/check-runs`, captured.match)
    .times(times)
    .reply(201, () => ({ id: next++ }));
  return { scope, bodies: captured.bodies };
}

/**
 * Check-run updates, any number (none included), for any run. Bodies are
 * captured with the id; assert on them.
 */
export function nockUpdateCheckRuns() {
  const bodies: { id: number; body: Record<string, unknown> }[] = [];
  const scope = github()
    .patch(/\/repos\/acme\/web\/check-runs\/\d+$/)
    .optionally()
    .reply(200, (uri, body) => {
      const id = Number(uri.split("/").pop());
      bodies.push({ id, body: body as Record<string, unknown> });
      return { id };
    })
    .persist();
  return { scope, bodies };
}
