import type {
  Attempt,
  IssueRef,
  RunSettings,
  RunState,
  StageRun,
} from "../engine/run-state.js";
import { nextWake } from "../engine/timers.js";
import type { StageStatus } from "../workflow/expressions/namespaces.js";
import type { Value } from "../workflow/expressions/values.js";
import type { ParameterValues } from "../workflow/plan/resolve-parameters.js";
import type { Workflow } from "../workflow/schema.js";
import { runSummaryColumns } from "./run-summary-columns.js";
import type { runs, stageAttempts } from "./schema.js";

type RunRow = typeof runs.$inferSelect;
type AttemptRow = typeof stageAttempts.$inferSelect;

/** What of a run lives in its `state` column rather than in columns of its own. */
interface RunDocument {
  /** Absent in runs stored before it was kept. */
  html_url?: string;
  issue: IssueRef | null;
  workflow: Workflow;
  settings: RunSettings;
  parameters: ParameterValues;
  stages: Omit<StageRun, "attempts">[];
  tracking_comment_on: number | null;
  hold: RunState["hold"];
  /** Absent in runs stored before they were kept: false and none. */
  pull_request_draft_refused?: boolean;
  problems?: RunState["problems"];
  /** Absent: not known (no repository budget, or an older run). */
  repository_spend?: RunState["repository_spend"];
}

interface AttemptMetadata {
  outputs: Record<string, Value> | null;
  commit_parent: string | null;
  changed_paths: string[];
  agent_version: string | null;
  phases: Attempt["phases"];
  usage: Attempt["usage"];
  artifacts: Attempt["artifacts"];
  findings: Attempt["findings"];
  final_message: string | null;
  log_tail: string | null;
  /** Absent in attempts stored before they were kept: none. */
  warnings?: string[];
  trigger: string | null;
  cancel_requested: boolean;
  redispatches: number;
  /** Absent in attempts stored before they were kept. */
  cost_estimated?: boolean;
  model?: string | null;
}

export function runToRow(state: RunState, now: string): RunRow {
  const document: RunDocument = {
    ...(state.html_url === undefined ? {} : { html_url: state.html_url }),
    issue: state.issue,
    workflow: state.workflow,
    settings: state.settings,
    parameters: state.parameters,
    stages: state.stages.map(({ attempts: _, ...stage }) => stage),
    tracking_comment_on: state.tracking_comment_on,
    hold: state.hold,
    pull_request_draft_refused: state.pull_request_draft_refused,
    problems: state.problems,
    ...(state.repository_spend === undefined
      ? {}
      : { repository_spend: state.repository_spend }),
  };
  return {
    id: state.id,
    version: state.version,
    installationId: state.installation_id,
    owner: state.owner,
    repo: state.repo,
    repositoryId: state.repository_id ?? null,
    issueNumber: state.issue?.number ?? null,
    externalRef: state.issue
      ? `${state.owner}/${state.repo}#${state.issue.number}`
      : null,
    status: state.status,
    requestedSpecInput: state.feature,
    requestedBy: state.requested_by,
    resultSummary: state.result_summary,
    baseBranch: state.base_branch,
    baseSha: state.base_sha,
    branchName: state.branch,
    headSha: state.head_sha,
    specDir: state.spec_dir,
    pullRequestNumber: state.pull_request?.number ?? null,
    pullRequestUrl: state.pull_request?.url ?? null,
    trackingCommentId: state.tracking_comment_id,
    nextWakeAt: nextWake(state),
    state: document,
    workerHostname: null,
    createdAt: state.created_at,
    startedAt: state.started_at,
    completedAt: state.completed_at,
    updatedAt: now,
    ...runSummaryColumns(state),
  };
}

export function attemptToRow(
  run: Pick<RunState, "id" | "owner" | "repo">,
  stage: string,
  attempt: Attempt,
  id: string,
): AttemptRow {
  const metadata: AttemptMetadata = {
    outputs: attempt.outputs,
    commit_parent: attempt.commit_parent,
    changed_paths: attempt.changed_paths,
    agent_version: attempt.agent_version,
    phases: attempt.phases,
    usage: attempt.usage,
    artifacts: attempt.artifacts,
    findings: attempt.findings,
    final_message: attempt.final_message,
    log_tail: attempt.log_tail,
    warnings: attempt.warnings,
    trigger: attempt.trigger,
    cancel_requested: attempt.cancel_requested,
    redispatches: attempt.redispatches,
    ...(attempt.cost_estimated === undefined
      ? {}
      : { cost_estimated: attempt.cost_estimated }),
    ...(attempt.model === undefined ? {} : { model: attempt.model }),
  };
  return {
    id,
    runId: run.id,
    owner: run.owner,
    repo: run.repo,
    stage,
    attempt: attempt.attempt,
    status: attempt.status,
    baseSha: attempt.base_sha,
    workflowRunId: attempt.workflow_run_id,
    workflowRunUrl: attempt.workflow_run_url,
    checkRunId: attempt.check_run_id,
    conclusion: attempt.conclusion,
    commitSha: attempt.commit_sha,
    executionPath: attempt.execution_path,
    selectedSkill: attempt.selected_skill,
    errorMessage: attempt.error_message,
    metadata,
    inputTokens: attempt.usage?.input_tokens ?? null,
    outputTokens: attempt.usage?.output_tokens ?? null,
    turns: attempt.usage?.turns ?? null,
    costUsd: attempt.usage?.cost_usd ?? null,
    dispatchedAt: attempt.dispatched_at,
    startedAt: attempt.started_at,
    completedAt: attempt.completed_at,
  };
}

/** Timestamps come back from PostgreSQL in its own format; the engine uses ISO 8601. */
export function iso(value: string): string;
export function iso(value: string | null): string | null;
export function iso(value: string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

export function rowsToRun(row: RunRow, attempts: AttemptRow[]): RunState {
  return runFromRow(
    row,
    attempts.map((a) => ({ stage: a.stage, attempt: attemptFromRow(a) })),
  );
}

/** An attempt as its row gives it back. */
export function attemptFromRow(a: AttemptRow): Attempt {
  const metadata = a.metadata as AttemptMetadata;
  return {
    attempt: a.attempt,
    status: a.status as StageStatus,
    base_sha: a.baseSha,
    workflow_run_id: a.workflowRunId,
    workflow_run_url: a.workflowRunUrl,
    check_run_id: a.checkRunId,
    conclusion: a.conclusion,
    commit_sha: a.commitSha,
    commit_parent: metadata.commit_parent,
    changed_paths: metadata.changed_paths,
    execution_path: a.executionPath as Attempt["execution_path"],
    selected_skill: a.selectedSkill,
    agent_version: metadata.agent_version,
    outputs: metadata.outputs,
    error_message: a.errorMessage,
    phases: metadata.phases,
    usage: metadata.usage,
    artifacts: metadata.artifacts,
    findings: metadata.findings,
    final_message: metadata.final_message,
    log_tail: metadata.log_tail,
    warnings: metadata.warnings ?? [],
    trigger: metadata.trigger,
    cancel_requested: metadata.cancel_requested,
    redispatches: metadata.redispatches,
    ...(metadata.cost_estimated === undefined
      ? {}
      : { cost_estimated: metadata.cost_estimated }),
    ...(metadata.model === undefined ? {} : { model: metadata.model }),
    dispatched_at: iso(a.dispatchedAt),
    started_at: iso(a.startedAt),
    completed_at: iso(a.completedAt),
  };
}

/** A run from its row and its attempts (made from theirs, or kept). */
export function runFromRow(
  row: RunRow,
  attempts: { stage: string; attempt: Attempt }[],
): RunState {
  const document = row.state as RunDocument;
  const byStage = new Map<string, Attempt[]>();
  for (const { stage, attempt } of [...attempts].sort(
    (x, y) => x.attempt.attempt - y.attempt.attempt,
  )) {
    const list = byStage.get(stage) ?? [];
    list.push(attempt);
    byStage.set(stage, list);
  }
  return {
    id: row.id,
    version: row.version,
    installation_id: row.installationId,
    owner: row.owner,
    repo: row.repo,
    ...(row.repositoryId === null ? {} : { repository_id: row.repositoryId }),
    ...(document.html_url === undefined ? {} : { html_url: document.html_url }),
    issue: document.issue,
    feature: row.requestedSpecInput,
    requested_by: row.requestedBy,
    status: row.status as RunState["status"],
    result_summary: row.resultSummary,
    base_branch: row.baseBranch,
    base_sha: row.baseSha,
    branch: row.branchName ?? "",
    head_sha: row.headSha,
    spec_dir: row.specDir,
    pull_request:
      row.pullRequestNumber === null
        ? null
        : { number: row.pullRequestNumber, url: row.pullRequestUrl ?? "" },
    pull_request_draft_refused: document.pull_request_draft_refused ?? false,
    problems: document.problems ?? [],
    ...(document.repository_spend === undefined
      ? {}
      : { repository_spend: document.repository_spend }),
    tracking_comment_id: row.trackingCommentId,
    tracking_comment_on: document.tracking_comment_on,
    hold: document.hold,
    workflow: document.workflow,
    settings: document.settings,
    parameters: document.parameters,
    stages: document.stages.map((stage) => ({
      ...stage,
      attempts: byStage.get(stage.id) ?? [],
    })),
    created_at: iso(row.createdAt),
    started_at: iso(row.startedAt),
    completed_at: iso(row.completedAt),
  };
}
