import { and, asc, desc, eq, gt } from "drizzle-orm";
import type { ProgressEvent } from "../engine/progress/progress-event.js";
import { commentGateCommands } from "../engine/progress/progress-event.js";
import { progressEvents } from "../engine/progress/progress-events.js";
import type { RunState } from "../engine/run-state.js";
import type { Database, Tx } from "./database.js";
import type { OneStatement } from "./one-statement.js";
import { insertSql, plainSql } from "./plain-sql.js";
import { RUN_EVENTS_CHANNEL } from "./run-event-note.js";
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
 * Adds to `write` the progress events between two states of a run, with a
 * notice on `specwright_run_events` sent when the statement commits (one
 * undone notifies nobody). Runs on GitHub are approved and rejected with
 * comment commands, so `gate_waiting` says those. The statement gives
 * back the last event's id, for the note told to feeds after the commit
 * instead (Redis).
 *
 * Within one run, ids grow in commit order: the events are numbered only
 * once the statement's guards hold, the run's row updated (see
 * `OneStatement.writeEvents`), and the row stays locked until the
 * statement commits.
 */
export function recordRunEvents(write: OneStatement, change: RunChange): void {
  const events = progressEvents(change.before, change.after, {
    at: change.at,
    gateCommands: commentGateCommands,
  });
  if (events.length === 0) return;
  const insert = insertSql(
    schema.runEvents,
    events.map((event) => ({
      runId: change.after.id,
      event: event.event,
      data: event,
      createdAt: change.now,
    })),
  );
  write.writeEvents(plainSql`${insert} returning "id"`, {
    channel: RUN_EVENTS_CHANNEL,
    runId: change.after.id,
  });
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
