// @ts-check
// The run page's header: what the run is, where it lives on GitHub, how
// it stands, what it cost, whether it is held, what went wrong.

import { h, safeHref } from "./dom.js";
import { renderFacts } from "./facts.js";
import { formatDuration } from "./format.js";
import { renderCost, renderStatus, renderTime } from "./render-values.js";

/** @typedef {import("./types.js").RunDetail} RunDetail */

/**
 * A link when the address is a web address, else the text alone.
 * @param {string | null} url
 * @param {string} text
 */
export function linkOrText(url, text) {
  const href = safeHref(url);
  return href ? h("a", { href }, text) : text;
}

/**
 * @param {RunDetail} run
 * @param {number} now
 */
export function renderRunHeader(run, now) {
  const links = run.links;
  return h(
    "header",
    { class: "run-header" },
    h("h1", {}, run.feature),
    renderFacts([
      ["Status", renderStatus(run.status)],
      ["Repository", linkOrText(links.repository, run.repository)],
      ["Workflow", run.workflow],
      ["Requested by", `@${run.requested_by}`],
      [
        "Branch",
        linkOrText(links.branch, `${run.branch} (from ${run.base_branch})`),
      ],
      [
        "Pull request",
        run.pull_request_number !== null &&
          linkOrText(links.pull_request, `#${run.pull_request_number}`),
      ],
      [
        "Issue",
        run.issue_number !== null &&
          linkOrText(links.issue, `#${run.issue_number}`),
      ],
      ["Created", renderTime(run.created_at, now)],
      ["Started", run.started_at && renderTime(run.started_at, now)],
      ["Completed", run.completed_at && renderTime(run.completed_at, now)],
      ["Duration", formatDuration(run.duration_ms)],
      ["Usage and cost", renderCost(run.usage)],
      ["Spec folder", run.spec_dir],
    ]),
    run.hold &&
      h(
        "p",
        { class: "banner hold" },
        h("strong", {}, "On hold. "),
        `@${run.hold.by} put this run on hold `,
        renderTime(run.hold.at, now),
        ": nothing new starts until someone unholds it.",
      ),
    run.result_summary && h("p", { class: "summary" }, run.result_summary),
    run.problems.length > 0 &&
      h(
        "section",
        { class: "problems", "aria-labelledby": "problems-heading" },
        h("h2", { id: "problems-heading" }, "Problems"),
        h(
          "ul",
          {},
          ...run.problems.map((problem) =>
            h(
              "li",
              {},
              h("span", { class: "kind" }, problem.kind),
              problem.stage && ` (${problem.stage})`,
              ": ",
              problem.message,
              " ",
              renderTime(problem.at, now),
            ),
          ),
        ),
      ),
  );
}
