// @ts-check
// Sorting the loaded rows on the page (the API returns newest first).

import { describeStatus } from "./status-text.js";

/** @typedef {import("./types.js").RunSummary} RunSummary */
/** @typedef {import("./list-query.js").SortKey} SortKey */

/** @type {Record<SortKey, (run: RunSummary) => number | string | null>} */
const VALUES = {
  started: (run) => Date.parse(run.started_at ?? run.created_at),
  duration: (run) => run.duration_ms,
  cost: (run) => run.usage.cost_usd ?? null,
  status: (run) => describeStatus(run.status).text,
  repository: (run) => run.repository.toLowerCase(),
};

/**
 * A sorted copy; rows without a value (no cost reported) come last either
 * way, and ties keep the API's order.
 * @param {readonly RunSummary[]} runs
 * @param {SortKey} key
 * @param {"asc" | "desc"} order
 * @returns {RunSummary[]}
 */
export function sortRuns(runs, key, order) {
  const value = VALUES[key];
  const sign = order === "asc" ? 1 : -1;
  return runs
    .map((run, index) => ({ run, index, value: value(run) }))
    .sort((a, b) => {
      if (a.value === b.value) return a.index - b.index;
      if (a.value === null) return 1;
      if (b.value === null) return -1;
      return (a.value < b.value ? -1 : 1) * sign;
    })
    .map((entry) => entry.run);
}
