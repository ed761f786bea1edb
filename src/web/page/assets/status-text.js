// @ts-check
// Statuses in words with an icon, so colour is never the only signal.
// The icons are ones common system fonts have (no emoji, no webfont).

/** @typedef {import("./types.js").RunStatus} RunStatus */
/** @typedef {import("./types.js").StageStatus} StageStatus */

/** @type {Record<RunStatus | StageStatus, { icon: string, text: string }>} */
const STATUSES = {
  queued: { icon: "○", text: "queued" },
  in_progress: { icon: "●", text: "in progress" },
  no_changes: { icon: "=", text: "no changes" },
  pending: { icon: "○", text: "pending" },
  dispatched: { icon: "→", text: "dispatched" },
  running: { icon: "●", text: "running" },
  waiting_approval: { icon: "‖", text: "waiting for approval" },
  retrying: { icon: "↻", text: "retrying" },
  succeeded: { icon: "✓", text: "succeeded" },
  failed: { icon: "✗", text: "failed" },
  timed_out: { icon: "◷", text: "timed out" },
  cancelled: { icon: "⊘", text: "cancelled" },
  skipped: { icon: "↷", text: "skipped" },
};

/**
 * @param {RunStatus | StageStatus} status
 */
export function describeStatus(status) {
  return STATUSES[status] ?? { icon: "?", text: String(status) };
}

/**
 * A run still under way: the pages keep watching it.
 * @param {RunStatus} status
 */
export function isRunActive(status) {
  return status === "queued" || status === "in_progress";
}

/** Every run status, in the order the filter lists them. */
export const RUN_STATUSES = /** @type {const} */ ([
  "queued",
  "in_progress",
  "succeeded",
  "failed",
  "no_changes",
  "cancelled",
]);
