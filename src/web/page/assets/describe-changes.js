// @ts-check
// What changed between two versions of a run, in the short sentences the
// live region reads out ("plan succeeded", "specify is waiting for
// approval").

import { describeStatus } from "./status-text.js";

/** @typedef {import("./types.js").RunDetail} RunDetail */
/** @typedef {import("./types.js").StageStatus} StageStatus */

/** @type {Record<StageStatus, string>} */
const STAGE_NEWS = {
  pending: "is pending",
  dispatched: "was dispatched",
  running: "started",
  waiting_approval: "is waiting for approval",
  retrying: "will be retried",
  succeeded: "succeeded",
  failed: "failed",
  timed_out: "timed out",
  cancelled: "was cancelled",
  skipped: "was skipped",
};

/**
 * @param {RunDetail} before
 * @param {RunDetail} after
 * @returns {string[]}
 */
export function describeChanges(before, after) {
  /** @type {string[]} */
  const news = [];
  for (const stage of after.stages) {
    const was = before.stages.find((s) => s.id === stage.id);
    if (was && was.status !== stage.status) {
      news.push(`${stage.name} ${STAGE_NEWS[stage.status] ?? stage.status}`);
    }
  }
  if (before.hold === null && after.hold !== null)
    news.push("the run is on hold");
  if (before.hold !== null && after.hold === null)
    news.push("the run is no longer on hold");
  if (before.status !== after.status) {
    news.push(`the run is ${describeStatus(after.status).text}`);
  }
  return news;
}
