import type { z } from "zod";
import type { Config } from "../config/schema.js";
import type {
  ArtifactType,
  ExecutionPath,
  Finding,
  Phase,
  Usage,
} from "../contracts/stage-result.js";
import type { StageStatus } from "../workflow/expressions/namespaces.js";
import type { Value } from "../workflow/expressions/values.js";
import type { ParameterValues } from "../workflow/plan/resolve-parameters.js";
import type { Workflow } from "../workflow/schema.js";
import type { BudgetGate } from "./budget-gate-state.js";
import type { RepositorySpend } from "./budgets.js";
import type { EffectKind } from "./effects.js";

export type RunStatus =
  | "queued"
  | "in_progress"
  | "succeeded"
  | "failed"
  | "no_changes"
  | "cancelled";

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = [
  "succeeded",
  "failed",
  "no_changes",
  "cancelled",
];

/** Stage statuses after which nothing more happens to the stage. */
export const TERMINAL_STAGE_STATUSES: readonly StageStatus[] = [
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
  "skipped",
];

/** A file of an attempt's result bundle (the seeds' AutomationArtifact). */
export interface AttemptArtifact {
  type: ArtifactType;
  name: string;
  size_bytes: number;
  /** Where to find it: `<GitHub artifact id>/<file name>`. */
  storage_path: string;
  expires_at: string;
}

/** One dispatch of a stage (the seeds' SpecAutomationTaskState). */
export interface Attempt {
  attempt: number;
  status: StageStatus;
  /** The branch head the attempt was dispatched against. */
  base_sha: string;
  workflow_run_id: number | null;
  workflow_run_url: string | null;
  check_run_id: number | null;
  /** The workflow run's conclusion once it completed; the result is then being collected. */
  conclusion: string | null;
  commit_sha: string | null;
  /** The branch head the commit was made on (later than `base_sha` when a sibling committed first). */
  commit_parent: string | null;
  changed_paths: string[];
  execution_path: ExecutionPath | null;
  selected_skill: string | null;
  agent_version: string | null;
  outputs: Record<string, Value> | null;
  error_message: string | null;
  phases: z.infer<typeof Phase>[];
  usage: Usage | null;
  /**
   * `usage.cost_usd` is Specwright's estimate from the price table (the
   * agent reported tokens but no cost). Absent in older runs: false.
   */
  cost_estimated?: boolean;
  /**
   * The model the attempt was dispatched with, or the backend's default
   * model as Specwright knows it; null when unknown (`backend: command`).
   */
  model?: string | null;
  /** The result bundle's files, as uploaded by the stage action. */
  artifacts: AttemptArtifact[];
  /** `analyze`'s findings, shown as annotations. */
  findings: Finding[];
  /** The agent's last message (cut), for the check run. */
  final_message: string | null;
  /** The end of the agent's log, kept when the attempt failed. */
  log_tail: string | null;
  /**
   * What the runner's preflight warned about: an untested agent version,
   * Spec Kit without the agent's commands (untrusted text).
   */
  warnings: string[];
  /** Why this attempt was made, when not by the run's own progress. */
  trigger: string | null;
  /** Specwright asked GitHub to cancel the workflow run. */
  cancel_requested: boolean;
  /** How often the dispatch was sent again after it went missing. */
  redispatches: number;
  dispatched_at: string;
  started_at: string | null;
  completed_at: string | null;
}

export interface StageRun {
  id: string;
  status: StageStatus;
  attempts: Attempt[];
  /** The outputs of the attempt that succeeded. */
  outputs: Record<string, Value> | null;
  approved_by: string | null;
  /** Who rejected the stage's gate. */
  rejected_by: string | null;
  waiting_since: string | null;
  /** The check run that shows a gate waiting, with its Approve and Reject buttons. */
  gate_check_run_id: number | null;
  /** When a stage that is `retrying` gets its next attempt. */
  retry_at: string | null;
  /** Why the stage's next attempt is made (set by a retry or re-run). */
  next_trigger: string | null;
  /** The run ended (halted, cancelled) before this stage could: a re-run starts it again. */
  stopped_by_run: boolean;
  /** Why the stage was skipped or failed without an attempt. */
  reason: string | null;
  /**
   * The stage's latest stop at a budget gate, once it had one: while
   * `waiting_approval` with no decision, the stage waits for it, not for a
   * gate of its workflow. Absent in older runs.
   */
  budget_gate?: BudgetGate | null;
}

export interface IssueRef {
  number: number;
  title: string;
  body: string;
  url: string;
}

/** The repository settings a run keeps from its start (the config without the workflow). */
export type RunSettings = Omit<Config, "workflow">;

/** One run of a workflow (the seeds' SpecAutomationRun), as the engine sees it. */
export interface RunState {
  id: string;
  /** Incremented by every transition; guards concurrent writers. */
  version: number;
  installation_id: number;
  owner: string;
  repo: string;
  /**
   * The repository's web address, for links (GitHub Enterprise Server's
   * differs); absent in runs started before it was kept: github.com.
   */
  html_url?: string;
  /**
   * GitHub's id of the repository: a name can be reused after a rename,
   * transfer or deletion, an id cannot. Absent in runs started before it
   * was kept.
   */
  repository_id?: number;
  issue: IssueRef | null;
  /** The feature request text (untrusted). */
  feature: string;
  requested_by: string;
  status: RunStatus;
  result_summary: string | null;
  base_branch: string;
  /** The base branch's head when the feature branch was created. */
  base_sha: string | null;
  /** The feature branch; it exists once `base_sha` is set. */
  branch: string;
  /** The feature branch's head, as Specwright last left it. */
  head_sha: string | null;
  spec_dir: string | null;
  pull_request: { number: number; url: string } | null;
  /**
   * The pull request was opened ready, not as the draft the settings ask
   * for: GitHub refused drafts in the repository (a private repository on
   * GitHub Free or Pro).
   */
  pull_request_draft_refused: boolean;
  /** Effects that failed for good, for people to see and act on. */
  problems: EffectProblem[];
  tracking_comment_id: number | null;
  /**
   * Where the tracking comment lives: null on the issue, else the pull
   * request's number (it moves there once the pull request exists).
   */
  tracking_comment_on: number | null;
  /**
   * The repository's spend across runs, for its daily and monthly budgets:
   * the latest `repository_spend` event's. Absent: not known.
   */
  repository_spend?: RepositorySpend | null;
  /** Automatic advance is stopped (`/hold`) by this person, since then. */
  hold: { by: string; at: string } | null;
  workflow: Workflow;
  settings: RunSettings;
  parameters: ParameterValues;
  stages: StageRun[];
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

/** `approved_by` of a gate approved by its `on_timeout: approve` (no login has a space). */
export const APPROVED_ON_TIMEOUT = "nobody (on_timeout: approve)";

/**
 * An effect that failed for good, kept so the tracking comment and the
 * stage's check run say what failed and what to do. One per effect kind,
 * stage and attempt: the latest failure's message.
 */
export interface EffectProblem {
  kind: EffectKind;
  stage: string | null;
  attempt: number | null;
  /** GitHub's message (untrusted text: neutralise it where it is shown). */
  message: string;
  at: string;
}

export {
  type BudgetGate,
  isBudgetWait,
  waitsAtBudgetGate,
} from "./budget-gate-state.js";
export {
  commitCount,
  currentAttempt,
  findStage,
  isTerminalRun,
  isTerminalStage,
  newAttempt,
  pendingStage,
} from "./stage-runs.js";
