import type { RunEvent } from "../../engine/events.js";
import type { InboxEntry } from "../run-folder/index.js";

/** A request from another `specwright` process, as the engine's event. */
export function controlEvent(entry: InboxEntry, at: string): RunEvent | string {
  switch (entry.kind) {
    case "approve":
      return { type: "approve", stage: entry.stage, by: entry.by, at };
    case "reject":
      return {
        type: "reject",
        stage: entry.stage,
        by: entry.by,
        reason: entry.reason,
        at,
      };
    case "cancel":
      return { type: "cancel", by: entry.by, at };
    case "invalid":
      return `ignored ${entry.file} in the run's inbox: ${entry.message}`;
  }
}
