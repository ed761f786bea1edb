// @ts-check
// The runs list's table. On a narrow screen the stylesheet stacks each row
// into a card, labelling cells with their `data-label`.

import { h } from "./dom.js";
import { formatDuration } from "./format.js";
import { renderCost, renderStatus, renderTime } from "./render-values.js";

/** @typedef {import("./types.js").RunSummary} RunSummary */
/** @typedef {import("./list-query.js").SortKey} SortKey */

/** @type {[string, SortKey | null][]} */
const COLUMNS = [
  ["Repository", "repository"],
  ["Feature", null],
  ["Status", "status"],
  ["Stage", null],
  ["Requested by", null],
  ["Started", "started"],
  ["Duration", "duration"],
  ["Cost", "cost"],
];

/**
 * @param {RunSummary} run
 * @param {number} now
 */
function renderRow(run, now) {
  const href = `/specwright/runs/${encodeURIComponent(run.id)}`;
  /** @type {[string, (Node | string)[]][]} */
  const cells = [
    ["Status", [renderStatus(run.status)]],
    ["Stage", [run.current_stage ?? "—"]],
    ["Requested by", [`@${run.requested_by}`]],
    ["Started", [renderTime(run.started_at ?? run.created_at, now)]],
    ["Duration", [formatDuration(run.duration_ms)]],
    ["Cost", [renderCost(run.usage)]],
  ];
  return h(
    "tr",
    { "data-run": run.id },
    h("td", { "data-label": "Repository" }, run.repository),
    // The feature names the run: it is the row's header and its link.
    h(
      "th",
      { scope: "row", "data-label": "Feature" },
      h("a", { href }, run.feature),
    ),
    ...cells.map(([label, content]) =>
      h("td", { "data-label": label }, ...content),
    ),
  );
}

/**
 * @param {readonly RunSummary[]} runs already sorted
 * @param {SortKey} sort
 * @param {"asc" | "desc"} order
 * @param {number} now
 */
export function renderRunsTable(runs, sort, order, now) {
  return h(
    "div",
    { class: "table-box" },
    h(
      "table",
      { class: "runs" },
      h("caption", { class: "visually-hidden" }, "Runs"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...COLUMNS.map(([label, key]) =>
            h(
              "th",
              {
                scope: "col",
                "aria-sort":
                  key === sort
                    ? order === "asc"
                      ? "ascending"
                      : "descending"
                    : null,
              },
              label,
            ),
          ),
        ),
      ),
      h("tbody", {}, ...runs.map((run) => renderRow(run, now))),
    ),
  );
}
