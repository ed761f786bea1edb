import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { RunState } from "../engine/run-state.js";
import type { Database, Tx } from "./database.js";
import { plainSql, rawSql, runSql } from "./plain-sql.js";
import { attemptKey, type RunCache, type StoredRun } from "./run-cache.js";
import { latestRunEventId } from "./run-events.js";
import { rowsToRun } from "./run-rows.js";
import * as schema from "./schema.js";

/** A run's state, or undefined. With `lock`, the row is locked until the transaction ends. */
export async function loadRun(
  db: Tx | Database,
  runId: string,
  lock = false,
): Promise<RunState | undefined> {
  return (await loadStoredRun(db, runId, lock))?.state;
}

/**
 * A run as stored, with its attempts' row ids; with `lock`, its row locked
 * until the transaction ends. With a cache, a run it holds at the row's
 * version is not read again (one look at the version instead of its rows),
 * and one read is kept there. A transition (`forTransition`) takes the
 * cache's run with no look and no lock at all: it finds out at its save
 * whether the run moved on (see `RunCache`).
 */
export async function loadStoredRun(
  db: Tx | Database,
  runId: string,
  lock = false,
  cache?: RunCache,
  forTransition = false,
): Promise<StoredRun | undefined> {
  const trusted = forTransition ? cache?.latest(runId) : undefined;
  if (trusted) return trusted;
  if (cache?.has(runId)) {
    const [row] = await runSql<{ version: number }>(
      db,
      plainSql`select "version" from "runs" where "runs"."id" = ${runId}${rawSql(lock ? " for update" : "")}`,
    );
    if (row === undefined) {
      cache.delete(runId);
      return undefined;
    }
    const cached = cache.at(runId, row.version);
    if (cached) return cached;
  }
  const query = db.select().from(schema.runs).where(eq(schema.runs.id, runId));
  const [row] = lock ? await query.for("update") : await query;
  if (row === undefined) return undefined;
  const attempts = await db
    .select()
    .from(schema.stageAttempts)
    .where(eq(schema.stageAttempts.runId, runId));
  const stored: StoredRun = {
    state: rowsToRun(row, attempts),
    attemptIds: new Map(
      attempts.map((a) => [attemptKey(a.stage, a.attempt), a.id]),
    ),
  };
  cache?.set(stored);
  return stored;
}

/** The run and stage attempt a workflow run belongs to, if it is ours. */
export async function findAttemptByWorkflowRun(
  db: Database,
  workflowRunId: number,
): Promise<{ runId: string; stage: string; attempt: number } | undefined> {
  const [row] = await runSql<{
    run_id: string;
    stage: string;
    attempt: number;
  }>(
    db,
    plainSql`select "run_id", "stage", "attempt" from "stage_attempts" where "stage_attempts"."workflow_run_id" = ${workflowRunId}`,
  );
  return row && { runId: row.run_id, stage: row.stage, attempt: row.attempt };
}

/** Runs for an issue or pull request, newest first. */
export async function findRunsFor(
  db: Database,
  target: { owner: string; repo: string; number: number },
): Promise<RunState[]> {
  const rows = await db
    .select({ id: schema.runs.id })
    .from(schema.runs)
    .where(
      and(
        eq(schema.runs.owner, target.owner),
        eq(schema.runs.repo, target.repo),
        sql`(${schema.runs.issueNumber} = ${target.number} or ${schema.runs.pullRequestNumber} = ${target.number})`,
      ),
    )
    .orderBy(sql`${schema.runs.createdAt} desc`);
  const out: RunState[] = [];
  for (const row of rows) {
    const state = await loadRun(db, row.id);
    if (state) out.push(state);
  }
  return out;
}

/** A run's artifacts, oldest first. */
export function listArtifacts(db: Database, runId: string) {
  return db
    .select()
    .from(schema.artifacts)
    .where(eq(schema.artifacts.runId, runId))
    .orderBy(asc(schema.artifacts.createdAt));
}

/** The agent configuration a run started with. */
export async function agentConfiguration(db: Database, runId: string) {
  const [row] = await db
    .select()
    .from(schema.agentConfigurations)
    .where(eq(schema.agentConfigurations.runId, runId));
  return row;
}

/** Runs still going that something is due in by `now` (a retry, a time limit). */
export async function runsDue(db: Database, now: Date): Promise<string[]> {
  const rows = await db
    .select({ id: schema.runs.id })
    .from(schema.runs)
    .where(
      and(
        inArray(schema.runs.status, ["queued", "in_progress"]),
        lte(schema.runs.nextWakeAt, now.toISOString()),
      ),
    )
    .orderBy(asc(schema.runs.nextWakeAt));
  return rows.map((r) => r.id);
}

/** The ids of the runs still going, oldest first. */
export async function liveRuns(db: Database): Promise<string[]> {
  const rows = await db
    .select({ id: schema.runs.id })
    .from(schema.runs)
    .where(inArray(schema.runs.status, ["queued", "in_progress"]))
    .orderBy(asc(schema.runs.createdAt));
  return rows.map((r) => r.id);
}

/**
 * A run's state and the id of its latest event, such that a stream of
 * its events opened after that id misses nothing the state does not show.
 * The id is read first: an event committed between the two reads is then
 * sent again to a state that already shows it (harmless), never lost.
 */
export async function loadRunWithEventId(
  db: Database,
  runId: string,
): Promise<{ state: RunState; lastEventId: number | null } | undefined> {
  const lastEventId = await latestRunEventId(db, runId);
  const state = await loadRun(db, runId);
  return state === undefined ? undefined : { state, lastEventId };
}
