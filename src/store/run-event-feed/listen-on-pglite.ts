import type { PGlite } from "@electric-sql/pglite";
import type { RunEventFeed } from "../run-event-feed.js";
import { parseRunEventNote, RUN_EVENTS_CHANNEL } from "../run-event-note.js";
import { type FeedLog, NoteListeners } from "./listeners.js";

/**
 * Run events in one process on embedded PGlite: its own LISTEN, on the
 * store's one connection. PGlite delivers a notification after the
 * transaction that made it commits, as PostgreSQL does.
 */
export async function listenOnPglite(
  pglite: PGlite,
  log?: FeedLog,
): Promise<RunEventFeed> {
  const listeners = new NoteListeners(log);
  const unlisten = await pglite.listen(RUN_EVENTS_CHANNEL, (payload) => {
    const note = parseRunEventNote(payload);
    if (note) listeners.emit(note);
  });
  return {
    subscribe: (listener) => listeners.add(listener),
    async close() {
      // A store closed first has ended the LISTEN with it.
      if (!pglite.closed) await unlisten();
    },
  };
}
