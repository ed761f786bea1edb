// @ts-check
// Small pieces both pages show: a time, a status, a cost.

import { h } from "./dom.js";
import {
  formatCost,
  formatExact,
  formatRelative,
  formatTokens,
} from "./format.js";
import { describeStatus } from "./status-text.js";

/** @typedef {import("./types.js").UsageTotals} UsageTotals */

/**
 * A `<time>` saying "3 minutes ago", with the exact time on hover.
 * @param {string} iso
 * @param {number} now
 */
export function renderTime(iso, now) {
  return h(
    "time",
    { datetime: iso, title: formatExact(iso) },
    formatRelative(iso, now),
  );
}

/**
 * A status as icon and words (never colour alone).
 * @param {import("./types.js").RunStatus | import("./types.js").StageStatus} status
 */
export function renderStatus(status) {
  const { icon, text } = describeStatus(status);
  return h(
    "span",
    { class: `status status-${status}` },
    h("span", { class: "icon", "aria-hidden": "true" }, icon),
    ` ${text}`,
  );
}

/**
 * "$0.42", with the tokens on hover and for screen readers.
 * @param {UsageTotals} usage
 */
export function renderCost(usage) {
  const tokens = formatTokens(usage);
  return h(
    "span",
    { class: "cost" },
    h("span", { title: tokens }, formatCost(usage)),
    h("span", { class: "visually-hidden" }, ` (${tokens})`),
  );
}
