// @ts-check
// The runs list at /specwright/: filters in the address, rows from
// `GET runs`, "Load more" with the cursor, sorted on the page. While a
// loaded run is under way it asks again every 30 s (not while the tab is
// hidden), updating rows in place and adding new ones on top.

import { ApiError, getJson } from "./api.js";
import { h } from "./dom.js";
import { readListQuery, toRunsRequest, writeListQuery } from "./list-query.js";
import { markInvalidFilter, renderFilters } from "./runs-filters.js";
import { renderRunsTable } from "./runs-table.js";
import { signInHref } from "./session.js";
import { sortRuns } from "./sort-runs.js";
import { isRunActive } from "./status-text.js";

/** @typedef {import("./types.js").RunSummary} RunSummary */
/** @typedef {import("./types.js").RunPage} RunPage */
/** @typedef {import("./list-query.js").ListQuery} ListQuery */

const PAGE_SIZE = 25;

/**
 * @param {HTMLElement} main
 * @param {{ pollMs: number }} options
 */
export function showRunsList(main, options) {
  let query = readListQuery(window.location.search);
  /** @type {RunSummary[]} */
  let runs = [];
  /** @type {string | null} */
  let nextCursor = null;
  /** Answers to an older request (filters changed since) are dropped. */
  let generation = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  const message = h("p", { class: "message", role: "status" });
  const results = h("div", { class: "results" });
  const more = h("button", { type: "button", hidden: true }, "Load more");
  let form = renderForm();
  main.replaceChildren(
    h("h1", {}, "Runs"),
    form,
    message,
    results,
    h("p", { class: "more" }, more),
  );
  document.title = "Runs · Specwright";

  function renderForm() {
    return renderFilters(query, {
      onApply: (filters) => navigate({ ...query, ...filters }),
      onSort: (sort, order) => navigate({ ...query, sort, order }),
    });
  }

  /** @param {ListQuery} next */
  function navigate(next) {
    const before = toRunsRequest(query, null, PAGE_SIZE);
    query = next;
    window.history.pushState(
      null,
      "",
      `${window.location.pathname}${writeListQuery(query)}`,
    );
    if (toRunsRequest(query, null, PAGE_SIZE) === before) renderRows();
    else void load(null);
  }

  window.addEventListener("popstate", () => {
    const before = toRunsRequest(query, null, PAGE_SIZE);
    query = readListQuery(window.location.search);
    const fresh = renderForm();
    form.replaceWith(fresh);
    form = fresh;
    if (toRunsRequest(query, null, PAGE_SIZE) === before) renderRows();
    else void load(null);
  });

  more.addEventListener("click", () => void load(nextCursor));

  function renderRows() {
    const filtered =
      query.repository ||
      query.status.length > 0 ||
      query.requested_by ||
      query.from ||
      query.to;
    if (runs.length === 0) {
      results.replaceChildren();
      message.textContent = filtered
        ? "No runs match these filters."
        : "No runs yet: runs appear here once someone starts one.";
      return;
    }
    message.textContent = `${runs.length} run${runs.length === 1 ? "" : "s"} shown.`;
    results.replaceChildren(
      renderRunsTable(
        sortRuns(runs, query.sort, query.order),
        query.sort,
        query.order,
        Date.now(),
      ),
    );
  }

  /** @param {unknown} error */
  function showError(error) {
    results.replaceChildren();
    more.hidden = true;
    if (error instanceof ApiError && error.status === 401) {
      message.replaceChildren(
        "Sign in to see runs: ",
        h("a", { href: signInHref() }, "Sign in with GitHub"),
        ".",
      );
      return;
    }
    const text = error instanceof Error ? error.message : String(error);
    message.textContent = `The runs could not be loaded. ${text}`;
    markInvalidFilter(
      form,
      error instanceof ApiError && error.status === 400
        ? error.field
        : undefined,
    );
  }

  /** @param {string | null} cursor null for the first page */
  async function load(cursor) {
    const mine = ++generation;
    more.disabled = true;
    if (cursor === null) message.textContent = "Loading runs…";
    try {
      const page = /** @type {RunPage} */ (
        await getJson(toRunsRequest(query, cursor, PAGE_SIZE))
      );
      if (mine !== generation) return;
      markInvalidFilter(form, undefined);
      runs = cursor === null ? page.runs : [...runs, ...page.runs];
      nextCursor = page.has_more ? page.next_cursor : null;
      more.hidden = nextCursor === null;
      renderRows();
      schedule();
    } catch (error) {
      if (mine === generation) showError(error);
    } finally {
      if (mine === generation) more.disabled = false;
    }
  }

  /** Fetches the first page again and merges it into what is shown. */
  async function refresh() {
    const mine = generation;
    const page = /** @type {RunPage} */ (
      await getJson(toRunsRequest(query, null, PAGE_SIZE))
    );
    if (mine !== generation) return;
    const fresh = new Map(page.runs.map((run) => [run.id, run]));
    const known = new Set(runs.map((run) => run.id));
    runs = [
      ...page.runs.filter((run) => !known.has(run.id)),
      ...runs.map((run) => fresh.get(run.id) ?? run),
    ];
    renderRows();
  }

  function schedule() {
    clearTimeout(timer);
    if (!runs.some((run) => isRunActive(run.status))) return;
    timer = setTimeout(async () => {
      if (document.visibilityState === "visible") {
        // A failed refresh leaves the rows as they were; the next try may work.
        await refresh().catch(() => undefined);
      }
      schedule();
    }, options.pollMs);
  }

  void load(null);
}
