// @ts-check
// The runs list's filter form and sort choice.

import { h } from "./dom.js";
import { describeStatus, RUN_STATUSES } from "./status-text.js";

/** @typedef {import("./list-query.js").ListQuery} ListQuery */
/** @typedef {import("./list-query.js").SortKey} SortKey */

/** @type {[string, string][]} */
const SORTS = [
  ["started:desc", "Newest first"],
  ["started:asc", "Oldest first"],
  ["duration:desc", "Longest first"],
  ["duration:asc", "Shortest first"],
  ["cost:desc", "Most expensive first"],
  ["cost:asc", "Cheapest first"],
  ["status:asc", "Status, A to Z"],
  ["status:desc", "Status, Z to A"],
  ["repository:asc", "Repository, A to Z"],
  ["repository:desc", "Repository, Z to A"],
];

/** The API's names for the filters (its 400 names one) → the form's ids. */
const FIELD_IDS = /** @type {Record<string, string>} */ ({
  repository: "filter-repository",
  status: "filter-status",
  requested_by: "filter-requested-by",
  created_after: "filter-from",
  created_before: "filter-to",
});

/**
 * @param {string} id
 * @param {string} label
 * @param {HTMLElement} control
 */
function field(id, label, control) {
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

/**
 * @param {ListQuery} query
 * @param {{ onApply: (filters: Omit<ListQuery, "sort" | "order">) => void,
 *           onSort: (sort: SortKey, order: "asc" | "desc") => void }} handlers
 */
export function renderFilters(query, handlers) {
  const text = (/** @type {string} */ id, /** @type {string} */ value) =>
    h("input", {
      id,
      type: "text",
      value,
      autocomplete: "off",
      spellcheck: "false",
    });
  const repository = text("filter-repository", query.repository);
  repository.placeholder = "owner/repo";
  const requestedBy = text("filter-requested-by", query.requested_by);
  requestedBy.placeholder = "login";
  const from = h("input", {
    id: "filter-from",
    type: "date",
    value: query.from,
  });
  const to = h("input", { id: "filter-to", type: "date", value: query.to });
  const statuses = RUN_STATUSES.map((status) =>
    h(
      "label",
      { class: "check" },
      h("input", {
        type: "checkbox",
        name: "status",
        value: status,
        checked: query.status.includes(status),
      }),
      ` ${describeStatus(status).text}`,
    ),
  );
  const sort = h(
    "select",
    { id: "sort" },
    ...SORTS.map(([value, label]) =>
      h(
        "option",
        { value, selected: value === `${query.sort}:${query.order}` },
        label,
      ),
    ),
  );
  sort.addEventListener("change", () => {
    const [key, order] = sort.value.split(":");
    handlers.onSort(
      /** @type {SortKey} */ (key),
      order === "asc" ? "asc" : "desc",
    );
  });

  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter runs" },
    field("filter-repository", "Repository", repository),
    h(
      "fieldset",
      { id: "filter-status", class: "statuses" },
      h("legend", {}, "Status"),
      ...statuses,
    ),
    field("filter-requested-by", "Requested by", requestedBy),
    field("filter-from", "Created from", from),
    field("filter-to", "Created until", to),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit" }, "Apply filters"),
      h("a", { href: "/specwright/" }, "Clear"),
    ),
    field("sort", "Sort by", sort),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    handlers.onApply({
      repository: repository.value.trim(),
      status: [...form.querySelectorAll("input[name=status]:checked")].map(
        (box) => /** @type {HTMLInputElement} */ (box).value,
      ),
      requested_by: requestedBy.value.trim().replace(/^@/, ""),
      from: from.value,
      to: to.value,
    });
  });
  return form;
}

/**
 * Marks the filter the API refused (a 400 names it), or clears the marks.
 * @param {HTMLFormElement} form
 * @param {string | undefined} apiField
 */
export function markInvalidFilter(form, apiField) {
  for (const el of form.querySelectorAll("[aria-invalid]")) {
    el.removeAttribute("aria-invalid");
  }
  const id = apiField === undefined ? undefined : FIELD_IDS[apiField];
  if (id) form.querySelector(`#${id}`)?.setAttribute("aria-invalid", "true");
}
