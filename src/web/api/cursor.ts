import { ApiError } from "../http/respond.js";

/** Where a page of runs ends: the last run's creation time and id (newest first). */
export interface RunPosition {
  createdAt: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The opaque `next_cursor`: base64url of the position. It only places a
 * page among runs the person may read anyway, so it is not signed; it is
 * checked, so a mangled one is a 400, not a database error.
 */
export function encodeCursor(position: RunPosition): string {
  return Buffer.from(
    JSON.stringify({ c: position.createdAt, i: position.id }),
  ).toString("base64url");
}

export function decodeCursor(cursor: string): RunPosition {
  const bad = new ApiError(
    "bad_request",
    "`cursor` is not a cursor this API gave out: pass `next_cursor` from the previous page as it is.",
    "cursor",
  );
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw bad;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw bad;
  }
  const { c, i } = (value ?? {}) as { c?: unknown; i?: unknown };
  if (
    typeof c !== "string" ||
    typeof i !== "string" ||
    !UUID.test(i) ||
    Number.isNaN(Date.parse(c))
  ) {
    throw bad;
  }
  return { createdAt: new Date(c).toISOString(), id: i };
}
