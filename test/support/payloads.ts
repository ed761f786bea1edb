import { readFileSync } from "node:fs";
import type {
  EmitterWebhookEvent,
  EmitterWebhookEventName,
} from "@octokit/webhooks";
import { correlationKey } from "../../src/contracts/stage-request.js";

type Payload<E extends EmitterWebhookEventName> =
  EmitterWebhookEvent<E>["payload"];
export type CommentPayload = Payload<"issue_comment.created">;
export type WorkflowRunPayload = Payload<"workflow_run">;
export type WorkflowJobPayload = Payload<"workflow_job">;

function fixture<T>(name: string): T {
  return JSON.parse(
    readFileSync(`test/fixtures/webhooks/${name}.json`, "utf8"),
  ) as T;
}

let nextCommentId = 5000;

/** `issue_comment.created` on issue 42 of acme/web, by `login`. */
export function commentPayload(
  body: string,
  options: {
    login?: string;
    bot?: boolean;
    pullRequest?: boolean;
    issue?: number;
    /** When it was written (default: the tests' clock, 2026-11-21T10:00Z). */
    createdAt?: string;
  } = {},
): CommentPayload {
  const payload = fixture<CommentPayload>("issue_comment.created");
  const login = options.login ?? "alice";
  const type = options.bot ? "Bot" : "User";
  payload.comment.id = nextCommentId++;
  payload.comment.body = body;
  payload.comment.created_at = options.createdAt ?? "2026-11-21T10:00:00Z";
  payload.comment.updated_at = payload.comment.created_at;
  if (payload.comment.user)
    Object.assign(payload.comment.user, { login, type });
  Object.assign(payload.sender, { login, type });
  if (options.issue !== undefined) payload.issue.number = options.issue;
  if (options.pullRequest) {
    const n = payload.issue.number;
    payload.issue.pull_request = {
      url: `https://api.github.com/repos/acme/web/pulls/${n}`,
      html_url: `https://github.com/acme/web/pull/${n}`,
      diff_url: `https://github.com/acme/web/pull/${n}.diff`,
      patch_url: `https://github.com/acme/web/pull/${n}.patch`,
      merged_at: null,
    };
  }
  return payload;
}

/** A `workflow_run` event for a stage run Specwright dispatched. */
export function workflowRunPayload(
  action: "requested" | "in_progress" | "completed",
  run: {
    id: number;
    runId: string;
    stage: string;
    attempt?: number;
    branch: string;
    conclusion?: string;
  },
): WorkflowRunPayload {
  const payload = fixture<WorkflowRunPayload>(`workflow_run.${action}`);
  Object.assign(payload.workflow_run, {
    id: run.id,
    display_title: correlationKey(run.runId, run.stage, run.attempt ?? 1),
    head_branch: run.branch,
    html_url: `https://github.com/acme/web/actions/runs/${run.id}`,
    ...(action === "completed"
      ? { status: "completed", conclusion: run.conclusion ?? "success" }
      : {}),
  });
  return payload;
}

/**
 * A `workflow_job` event of a stage run: GitHub names who triggered the run
 * as the sender, the App's bot for a stage it dispatched.
 */
export function workflowJobPayload(
  action: "in_progress" | "completed",
  runId: number,
): WorkflowJobPayload {
  const payload = fixture<WorkflowJobPayload>(`workflow_job.${action}`);
  payload.workflow_job.run_id = runId;
  Object.assign(payload.sender, { login: "specwright[bot]", type: "Bot" });
  return payload;
}

export type IssueLabeledPayload = Payload<"issues.labeled">;
export type PullLabeledPayload = Payload<"pull_request.labeled">;
export type CheckRunPayload = Payload<"check_run.requested_action">;

/** `issues.labeled` on issue 42 (default `specwright:specify`), by `login`. */
export function issueLabeledPayload(
  options: { label?: string; login?: string; bot?: boolean } = {},
): IssueLabeledPayload {
  const payload = fixture<IssueLabeledPayload>("issues.labeled");
  if (payload.label) payload.label.name = options.label ?? "specwright:specify";
  payload.issue.updated_at = "2026-11-21T10:00:00Z";
  Object.assign(payload.sender, {
    login: options.login ?? "alice",
    type: options.bot ? "Bot" : "User",
  });
  return payload;
}

/**
 * `pull_request.labeled` on pull request 12 (default `specwright:implement`),
 * labelled at `labeledAt` (default: the tests' clock, 2026-11-21T10:00Z).
 */
export function pullLabeledPayload(
  options: { label?: string; login?: string; labeledAt?: string } = {},
): PullLabeledPayload {
  const payload = fixture<PullLabeledPayload>("pull_request.labeled");
  if (payload.label)
    payload.label.name = options.label ?? "specwright:implement";
  payload.sender.login = options.login ?? "alice";
  payload.pull_request.updated_at = options.labeledAt ?? "2026-11-21T10:00:00Z";
  return payload;
}

/** A button (`identifier`) or Re-run (no identifier) on a check run of ours. */
export function checkRunPayload(options: {
  externalId: string;
  identifier?: string;
  login?: string;
  /** The check run's id (default 5000: the seeded run's gate check run). */
  id?: number;
}): CheckRunPayload {
  const name = options.identifier
    ? "check_run.requested_action"
    : "check_run.rerequested";
  const payload = fixture<CheckRunPayload>(name);
  payload.check_run.external_id = options.externalId;
  payload.check_run.id = options.id ?? 5000;
  if (options.identifier)
    payload.requested_action = { identifier: options.identifier };
  payload.sender.login = options.login ?? "alice";
  return payload;
}
