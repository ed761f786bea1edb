import { and, desc, eq, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import type { Usage } from "../contracts/stage-result.js";
import type { RunStatus } from "../engine/run-state.js";
import type { Database } from "./database.js";
import { iso } from "./run-rows.js";
import * as schema from "./schema.js";

/** Which runs to list. Every given condition must hold. */
export interface RunListFilter {
  /**
   * The repositories (`owner/repo`) whose runs the reader may see: runs of
   * any other are left out. An empty list means none; absent, all.
   */
  repositories?: readonly string[];
  /** One repository (`owner/repo`). */
  repository?: string;
  /** Any of these statuses (an empty list matches nothing). */
  status?: readonly RunStatus[];
  /** The login that requested the run, exactly as GitHub sent it. */
  requestedBy?: string;
  /** Created at or after this time (ISO 8601). */
  createdAfter?: string;
  /** Created before this time (ISO 8601). */
  createdBefore?: string;
}

/** A page of the list: the runs after `after` (the previous page's last row). */
export interface RunListPage {
  after?: { createdAt: string; id: string };
  limit: number;
}

/** A row of the runs list: columns of `runs`, never its state document. */
export interface RunListRow {
  id: string;
  owner: string;
  repo: string;
  /** GitHub's id of the repository; null in runs stored before it was kept. */
  repositoryId: number | null;
  issueNumber: number | null;
  feature: string;
  status: RunStatus;
  currentStage: string | null;
  requestedBy: string;
  branch: string;
  pullRequestNumber: number | null;
  /** ISO 8601, as `after.createdAt` takes it back. */
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  /** Summed over every attempt; a field is absent when none reported it. */
  usage: Usage;
}

const NOTHING = { rows: [] as RunListRow[], hasMore: false };

/**
 * Runs newest first, by creation time then id (so runs created at the
 * same instant still have one order), a page at a time: keyset
 * pagination, reading one row more than asked to know if there are more.
 */
export async function listRuns(
  db: Database,
  filter: RunListFilter,
  page: RunListPage,
): Promise<{ rows: RunListRow[]; hasMore: boolean }> {
  const { runs } = schema;
  const conditions: (SQL | undefined)[] = [];
  if (filter.repositories !== undefined) {
    if (filter.repositories.length === 0) return NOTHING;
    const names = filter.repositories.map(splitRepository);
    // Two array parameters whatever the number of repositories.
    conditions.push(
      sql`(${runs.owner}, ${runs.repo}) in (select * from unnest(${sql.param(names.map((n) => n.owner))}::text[], ${sql.param(names.map((n) => n.repo))}::text[]))`,
    );
  }
  if (filter.repository !== undefined) {
    const { owner, repo } = splitRepository(filter.repository);
    conditions.push(eq(runs.owner, owner), eq(runs.repo, repo));
  }
  if (filter.status !== undefined) {
    if (filter.status.length === 0) return NOTHING;
    conditions.push(inArray(runs.status, [...filter.status]));
  }
  if (filter.requestedBy !== undefined)
    conditions.push(eq(runs.requestedBy, filter.requestedBy));
  if (filter.createdAfter !== undefined)
    conditions.push(gte(runs.createdAt, filter.createdAfter));
  if (filter.createdBefore !== undefined)
    conditions.push(lt(runs.createdAt, filter.createdBefore));
  if (page.after !== undefined)
    conditions.push(
      sql`(${runs.createdAt}, ${runs.id}) < (${page.after.createdAt}::timestamptz, ${page.after.id}::uuid)`,
    );

  const rows = await db
    .select({
      id: runs.id,
      owner: runs.owner,
      repo: runs.repo,
      repositoryId: runs.repositoryId,
      issueNumber: runs.issueNumber,
      feature: runs.requestedSpecInput,
      status: runs.status,
      currentStage: runs.currentStage,
      requestedBy: runs.requestedBy,
      branch: runs.branchName,
      pullRequestNumber: runs.pullRequestNumber,
      createdAt: runs.createdAt,
      startedAt: runs.startedAt,
      completedAt: runs.completedAt,
      inputTokens: runs.inputTokens,
      outputTokens: runs.outputTokens,
      turns: runs.turns,
      costUsd: runs.costUsd,
    })
    .from(runs)
    .where(and(...conditions))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(page.limit + 1);

  return {
    rows: rows
      .slice(0, page.limit)
      .map(({ inputTokens, outputTokens, turns, costUsd, ...row }) => ({
        ...row,
        status: row.status as RunStatus,
        branch: row.branch ?? "",
        createdAt: iso(row.createdAt),
        startedAt: iso(row.startedAt),
        completedAt: iso(row.completedAt),
        usage: usageOf({ inputTokens, outputTokens, turns, costUsd }),
      })),
    hasMore: rows.length > page.limit,
  };
}

/**
 * Every repository with runs, as `owner/repo`, sorted. A skip scan of the
 * (owner, repo, …) index, one probe per repository, so the time grows
 * with the number of repositories rather than of runs.
 */
export async function distinctRepositories(db: Database): Promise<string[]> {
  const result = (await db.execute(sql`
    with recursive repository as (
      (select owner, repo from runs order by owner, repo limit 1)
      union all
      select next.owner, next.repo from repository, lateral (
        select owner, repo from runs
        where (owner, repo) > (repository.owner, repository.repo)
        order by owner, repo limit 1
      ) as next
    )
    select owner, repo from repository`)) as {
    rows: { owner: string; repo: string }[];
  };
  return result.rows.map((row) => `${row.owner}/${row.repo}`);
}

/** `owner/repo` split at its first slash (a name without one matches no run). */
function splitRepository(name: string): { owner: string; repo: string } {
  const slash = name.indexOf("/");
  return slash < 0
    ? { owner: name, repo: "" }
    : { owner: name.slice(0, slash), repo: name.slice(slash + 1) };
}

function usageOf(columns: {
  inputTokens: number | null;
  outputTokens: number | null;
  turns: number | null;
  costUsd: number | null;
}): Usage {
  return {
    ...(columns.inputTokens === null
      ? {}
      : { input_tokens: columns.inputTokens }),
    ...(columns.outputTokens === null
      ? {}
      : { output_tokens: columns.outputTokens }),
    ...(columns.turns === null ? {} : { turns: columns.turns }),
    ...(columns.costUsd === null ? {} : { cost_usd: columns.costUsd }),
  };
}
