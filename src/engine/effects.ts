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
  | { kind: "open_pull_request" };

export type EffectKind = Effect["kind"];
