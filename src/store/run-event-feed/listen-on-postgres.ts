import pg from "pg";
import type { RunEventFeed } from "../run-event-feed.js";
import {
  parseRunEventNote,
  RESYNC_NOTE,
  RUN_EVENTS_CHANNEL,
} from "../run-event-note.js";
import { errorText, type FeedLog, NoteListeners } from "./listeners.js";

/** How long to wait before connecting again: doubling from `initialMs` up to `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

const BACKOFF: Backoff = { initialMs: 250, maxMs: 10_000 };

/**
 * Run events from every replica sharing one PostgreSQL: a connection of
 * its own (LISTEN holds it; a pooled one would lose it) that comes back
 * when the server drops it, with back-off. Notifications sent while it was
 * away are lost, so after it is back it says `RESYNC_NOTE`: listeners read
 * what they follow again from the store.
 */
export async function listenOnPostgres(options: {
  databaseUrl: string;
  log?: FeedLog | undefined;
  backoff?: Backoff | undefined;
}): Promise<RunEventFeed> {
  const { databaseUrl, log } = options;
  const backoff = options.backoff ?? BACKOFF;
  const listeners = new NoteListeners(log);
  let client: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let delay = backoff.initialMs;

  async function connect(): Promise<void> {
    const next = new pg.Client({
      connectionString: databaseUrl,
      // A peer that vanished without closing (a network cut) is noticed too.
      keepAlive: true,
    });
    next.on("notification", (message) => {
      if (message.channel !== RUN_EVENTS_CHANNEL) return;
      const note = parseRunEventNote(message.payload ?? "");
      if (note) listeners.emit(note);
    });
    next.on("error", (error) => lost(next, error));
    next.on("end", () => lost(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${RUN_EVENTS_CHANNEL}`);
    } catch (error) {
      await next.end().catch(() => {});
      throw error;
    }
    if (closed) {
      await next.end();
      return;
    }
    client = next;
  }

  function lost(which: pg.Client, error?: Error): void {
    if (which !== client || closed) return;
    client = undefined;
    which.end().catch(() => {});
    log?.warn(
      `specwright: the connection listening for run events ended (${error ? errorText(error) : "closed by the server"}); connecting again in ${delay} ms.`,
    );
    reconnectLater();
  }

  function reconnectLater(): void {
    timer = setTimeout(async () => {
      timer = undefined;
      if (closed) return;
      try {
        await connect();
      } catch (error) {
        delay = Math.min(delay * 2, backoff.maxMs);
        log?.warn(
          `specwright: could not listen for run events on PostgreSQL (${errorText(error)}); trying again in ${delay} ms.`,
        );
        reconnectLater();
        return;
      }
      delay = backoff.initialMs;
      if (!closed) listeners.emit(RESYNC_NOTE);
    }, delay);
  }

  try {
    await connect();
  } catch (error) {
    throw new Error(
      `specwright: could not listen for run events on PostgreSQL: ${errorText(error)}`,
      { cause: error },
    );
  }
  return {
    subscribe: (listener) => listeners.add(listener),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const current = client;
      client = undefined;
      await current?.end();
    },
  };
}
