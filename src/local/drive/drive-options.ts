import type { RunState, StageRun } from "../../engine/run-state.js";
import type { RunMetadata, RunPaths } from "../run-folder/index.js";

// What driving a local run is given and what it answers: the contract
// between the driver (drive-run.ts) and whoever shows the run to a person.

/** What a person says to a waiting gate on a terminal. */
export type GateAnswer =
  | { kind: "approve" }
  | { kind: "reject"; reason: string | null }
  | { kind: "wait" };

export interface DriveOptions {
  paths: RunPaths;
  metadata: RunMetadata;
  concurrency: number;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** Who is driving (approvals and cancels are theirs). */
  by: string;
  /** Told of every change of the run (progress). */
  onChange: (before: RunState | null, after: RunState) => void;
  /** Told of something worth a line that is not a change (an ignored request). */
  onNote: (message: string) => void;
  /** On a terminal: asks about a waiting gate. Without it, the run stops there. */
  askGate?:
    | ((stage: StageRun, signal: AbortSignal) => Promise<GateAnswer>)
    | undefined;
  /** Ctrl+C: the run is cancelled, its agents stopped. */
  interrupt: AbortSignal;
  /**
   * A second Ctrl+C: every agent's process group is killed at once and the
   * run, as decided so far, is written; then `stopped` is called (the CLI
   * exits there, without waiting for the stages to wind down).
   */
  stopNow?: { signal: AbortSignal; stopped: () => void } | undefined;
}

/** How driving ended: the run ended, waits for people, or was cancelled here. */
export type DriveEnd = "finished" | "waiting" | "interrupted";
