import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../../src/web/api/cursor.js";
import { parseRunQuery } from "../../../src/web/api/parse-run-query.js";
import { ApiError } from "../../../src/web/http/respond.js";

function refusal(query: string): {
  field: string | undefined;
  message: string;
} {
  try {
    parseRunQuery(new URLSearchParams(query));
  } catch (error) {
    if (error instanceof ApiError) {
      expect(error.status).toBe(400);
      return { field: error.field, message: error.message };
    }
    throw error;
  }
  throw new Error(`'${query}' was accepted`);
}

describe("GET /runs's query", () => {
  it("reads every filter", () => {
    const position = {
      createdAt: "2026-12-05T10:00:00.000Z",
      id: "0b5e7a52-9c3e-4f7a-8d1e-2f6a3b4c5d6e",
    };
    expect(
      parseRunQuery(
        new URLSearchParams({
          repository: "acme/web",
          status: "failed,in_progress,failed",
          requested_by: "octocat",
          created_after: "2026-12-01",
          created_before: "2026-12-05T12:00:00Z",
          limit: "50",
          cursor: encodeCursor(position),
        }),
      ),
    ).toEqual({
      repository: "acme/web",
      status: ["failed", "in_progress"],
      requestedBy: "octocat",
      createdAfter: "2026-12-01T00:00:00.000Z",
      createdBefore: "2026-12-05T12:00:00.000Z",
      limit: 50,
      after: position,
    });
    expect(parseRunQuery(new URLSearchParams())).toEqual({ limit: 25 });
  });

  it.each([
    ["repository=acme", "repository", "`repository` must be `owner/name`."],
    [
      "status=done",
      "status",
      "`status` 'done' is not a run status; one of queued, in_progress, succeeded, failed, no_changes, cancelled.",
    ],
    [
      "requested_by=a%20b",
      "requested_by",
      "`requested_by` must be a GitHub login.",
    ],
    [
      "created_after=yesterday",
      "created_after",
      "`created_after` must be a date or time in ISO 8601 (2026-12-05 or 2026-12-05T10:00:00Z), not 'yesterday'.",
    ],
    [
      "created_after=2026-12-05&created_before=2026-12-01",
      "created_after",
      "`created_after` is later than `created_before`: nothing can match.",
    ],
    [
      "limit=0",
      "limit",
      "`limit` must be a whole number from 1 to 100, not '0'.",
    ],
    [
      "limit=101",
      "limit",
      "`limit` must be a whole number from 1 to 100, not '101'.",
    ],
    [
      "limit=2.5",
      "limit",
      "`limit` must be a whole number from 1 to 100, not '2.5'.",
    ],
    [
      "cursor=!!",
      "cursor",
      "`cursor` is not a cursor this API gave out: pass `next_cursor` from the previous page as it is.",
    ],
    [
      "status=failed&status=queued",
      "status",
      "`status` is given 2 times; give it once (several statuses: separate them with commas).",
    ],
    [
      "sort=cost",
      "sort",
      "Unknown query parameter `sort`; known: repository, status, requested_by, created_after, created_before, cursor, limit.",
    ],
  ])("%s → 400 naming %s", (query, field, message) => {
    expect(refusal(query)).toEqual({ field, message });
  });

  it("refuses a cursor that decodes to something else", () => {
    const forged = [
      Buffer.from("[1,2]").toString("base64url"),
      Buffer.from(JSON.stringify({ c: "x", i: "y" })).toString("base64url"),
      Buffer.from(
        JSON.stringify({ c: "2026-12-05", i: "'; drop table runs" }),
      ).toString("base64url"),
    ];
    for (const cursor of forged) {
      expect(refusal(`cursor=${cursor}`).field).toBe("cursor");
      expect(() => decodeCursor(cursor)).toThrow(ApiError);
    }
  });
});
