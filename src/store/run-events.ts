import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import type { ProgressEvent } from "../engine/progress/progress-event.js";
import { commentGateCommands } from "../engine/progress/progress-event.js";
import { progressEvents } from "../engine/progress/progress-events.js";
import type { RunState } from "../engine/run-state.js";
import type { Database, Tx } from "./database.js";
import {
  formatRunEventNote,
  RUN_EVENTS_CHANNEL,
  type RunEventNote,
} from "./run-event-note.js";
import * as schema from "./schema.js";

/** A run's event as the store keeps it: its id orders the run's events. */
export interface StoredRunEvent {
  id: number;
  event: ProgressEvent;
}

/** A change of a run, as `recordRunEvents` needs it. */
export interface RunChange {
  before: RunState;
  after: RunState;
  /** The engine event's time. */
  at: string;
  now: string;
}

/**
 * Writes in `tx` the progress events between two states of a run, and
 * asks PostgreSQL to notify `specwright_run_events` when `tx` commits
 * (a rolled-back transaction notifies nobody). Runs on GitHub are
 * approved and rejected with comment commands, so `gate_waiting` says
 * those. The note it returns is for feeds that are told after the
 * commit instead (Redis); undefined when nothing happened.
 *
 * Within one run, ids grow in commit order: every transition holds the
 * run's row lock (or created the row) until it commits.
 */
export async function recordRunEvents(
  tx: Tx,
  change: RunChange,
): Promise<RunEventNote | undefined> {
  const events = progressEvents(change.before, change.after, {
    at: change.at,
    gateCommands: commentGateCommands,
  });
  if (events.length === 0) return undefined;
  const inserted = await tx
    .insert(schema.runEvents)
    .values(
      events.map((event) => ({
        runId: change.after.id,
        event: event.event,
        data: event,
        createdAt: change.now,
      })),
    )
    .returning({ id: schema.runEvents.id });
  const note = {
    runId: change.after.id,
    id: Math.max(...inserted.map((row) => row.id)),
  };
  await tx.execute(
    sql`select pg_notify(${RUN_EVENTS_CHANNEL}, ${formatRunEventNote(note)})`,
  );
  return note;
}

/** A run's events after `afterId` (all with null), oldest first, at most `limit`. */
export async function runEventsAfter(
  db: Database,
  runId: string,
  afterId: number | null,
  limit = 1000,
): Promise<StoredRunEvent[]> {
  const rows = await db
    .select({ id: schema.runEvents.id, data: schema.runEvents.data })
    .from(schema.runEvents)
    .where(
      and(
        eq(schema.runEvents.runId, runId),
        afterId === null ? undefined : gt(schema.runEvents.id, afterId),
      ),
    )
    .orderBy(asc(schema.runEvents.id))
    .limit(limit);
  return rows.map((row) => ({ id: row.id, event: row.data as ProgressEvent }));
}

/** The id of a run's latest event, or null when it has none. */
export async function latestRunEventId(
  db: Database | Tx,
  runId: string,
): Promise<number | null> {
  const [row] = await db
    .select({ id: schema.runEvents.id })
    .from(schema.runEvents)
    .where(eq(schema.runEvents.runId, runId))
    .orderBy(desc(schema.runEvents.id))
    .limit(1);
  return row?.id ?? null;
}
