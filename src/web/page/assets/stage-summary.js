// @ts-check
// The selected stage: its status and why, its gate, its usage and cost,
// and its controls.

import { h } from "./dom.js";
import { renderFacts } from "./facts.js";
import { renderCost, renderStatus, renderTime } from "./render-values.js";

/** @typedef {import("./types.js").RunDetail} RunDetail */
/** @typedef {import("./types.js").StageView} StageView */

/**
 * @param {RunDetail} run
 * @param {StageView} stage
 * @param {number} now
 * @param {HTMLElement} controls
 */
export function renderStageSummary(run, stage, now, controls) {
  const needs = stage.needs
    .map((id) => run.stages.find((s) => s.id === id)?.name ?? id)
    .join(", ");
  return h(
    "div",
    {},
    h("h2", { id: "stage-heading" }, `Stage: ${stage.name}`),
    renderFacts([
      ["Status", renderStatus(stage.status)],
      ["Why", stage.reason],
      ["Gate", stage.gate && "yes: it waits for approval before it runs"],
      ["Needs", needs],
      [
        "Waiting since",
        stage.waiting_since && renderTime(stage.waiting_since, now),
      ],
      ["Approved by", stage.approved_by && `@${stage.approved_by}`],
      ["Rejected by", stage.rejected_by && `@${stage.rejected_by}`],
      ["Retries", stage.retry_at && renderTime(stage.retry_at, now)],
      ["Usage and cost", renderCost(stage.usage)],
    ]),
    controls,
  );
}
