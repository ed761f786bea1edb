import { z } from "zod";

// The dashboard's JSON API (`/specwright/api/v1/`), as zod schemas: the
// server builds its answers through them, the tests check real answers
// against them, and docs/api/openapi.yaml describes the same shapes.
// Text that came from people or agents (feature, errors, log tails) is
// returned as it is: the page renders it as text, never as HTML.

const Timestamp = z.string().describe("ISO 8601, UTC");

export const RunStatus = z.enum([
  "queued",
  "in_progress",
  "succeeded",
  "failed",
  "no_changes",
  "cancelled",
]);

export const StageStatus = z.enum([
  "pending",
  "dispatched",
  "running",
  "waiting_approval",
  "retrying",
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
  "skipped",
]);

/** Tokens, turns and cost; a field is absent when the agent did not report it. */
export const UsageTotals = z.strictObject({
  input_tokens: z.int().min(0).optional(),
  output_tokens: z.int().min(0).optional(),
  turns: z.int().min(0).optional(),
  cost_usd: z.number().min(0).optional(),
});
export type UsageTotals = z.infer<typeof UsageTotals>;

/** Where the run lives on GitHub. */
export const RunLinks = z.strictObject({
  repository: z.string(),
  issue: z.string().nullable(),
  pull_request: z.string().nullable(),
  branch: z.string().nullable(),
});

/** One row of the runs list. */
export const RunSummary = z.strictObject({
  id: z.string(),
  repository: z.string().describe("owner/repo"),
  issue_number: z.int().nullable(),
  feature: z.string(),
  status: RunStatus,
  /** The stage under way or waiting (the first one in workflow order), if any. */
  current_stage: z.string().nullable(),
  requested_by: z.string(),
  branch: z.string(),
  pull_request_number: z.int().nullable(),
  created_at: Timestamp,
  started_at: Timestamp.nullable(),
  completed_at: Timestamp.nullable(),
  /** From start to completion, or to now for a run under way. */
  duration_ms: z.int().min(0).nullable(),
  usage: UsageTotals,
  links: RunLinks,
});
export type RunSummary = z.infer<typeof RunSummary>;

/** `GET /runs`: newest first. */
export const RunPage = z.strictObject({
  runs: z.array(RunSummary),
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: z.string().nullable(),
  has_more: z.boolean(),
});
export type RunPage = z.infer<typeof RunPage>;

export const ArtifactView = z.strictObject({
  type: z.string(),
  name: z.string(),
  size_bytes: z.int().min(0),
  expires_at: Timestamp,
  expired: z.boolean(),
  /** The Actions run's artifacts on GitHub (downloading needs a GitHub sign-in). */
  url: z.string().nullable(),
});

export const PhaseView = z.strictObject({
  phase: z.string(),
  status: z.string(),
  started_at: Timestamp.nullable(),
  completed_at: Timestamp.nullable(),
});

export const AttemptView = z.strictObject({
  attempt: z.int().min(1),
  status: StageStatus,
  execution_path: z.string().nullable(),
  selected_skill: z.string().nullable(),
  agent_version: z.string().nullable(),
  trigger: z.string().nullable(),
  dispatched_at: Timestamp,
  started_at: Timestamp.nullable(),
  completed_at: Timestamp.nullable(),
  duration_ms: z.int().min(0).nullable(),
  usage: UsageTotals,
  error: z.string().nullable(),
  /** The end of the agent's log (kept for failed attempts), as plain text. */
  log_tail: z.string().nullable(),
  /** The agent's last message, as plain text. */
  final_message: z.string().nullable(),
  changed_paths: z.array(z.string()),
  phases: z.array(PhaseView),
  artifacts: z.array(ArtifactView),
  links: z.strictObject({
    check_run: z.string().nullable(),
    actions_run: z.string().nullable(),
    commit: z.string().nullable(),
  }),
});
export type AttemptView = z.infer<typeof AttemptView>;

/** What the signed-in person may do to a stage now; absent keys are not offered. */
export const StageControls = z.strictObject({
  approve: z.boolean(),
  reject: z.boolean(),
  retry: z.boolean(),
});

export const StageView = z.strictObject({
  id: z.string(),
  name: z.string(),
  /** Stage ids this stage waits for (the graph's edges). */
  needs: z.array(z.string()),
  /** Its batch in the DAG: stages of one batch may run at once. */
  batch: z.int().min(0),
  gate: z.boolean(),
  status: StageStatus,
  reason: z.string().nullable(),
  waiting_since: Timestamp.nullable(),
  approved_by: z.string().nullable(),
  rejected_by: z.string().nullable(),
  retry_at: Timestamp.nullable(),
  usage: UsageTotals,
  attempts: z.array(AttemptView),
  controls: StageControls,
});
export type StageView = z.infer<typeof StageView>;

export const RunControls = z.strictObject({
  cancel: z.boolean(),
  hold: z.boolean(),
  unhold: z.boolean(),
});

/** `GET /runs/{id}`. */
export const RunDetail = RunSummary.extend({
  workflow: z.string().describe("the workflow's name"),
  base_branch: z.string(),
  spec_dir: z.string().nullable(),
  result_summary: z.string().nullable(),
  hold: z.strictObject({ by: z.string(), at: Timestamp }).nullable(),
  problems: z.array(
    z.strictObject({
      kind: z.string(),
      stage: z.string().nullable(),
      message: z.string(),
      at: Timestamp,
    }),
  ),
  stages: z.array(StageView),
  controls: RunControls,
  /** The signed-in person's permission on the repository. */
  permission: z.enum(["none", "read", "triage", "write", "maintain", "admin"]),
  /** The id of the run's latest event: a stream opened with it as `Last-Event-ID` starts after it. */
  last_event_id: z.string().nullable(),
});
export type RunDetail = z.infer<typeof RunDetail>;

/** `GET /session`: who is signed in, and the token every POST must carry as `X-CSRF-Token`. */
export const SessionView = z.strictObject({
  login: z.string(),
  avatar_url: z.string().nullable(),
  csrf_token: z.string(),
});
export type SessionView = z.infer<typeof SessionView>;

/** `POST` controls: the run as it is after the engine took the event. */
export const ControlResult = z.strictObject({
  run: RunDetail,
});
export type ControlResult = z.infer<typeof ControlResult>;

/** Every error: one envelope. */
export const ErrorEnvelope = z.strictObject({
  error: z.strictObject({
    /** bad_request | unauthorized | forbidden | not_found | conflict | dashboard_off | internal */
    code: z.string(),
    message: z.string(),
    /** The query parameter or field at fault, for a 400. */
    field: z.string().optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/**
 * One Server-Sent Event's `data` on `GET /runs/{id}/events` (the event's
 * name is its SSE `event:` and `event` here; its `id:` is the store's
 * event id). The shapes are the engine's progress events
 * (src/engine/progress/progress-event.ts).
 */
export const SSE_EVENT_NAMES = [
  "run_started",
  "stage_started",
  "stage_completed",
  "stage_failed",
  "gate_waiting",
  "run_completed",
] as const;
