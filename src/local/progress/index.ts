// Progress reporting for local runs (`specwright run`, `specwright runs`):
// events derived from engine states, and the reporters and views that
// print them. Each export lives in its own file.

export {
  gateCommands,
  type ProgressEvent,
  shortRunId,
} from "../../engine/progress/progress-event.js";
export {
  type ProgressContext,
  progressEvents,
} from "../../engine/progress/progress-events.js";
export { formatDuration } from "./format-duration.js";
export { formatClock, formatDateTime } from "./format-time.js";
export { formatUsage, usageParts } from "./format-usage.js";
export { jsonReporter } from "./json-reporter.js";
export { type LiveViewOptions, liveView } from "./live-view.js";
export { plainReporter } from "./plain-reporter.js";
export { renderLiveBlock } from "./render-live-block.js";
export { type RunDetailExtra, renderRunDetail } from "./render-run-detail.js";
export { type RunRow, renderRunsTable } from "./render-runs-table.js";
export type { Reporter } from "./reporter.js";
export { terminalSafe } from "./terminal-safe.js";
