import type { z } from "zod";
import type {
  ExecutionPath,
  Finding,
  Phase,
  Usage,
} from "../contracts/stage-result.js";
import type { Value } from "../workflow/expressions/values.js";
import type { Spend } from "./budgets.js";
import type { EffectKind } from "./effects.js";
import type { AttemptArtifact } from "./run-state.js";

/** What a stage's collected result contributes to the run. */
export interface CollectedResult {
  status: "succeeded" | "failed";
  execution_path: ExecutionPath;
  selected_skill: string | null;
  agent_version: string | null;
  outputs: Record<string, Value>;
  spec_dir: string | null;
  error_message: string | null;
  phases: z.infer<typeof Phase>[];
  usage: Usage | null;
  findings: Finding[];
  /** The agent's last message, cut to a size a check run can show. */
  final_message: string | null;
  /** The end of the agent's log, when the stage failed. */
  log_tail: string | null;
  /** What the runner's preflight warned about (untrusted text). */
  warnings: string[];
  /** The commit made from the stage's changes, if it changed anything. */
  commit_sha: string | null;
  commit_parent: string | null;
  changed_paths: string[];
  artifacts: AttemptArtifact[];
}

/**
 * Everything that can happen to a run. Events carry `at`, the time they
 * happened, so the engine never reads a clock.
 */
export type RunEvent = { at: string } & (
  | { type: "start" }
  | { type: "branch_created"; sha: string }
  | { type: "branch_failed"; error: string }
  | { type: "tracking_comment_created"; comment_id: number }
  | {
      type: "check_run_created";
      stage: string;
      attempt: number;
      check_run_id: number;
    }
  | {
      type: "stage_dispatched";
      stage: string;
      attempt: number;
      workflow_run_id: number | null;
      workflow_run_url: string | null;
    }
  | { type: "dispatch_failed"; stage: string; attempt: number; error: string }
  | {
      type: "workflow_run_updated";
      stage: string;
      attempt: number;
      workflow_run_id: number;
      workflow_run_url: string;
      status: "queued" | "in_progress" | "completed";
      conclusion: string | null;
    }
  | {
      type: "result_collected";
      stage: string;
      attempt: number;
      result: CollectedResult;
    }
  | {
      type: "result_missing";
      stage: string;
      attempt: number;
      error: string;
      /**
       * The agent did not cause it (the runner was lost, GitHub cancelled
       * the run, no bundle was uploaded): the stage's retry policy applies.
       */
      retryable: boolean;
    }
  | {
      type: "pull_request_opened";
      number: number;
      url: string;
      /** Opened ready because GitHub refused a draft in this repository. */
      draft_refused?: boolean;
    }
  | { type: "tracking_comment_moved"; comment_id: number; number: number }
  | {
      type: "gate_check_run_created";
      stage: string;
      check_run_id: number;
      /** The wait it was made for. */
      waiting_since: string;
    }
  | { type: "approve"; stage: string; by: string }
  | { type: "reject"; stage: string; by: string; reason: string | null }
  /**
   * Runs the stage again, and every stage after it that had already run
   * (`/retry`, `/plan`, a check run's Re-run or Retry button).
   */
  | { type: "rerun"; stage: string; by: string; why: string }
  /**
   * Goes on with a failed or cancelled run from where it stopped
   * (`specwright resume`): what did not finish runs again.
   */
  | { type: "resume"; by: string }
  | { type: "cancel"; by: string }
  | { type: "hold"; by: string }
  | { type: "unhold"; by: string }
  /**
   * What all the repository's runs have spent since the start of the UTC
   * day and month of `at` (the store adds it up; the engine cannot), for
   * the daily and monthly budgets. Sent before the event that may
   * dispatch a stage, when the run's settings have such a budget.
   */
  | { type: "repository_spend"; day: Spend; month: Spend }
  /** Time passed: due retries, stage time limits, gate time limits. */
  | { type: "tick" }
  /** No workflow run ever appeared for a dispatched attempt. */
  | { type: "dispatch_lost"; stage: string; attempt: number }
  /**
   * An effect failed for good: GitHub refused it, or kept failing until the
   * effect runner gave up. The engine decides what that means for the run.
   */
  | {
      type: "effect_failed";
      kind: EffectKind;
      /** The stage and attempt the effect was for, when it was for one. */
      stage: string | null;
      attempt: number | null;
      /** GitHub's message (untrusted text). */
      message: string;
      /** GitHub kept failing (its side, the network, a rate limit) rather than refusing. */
      transient: boolean;
    }
  /**
   * An effect whose lasting failure the run keeps (in `problems`) has now
   * worked: a later update of a check run or of the tracking comment.
   */
  | {
      type: "effect_recovered";
      kind: EffectKind;
      stage: string | null;
      attempt: number | null;
    }
);

export type RunEventType = RunEvent["type"];
