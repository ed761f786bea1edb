import type { StageRequest } from "../contracts/stage-request.js";

/**
 * What the engine asks the outside world to do. `src/github/` performs
 * effects and reports back with events; it decides nothing.
 */
export type Effect =
  | { kind: "create_tracking_comment" }
  | { kind: "update_tracking_comment" }
  | { kind: "create_branch" }
  | { kind: "create_check_run"; stage: string; attempt: number }
  | { kind: "update_check_run"; stage: string; attempt: number }
  | {
      kind: "dispatch_stage";
      stage: string;
      attempt: number;
      request: StageRequest;
    }
  | {
      kind: "collect_result";
      stage: string;
      attempt: number;
      workflow_run_id: number;
      conclusion: string;
    }
  | { kind: "open_pull_request" }
  /** Moves the tracking comment to the pull request, leaving a link on the issue. */
  | { kind: "move_tracking_comment" }
  /** Creates the `specwright:*` labels the repository does not have. */
  | { kind: "ensure_labels" }
  | {
      kind: "cancel_workflow_run";
      stage: string;
      attempt: number;
      workflow_run_id: number;
    }
  /** `waiting_since` names the wait the check run is for. */
  | { kind: "create_gate_check_run"; stage: string; waiting_since: string }
  /**
   * Brings a gate's check run up to date: the stage's own, or `check_run_id`
   * (an earlier wait's) which `superseded` closes without buttons. With
   * `approval`, `check_run_id` is the stage's approval, closed with its
   * decision: the stage went on to wait at a budget gate.
   */
  | {
      kind: "update_gate_check_run";
      stage: string;
      check_run_id?: number;
      superseded?: boolean;
      approval?: boolean;
    }
  /**
   * A new comment, for when a person must act or know: a gate waits, a
   * stage failed for good, the run ended. `key` makes it idempotent.
   */
  | { kind: "post_notice"; notice: Notice; key: string };

export type Notice =
  | { type: "gate_waiting"; stage: string }
  | { type: "stage_failed"; stage: string }
  | { type: "run_finished" };

export type EffectKind = Effect["kind"];
