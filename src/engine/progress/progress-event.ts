import type { Usage } from "../../contracts/stage-result.js";
import type { RunStatus } from "../run-state.js";

/**
 * What a run reports as it goes (locally, and to the dashboard), one event per thing that happened
 * (the Workflow Orchestration seed's lifecycle events). Every `at` is a
 * time the run's state recorded, so replaying states replays the same
 * events. Text fields carry untrusted text as it is: printers make it
 * safe with `terminalSafe`, JSON escapes it.
 */
export type ProgressEvent =
  | {
      event: "run_started";
      run_id: string;
      at: string;
      feature: string;
      workflow: string;
      branch: string;
      /** Stage ids, in the workflow's order. */
      stages: string[];
    }
  | {
      event: "stage_started";
      run_id: string;
      at: string;
      stage: string;
      attempt: number;
    }
  | {
      event: "stage_completed";
      run_id: string;
      at: string;
      stage: string;
      /** 0 when the stage ended without an attempt (skipped, a gate). */
      attempt: number;
      status: "succeeded" | "skipped";
      duration_ms: number | null;
      commit: string | null;
      usage: Usage | null;
      /** Why the stage was skipped, or who approved a gate stage. */
      reason?: string;
    }
  | {
      event: "stage_failed";
      run_id: string;
      at: string;
      stage: string;
      /** Null when the stage failed without an attempt (a rejected gate). */
      attempt: number | null;
      status: "failed" | "timed_out" | "cancelled";
      error: string;
      /** The stage waits for an automatic retry. */
      will_retry: boolean;
    }
  | {
      event: "gate_waiting";
      run_id: string;
      at: string;
      stage: string;
      /** The command that approves the stage. */
      approve: string;
      reject: string;
    }
  | {
      event: "run_completed";
      run_id: string;
      at: string;
      status: RunStatus;
      summary: string | null;
      duration_ms: number | null;
    };

export type ProgressEventName = ProgressEvent["event"];

/** The run id people type: its first 8 characters (a uuid's first group). */
export function shortRunId(id: string): string {
  return id.slice(0, 8);
}

/** How people approve and reject a run's waiting stage. */
export type GateCommands = (
  runId: string,
  stage: string,
) => { approve: string; reject: string };

/** The CLI's commands that approve and reject a waiting stage. */
export function gateCommands(
  runId: string,
  stage: string,
  command = "specwright",
): { approve: string; reject: string } {
  const target = `${shortRunId(runId)} ${stage}`;
  return {
    approve: `${command} approve ${target}`,
    reject: `${command} reject ${target}`,
  };
}

/**
 * The comment commands that approve and reject a waiting stage, for runs
 * on GitHub: said on the run's issue or pull request, so no run id.
 */
export function commentGateCommands(
  _runId: string,
  stage: string,
): { approve: string; reject: string } {
  return { approve: `/approve ${stage}`, reject: `/reject ${stage}` };
}
