import { nockDispatch } from "../mocks/actions.js";
import { nockCreateCheckRuns, nockUpdateCheckRuns } from "../mocks/checks.js";
import { nockCreateRef, nockGetBranch } from "../mocks/git.js";
import {
  nockCreateComment,
  nockLabels,
  nockReaction,
  nockUpdateComment,
} from "../mocks/issues.js";
import { nockConfig, nockPermission } from "../mocks/repository.js";
import { commentPayload } from "./payloads.js";
import type { TestApp } from "./test-app.js";

export const RUN = "11111111-1111-4111-8111-111111111111";
export const BRANCH = "speckit/20261121/abc123";
export const BASE = "a".repeat(40);
export const TRACKING_COMMENT = 9000;
export const FIRST_CHECK_RUN = 700;

/**
 * `/specify` on issue 42 with every GitHub call answered, up to the first
 * stage's dispatch as workflow run `workflowRunId` (null: a server that
 * returns no id). Returns the mocks that outlive the call.
 */
export async function startRun(
  app: TestApp,
  options: {
    config?: string | null;
    workflowRunId?: number | null;
    checkRuns?: number;
    body?: string;
    deliveryId?: string;
  } = {},
) {
  nockPermission("alice", "write");
  nockConfig(options.config ?? null);
  const comment = commentPayload(
    options.body ?? "/specify Add a dark mode toggle",
  );
  nockReaction(comment.comment.id, "eyes");
  nockCreateComment(42, 1, TRACKING_COMMENT);
  const edits = nockUpdateComment(TRACKING_COMMENT);
  nockLabels();
  nockGetBranch("main", BASE);
  nockCreateRef(BRANCH, BASE);
  const checks = nockCreateCheckRuns(options.checkRuns ?? 1, FIRST_CHECK_RUN);
  const checkUpdates = nockUpdateCheckRuns();
  const dispatch = nockDispatch(
    options.workflowRunId === undefined ? 101 : options.workflowRunId,
  );
  await app.receive("issue_comment", comment, options.deliveryId);
  return { comment, edits, checks, checkUpdates, dispatch };
}
