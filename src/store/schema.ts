import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const at = (name: string) =>
  timestamp(name, { withTimezone: true, mode: "string" });

/** SpecAutomationRun: one run of a workflow for one feature request. */
export const runs = pgTable(
  "runs",
  {
    id: uuid("id").primaryKey(),
    /** Incremented by every transition; a write with a stale version loses. */
    version: integer("version").notNull(),
    installationId: bigint("installation_id", { mode: "number" }).notNull(),
    owner: text("owner").notNull(),
    repo: text("repo").notNull(),
    /** GitHub's id of the repository (its name can be reused); null in older runs. */
    repositoryId: bigint("repository_id", { mode: "number" }),
    issueNumber: integer("issue_number"),
    /** `owner/repo#number`, the seeds' external correlation key. */
    externalRef: text("external_ref"),
    status: text("status").notNull(),
    requestedSpecInput: text("requested_spec_input").notNull(),
    requestedBy: text("requested_by").notNull(),
    resultSummary: text("result_summary"),
    baseBranch: text("base_branch").notNull(),
    baseSha: text("base_sha"),
    branchName: text("branch_name"),
    headSha: text("head_sha"),
    specDir: text("spec_dir"),
    pullRequestNumber: integer("pull_request_number"),
    pullRequestUrl: text("pull_request_url"),
    trackingCommentId: bigint("tracking_comment_id", { mode: "number" }),
    /** When the reconciler must next look at the run (retries, time limits). */
    nextWakeAt: at("next_wake_at"),
    /** The rest of the engine's view: issue, workflow and settings snapshots, stage states. */
    state: jsonb("state").notNull(),
    workerHostname: text("worker_hostname"),
    createdAt: at("created_at").notNull(),
    startedAt: at("started_at"),
    completedAt: at("completed_at"),
    updatedAt: at("updated_at").notNull(),
    // Copies of what the runs list shows, kept from `state` by every save
    // so that listing runs never reads the large `state` document.
    /** The first stage in workflow order under way or waiting, if any. */
    currentStage: text("current_stage"),
    /** Usage summed over every attempt; null when no attempt reported it. */
    inputTokens: bigint("input_tokens", { mode: "number" }),
    outputTokens: bigint("output_tokens", { mode: "number" }),
    turns: integer("turns"),
    costUsd: doublePrecision("cost_usd"),
  },
  (t) => [
    index("runs_repository_idx").on(t.owner, t.repo, t.issueNumber),
    index("runs_pull_request_idx").on(t.owner, t.repo, t.pullRequestNumber),
    index("runs_status_idx").on(t.status),
    index("runs_next_wake_idx").on(t.nextWakeAt),
    // The runs list: newest first, over all runs or one repository's
    // (`desc` sorts nulls first; the index must match to serve the order).
    index("runs_created_idx").on(
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index("runs_repository_created_idx").on(
      t.owner,
      t.repo,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index("runs_requested_by_idx").on(t.requestedBy),
  ],
);

/**
 * Named leases: one holder at a time until it expires (the reconciler's
 * lock, so that one replica sweeps at a time).
 */
export const leases = pgTable("leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: at("expires_at").notNull(),
});

/** SpecAutomationTaskState: one attempt of one stage. */
export const stageAttempts = pgTable(
  "stage_attempts",
  {
    id: uuid("id").primaryKey(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    /** The run's repository, so that its spend is summed without `runs`. */
    owner: text("owner").notNull(),
    repo: text("repo").notNull(),
    stage: text("stage").notNull(),
    attempt: integer("attempt").notNull(),
    status: text("status").notNull(),
    baseSha: text("base_sha").notNull(),
    workflowRunId: bigint("workflow_run_id", { mode: "number" }),
    workflowRunUrl: text("workflow_run_url"),
    checkRunId: bigint("check_run_id", { mode: "number" }),
    conclusion: text("conclusion"),
    commitSha: text("commit_sha"),
    executionPath: text("execution_path"),
    selectedSkill: text("selected_skill"),
    errorMessage: text("error_message"),
    /** Outputs, phases, usage, changed paths, agent version. */
    metadata: jsonb("metadata").notNull(),
    // Copies of the usage in `metadata`, for the repository's spend.
    /** Reported usage (cost: estimated or not); null when not reported. */
    inputTokens: bigint("input_tokens", { mode: "number" }),
    outputTokens: bigint("output_tokens", { mode: "number" }),
    turns: integer("turns"),
    costUsd: doublePrecision("cost_usd"),
    dispatchedAt: at("dispatched_at").notNull(),
    startedAt: at("started_at"),
    completedAt: at("completed_at"),
  },
  (t) => [
    // A repository's spend since a time (its daily and monthly budgets).
    index("stage_attempts_repository_completed_idx").on(
      t.owner,
      t.repo,
      t.completedAt,
    ),
    uniqueIndex("stage_attempts_run_stage_attempt_idx").on(
      t.runId,
      t.stage,
      t.attempt,
    ),
    uniqueIndex("stage_attempts_workflow_run_idx").on(t.workflowRunId),
  ],
);

/** AutomationArtifact: a file of a stage attempt's result bundle. */
export const artifacts = pgTable(
  "artifacts",
  {
    id: uuid("id").primaryKey(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    stageAttemptId: uuid("stage_attempt_id").references(
      () => stageAttempts.id,
      {
        onDelete: "cascade",
      },
    ),
    name: text("name").notNull(),
    artifactType: text("artifact_type").notNull(),
    /** The GitHub artifact and the file in it: `<artifact id>/<file>`. */
    storagePath: text("storage_path").notNull(),
    contentType: text("content_type").notNull(),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    expiresAt: at("expires_at").notNull(),
    sourcePhase: text("source_phase"),
    createdAt: at("created_at").notNull(),
  },
  (t) => [index("artifacts_run_idx").on(t.runId)],
);

/** AgentConfiguration: the agent set-up a run started with. */
export const agentConfigurations = pgTable("agent_configurations", {
  id: uuid("id").primaryKey(),
  runId: uuid("run_id")
    .notNull()
    .unique()
    .references(() => runs.id, { onDelete: "cascade" }),
  agentBackend: text("agent_backend").notNull(),
  agentVersion: text("agent_version"),
  promptPackVersion: text("prompt_pack_version").notNull(),
  runtimeEnv: jsonb("runtime_env").notNull(),
  createdAt: at("created_at").notNull(),
});

/** Webhook deliveries already acted on, by `X-GitHub-Delivery`. */
export const webhookDeliveries = pgTable("webhook_deliveries", {
  deliveryId: text("delivery_id").primaryKey(),
  event: text("event").notNull(),
  runId: uuid("run_id"),
  /** What the App answered, for a redelivery to send instead of deciding again. */
  reply: text("reply"),
  receivedAt: at("received_at").notNull(),
});

/**
 * The outbox: effects the engine asked for, written in the same statement
 * as the state that asked for them, performed afterwards, at least once.
 */
export const effects = pgTable(
  "effects",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    payload: jsonb("payload").notNull(),
    /** pending | done | failed */
    status: text("status").notNull(),
    tries: integer("tries").notNull().default(0),
    lastError: text("last_error"),
    /** Not before this time (retry back-off). */
    availableAt: at("available_at").notNull(),
    /** Held by a worker until this time. */
    leasedUntil: at("leased_until"),
    /** The worker holding it; its lease ends early if the worker stops beating. */
    leasedBy: text("leased_by"),
    superseded: boolean("superseded").notNull().default(false),
    /**
     * The run's version the transition that queued it wrote: the effect
     * is performed from the run at that version or a later one.
     */
    runVersion: integer("run_version"),
    createdAt: at("created_at").notNull(),
    completedAt: at("completed_at"),
  },
  (t) => [index("effects_pending_idx").on(t.status, t.availableAt)],
);

/**
 * What happened in each run, as the engine's progress events, written in
 * the transaction of the transition that made them: the dashboard's live
 * feed reads them by id, so a client that reconnects misses nothing.
 */
export const runEvents = pgTable(
  "run_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    /** The progress event's name (`stage_started`, …). */
    event: text("event").notNull(),
    /** The whole progress event. */
    data: jsonb("data").notNull(),
    createdAt: at("created_at").notNull(),
  },
  (t) => [index("run_events_run_idx").on(t.runId, t.id)],
);

/**
 * GitHub requests per installation, counted in time buckets for the pacer
 * (src/github/pacing/): one row per installation, budget and bucket,
 * shared by replicas. Rows older than the longest window are pruned.
 */
export const githubPacing = pgTable(
  "github_pacing",
  {
    installationId: bigint("installation_id", { mode: "number" }).notNull(),
    /** The budget counted (`requests/3600s`, `writes/60s`, …). */
    budget: text("budget").notNull(),
    /** The bucket's index: its start in milliseconds over its length. */
    bucket: bigint("bucket", { mode: "number" }).notNull(),
    count: integer("count").notNull(),
    /** When the bucket ends, for pruning. */
    endsAt: at("ends_at").notNull(),
  },
  (t) => [
    uniqueIndex("github_pacing_bucket_idx").on(
      t.installationId,
      t.budget,
      t.bucket,
    ),
    index("github_pacing_ends_idx").on(t.endsAt),
  ],
);
