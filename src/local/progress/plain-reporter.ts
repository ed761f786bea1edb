import { eventLine } from "./describe-event.js";
import type { Reporter } from "./reporter.js";

/**
 * One line of plain text per event, for logs, pipes and terminals without
 * cursor control (`12:01:03 plan: started (attempt 1)`). No colour.
 */
export function plainReporter(write: (s: string) => void): Reporter {
  return {
    event(e) {
      write(`${eventLine(e)}\n`);
    },
    close() {},
  };
}
