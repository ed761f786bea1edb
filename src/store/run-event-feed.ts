import { listenOnPglite } from "./run-event-feed/listen-on-pglite.js";
import {
  type Backoff,
  listenOnPostgres,
} from "./run-event-feed/listen-on-postgres.js";
import type { FeedLog } from "./run-event-feed/listeners.js";
import { subscribeOnRedis } from "./run-event-feed/subscribe-on-redis.js";
import type { RunEventNote } from "./run-event-note.js";
import type { Store } from "./store.js";

export { RESYNC_NOTE, type RunEventNote } from "./run-event-note.js";

/**
 * Wake-ups when runs have new events, from whichever App replica wrote
 * them. A note says "look": the events themselves are read from the store
 * by id, so a note lost or repeated loses or repeats nothing. A note with
 * `runId` "*" (`RESYNC_NOTE`) means notes may have been missed: any run
 * may have new events.
 */
export interface RunEventFeed {
  subscribe(listener: (note: RunEventNote) => void): () => void;
  close(): Promise<void>;
}

export interface RunEventFeedOptions {
  store: Store;
  /** The store's PostgreSQL (`DATABASE_URL`): LISTEN/NOTIFY. */
  databaseUrl?: string | undefined;
  /** `REDIS_URL`: Redis pub/sub, preferred when given. */
  redisUrl?: string | undefined;
  log?: FeedLog | undefined;
  /** How the PostgreSQL listener waits between attempts to connect again. */
  backoff?: Backoff | undefined;
}

/**
 * The feed for this deployment: Redis pub/sub when `redisUrl` is given,
 * else PostgreSQL's LISTEN when the store is on PostgreSQL, else the
 * store's embedded PGlite (one process).
 */
export function openRunEventFeed(
  options: RunEventFeedOptions,
): Promise<RunEventFeed> {
  const { store, log } = options;
  if (options.redisUrl)
    return subscribeOnRedis({ store, redisUrl: options.redisUrl, log });
  if (options.databaseUrl)
    return listenOnPostgres({
      databaseUrl: options.databaseUrl,
      log,
      backoff: options.backoff,
    });
  if (store.pglite) return listenOnPglite(store.pglite, log);
  return Promise.reject(
    new Error(
      "specwright: run events need DATABASE_URL (PostgreSQL), REDIS_URL or the embedded store; this store is none of them.",
    ),
  );
}
