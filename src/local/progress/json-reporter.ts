import type { ProgressEventName } from "../../engine/progress/progress-event.js";
import type { Reporter } from "./reporter.js";

/** Each event's fields in the order the type lists them, for stable lines. */
const KEYS: Record<ProgressEventName, readonly string[]> = {
  run_started: ["feature", "workflow", "branch", "stages"],
  stage_started: ["stage", "attempt"],
  stage_completed: [
    "stage",
    "attempt",
    "status",
    "duration_ms",
    "commit",
    "usage",
    "reason",
  ],
  stage_failed: ["stage", "attempt", "status", "error", "will_retry"],
  gate_waiting: ["stage", "approve", "reject"],
  run_completed: ["status", "summary", "duration_ms"],
};

/**
 * One JSON object per line and event (JSON Lines), for scripts and CI:
 * exactly the event's fields, keys always in the same order. JSON escapes
 * control characters, so untrusted text cannot reach a terminal raw.
 */
export function jsonReporter(write: (s: string) => void): Reporter {
  return {
    event(e) {
      const fields = e as unknown as Record<string, unknown>;
      const ordered: Record<string, unknown> = {
        event: e.event,
        run_id: e.run_id,
        at: e.at,
      };
      for (const key of KEYS[e.event]) {
        if (fields[key] !== undefined) ordered[key] = fields[key];
      }
      write(`${JSON.stringify(ordered)}\n`);
    },
    close() {},
  };
}
