import { ApiError } from "../http/respond.js";
import { decodeCursor, type RunPosition } from "./cursor.js";
import { RunStatus } from "./schemas.js";

type RunStatusValue = (typeof RunStatus.options)[number];

/** `GET /runs`'s query, checked. */
export interface RunQuery {
  repository?: string;
  status?: RunStatusValue[];
  requestedBy?: string;
  createdAfter?: string;
  createdBefore?: string;
  after?: RunPosition;
  limit: number;
}

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

const KNOWN = new Set([
  "repository",
  "status",
  "requested_by",
  "created_after",
  "created_before",
  "cursor",
  "limit",
]);

/** GitHub's rules for owner and repository names, loosely: no slashes, no spaces. */
const REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
const LOGIN = /^[A-Za-z0-9-]{1,39}(\[bot\])?$/;
const DATE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Reads the query string, or throws a 400 naming the parameter at fault. */
export function parseRunQuery(params: URLSearchParams): RunQuery {
  for (const name of params.keys()) {
    if (!KNOWN.has(name)) {
      throw new ApiError(
        "bad_request",
        `Unknown query parameter \`${name}\`; known: ${[...KNOWN].join(", ")}.`,
        name,
      );
    }
  }
  const query: RunQuery = { limit: parseLimit(one(params, "limit")) };
  const repository = one(params, "repository");
  if (repository !== undefined) {
    if (!REPOSITORY.test(repository)) {
      throw new ApiError(
        "bad_request",
        "`repository` must be `owner/name`.",
        "repository",
      );
    }
    query.repository = repository;
  }
  const status = one(params, "status");
  if (status !== undefined) query.status = parseStatuses(status);
  const requestedBy = one(params, "requested_by");
  if (requestedBy !== undefined) {
    if (!LOGIN.test(requestedBy)) {
      throw new ApiError(
        "bad_request",
        "`requested_by` must be a GitHub login.",
        "requested_by",
      );
    }
    query.requestedBy = requestedBy;
  }
  const after = one(params, "created_after");
  if (after !== undefined)
    query.createdAfter = parseDate(after, "created_after");
  const before = one(params, "created_before");
  if (before !== undefined)
    query.createdBefore = parseDate(before, "created_before");
  if (
    query.createdAfter !== undefined &&
    query.createdBefore !== undefined &&
    query.createdAfter > query.createdBefore
  ) {
    throw new ApiError(
      "bad_request",
      "`created_after` is later than `created_before`: nothing can match.",
      "created_after",
    );
  }
  const cursor = one(params, "cursor");
  if (cursor !== undefined) query.after = decodeCursor(cursor);
  return query;
}

/** A parameter given once (twice is a mistake worth saying). */
function one(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) {
    throw new ApiError(
      "bad_request",
      `\`${name}\` is given ${values.length} times; give it once${name === "status" ? " (several statuses: separate them with commas)" : ""}.`,
      name,
    );
  }
  return values[0];
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > MAX_LIMIT) {
    throw new ApiError(
      "bad_request",
      `\`limit\` must be a whole number from 1 to ${MAX_LIMIT}, not '${raw.slice(0, 20)}'.`,
      "limit",
    );
  }
  return limit;
}

function parseStatuses(raw: string): RunStatusValue[] {
  const statuses = raw.split(",").map((s) => s.trim());
  for (const status of statuses) {
    if (!(RunStatus.options as readonly string[]).includes(status)) {
      throw new ApiError(
        "bad_request",
        `\`status\` '${status.slice(0, 30)}' is not a run status; one of ${RunStatus.options.join(", ")}.`,
        "status",
      );
    }
  }
  return [...new Set(statuses)] as RunStatusValue[];
}

function parseDate(raw: string, field: string): string {
  const time = Date.parse(raw);
  if (!DATE.test(raw) || Number.isNaN(time)) {
    throw new ApiError(
      "bad_request",
      `\`${field}\` must be a date or time in ISO 8601 (2026-12-05 or 2026-12-05T10:00:00Z), not '${raw.slice(0, 40)}'.`,
      field,
    );
  }
  return new Date(time).toISOString();
}
