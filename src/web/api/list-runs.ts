import { sendJson } from "../http/respond.js";
import type { ApiContext, ApiRequest, RunListRow } from "./api-context.js";
import { encodeCursor } from "./cursor.js";
import { parseRunQuery } from "./parse-run-query.js";
import { durationMs } from "./present-run.js";
import { RunPage, type RunSummary } from "./schemas.js";

/**
 * `GET /runs`: the runs of repositories this person can read, newest
 * first. Which repositories those are is asked of GitHub (cached briefly)
 * among the ones the store has runs for.
 */
export async function listRuns(ctx: ApiContext, request: ApiRequest) {
  const query = parseRunQuery(request.url.searchParams);
  const candidates = await ctx.store.distinctRepositories();
  const readable = await ctx.auth.readableRepositories(
    request.session,
    candidates,
  );
  const { rows, hasMore } = await ctx.store.listRuns(
    {
      repositories: [...readable],
      ...(query.repository === undefined
        ? {}
        : { repository: query.repository }),
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.requestedBy === undefined
        ? {}
        : { requestedBy: query.requestedBy }),
      ...(query.createdAfter === undefined
        ? {}
        : { createdAfter: query.createdAfter }),
      ...(query.createdBefore === undefined
        ? {}
        : { createdBefore: query.createdBefore }),
    },
    { limit: query.limit, ...(query.after ? { after: query.after } : {}) },
  );
  const now = ctx.now();
  // The page ends where the store's did, even when a row is left out below.
  const last = rows.at(-1);
  const shown = await sameRepositories(ctx, request, rows);
  const page: RunPage = {
    runs: shown.map((row) => presentRow(row, ctx.githubWebUrl, now)),
    next_cursor:
      hasMore && last
        ? encodeCursor({ createdAt: last.createdAt, id: last.id })
        : null,
    has_more: hasMore,
  };
  sendJson(request.res, 200, RunPage.parse(page));
}

/**
 * The rows whose repository is still the one of that name: a run kept
 * from a private repository whose name was reused (renamed, transferred,
 * deleted) stays hidden. Asked of the cache `readableRepositories` filled.
 */
async function sameRepositories(
  ctx: ApiContext,
  request: ApiRequest,
  rows: RunListRow[],
): Promise<RunListRow[]> {
  const kept = await Promise.all(
    rows.map(async (row) =>
      row.repositoryId === null ||
      (await ctx.auth.permission(
        request.session,
        row.owner,
        row.repo,
        row.repositoryId,
      )) !== "none"
        ? row
        : undefined,
    ),
  );
  return kept.filter((row): row is RunListRow => row !== undefined);
}

function presentRow(row: RunListRow, webUrl: string, now: Date): RunSummary {
  const html = `${webUrl}/${row.owner}/${row.repo}`;
  return {
    id: row.id,
    repository: `${row.owner}/${row.repo}`,
    issue_number: row.issueNumber,
    feature: row.feature,
    status: row.status,
    current_stage: row.currentStage,
    requested_by: row.requestedBy,
    branch: row.branch,
    pull_request_number: row.pullRequestNumber,
    created_at: row.createdAt,
    started_at: row.startedAt,
    completed_at: row.completedAt,
    duration_ms: durationMs(
      row.startedAt ?? row.createdAt,
      row.completedAt,
      now,
    ),
    usage: row.usage,
    links: {
      repository: html,
      issue:
        row.issueNumber === null ? null : `${html}/issues/${row.issueNumber}`,
      pull_request:
        row.pullRequestNumber === null
          ? null
          : `${html}/pull/${row.pullRequestNumber}`,
      branch: null,
    },
  };
}
