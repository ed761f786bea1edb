import type { ProgressEvent } from "../../engine/progress/progress-event.js";
import type { RunState } from "../../engine/run-state.js";

/**
 * Where a local run's progress goes: the driver hands every event, with
 * the state it came from, to one reporter, and closes it when the run ends
 * or the process is interrupted.
 */
export interface Reporter {
  event(e: ProgressEvent, state: RunState): void;
  /** Finishes the output (a live view shows the cursor again); safe to call twice. */
  close(): void;
}
