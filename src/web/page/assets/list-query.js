// @ts-check
// The runs list's view lives in its address: filters and sort are read
// from and written to the query string, so back/forward and a shared link
// show the same view.

import { RUN_STATUSES } from "./status-text.js";

/** @typedef {"started" | "duration" | "cost" | "status" | "repository"} SortKey */
/**
 * @typedef {object} ListQuery
 * @property {string} repository owner/repo, or empty
 * @property {string[]} status
 * @property {string} requested_by
 * @property {string} from the first day shown, YYYY-MM-DD, or empty
 * @property {string} to the last day shown, YYYY-MM-DD, or empty
 * @property {SortKey} sort
 * @property {"asc" | "desc"} order
 */

/** @type {readonly SortKey[]} */
export const SORT_KEYS = [
  "started",
  "duration",
  "cost",
  "status",
  "repository",
];

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * @param {string} search `location.search`
 * @returns {ListQuery}
 */
export function readListQuery(search) {
  const params = new URLSearchParams(search);
  const sort = params.get("sort") ?? "";
  const statuses = (params.get("status") ?? "").split(",");
  return {
    repository: params.get("repository")?.trim() ?? "",
    status: RUN_STATUSES.filter((s) => statuses.includes(s)),
    requested_by: params.get("requested_by")?.trim() ?? "",
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
    sort: SORT_KEYS.find((k) => k === sort) ?? "started",
    order: params.get("order") === "asc" ? "asc" : "desc",
  };
}

/**
 * The query string for a view, leaving out what is the default.
 * @param {ListQuery} query
 */
export function writeListQuery(query) {
  const params = new URLSearchParams();
  if (query.repository) params.set("repository", query.repository);
  if (query.status.length > 0) params.set("status", query.status.join(","));
  if (query.requested_by) params.set("requested_by", query.requested_by);
  if (query.from) params.set("from", query.from);
  if (query.to) params.set("to", query.to);
  if (query.sort !== "started") params.set("sort", query.sort);
  if (query.order !== "desc") params.set("order", query.order);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/**
 * The start of a local day as an ISO time, `days` later; a value that is
 * not a day goes to the API as it is, whose 400 then names the field.
 * @param {string} day
 * @param {number} days
 */
function startOfDay(day, days) {
  const match = DAY.exec(day);
  if (!match) return day;
  const [, y, m, d] = match;
  return new Date(Number(y), Number(m) - 1, Number(d) + days).toISOString();
}

/**
 * The API request for a view's rows (sorting is done on the page).
 * @param {ListQuery} query
 * @param {string | null} cursor
 * @param {number} limit
 */
export function toRunsRequest(query, cursor, limit) {
  const params = new URLSearchParams();
  if (query.repository) params.set("repository", query.repository);
  if (query.status.length > 0) params.set("status", query.status.join(","));
  if (query.requested_by) params.set("requested_by", query.requested_by);
  if (query.from) params.set("created_after", startOfDay(query.from, 0));
  // The last day is included: everything before the next day starts.
  if (query.to) params.set("created_before", startOfDay(query.to, 1));
  if (cursor) params.set("cursor", cursor);
  params.set("limit", String(limit));
  return `runs?${params}`;
}
