import { Redis } from "ioredis";
import type { RunEventFeed } from "../run-event-feed.js";
import {
  formatRunEventNote,
  parseRunEventNote,
  RESYNC_NOTE,
  RUN_EVENTS_CHANNEL,
  type RunEventNote,
} from "../run-event-note.js";
import type { Store } from "../store.js";
import { errorText, type FeedLog, NoteListeners } from "./listeners.js";

/**
 * Run events from every replica through Redis pub/sub (`REDIS_URL`).
 * A transaction cannot publish to Redis, so this store publishes each
 * committed transition's note after the commit, on one connection, and
 * subscribes on another (a subscribed connection can do nothing else).
 * A replica that stops between its commit and its publish loses that
 * note: the next event of the run, or the page's polling, catches up.
 * When the subscriber comes back after losing Redis, it says `RESYNC_NOTE`.
 */
export async function subscribeOnRedis(options: {
  store: Store;
  redisUrl: string;
  log?: FeedLog | undefined;
  /** Names the connections (`CLIENT SETNAME`), to tell them apart on the server. */
  connectionName?: string | undefined;
}): Promise<RunEventFeed> {
  const { store, redisUrl, log } = options;
  const name = options.connectionName ?? "specwright-run-events";
  const listeners = new NoteListeners(log);
  const publisher = new Redis(redisUrl, { connectionName: `${name}-pub` });
  // Subscribing again is done here rather than by ioredis, so that the
  // resync note is said only once the subscription is back.
  const subscriber = new Redis(redisUrl, {
    connectionName: `${name}-sub`,
    autoResubscribe: false,
  });
  const warn = (what: string) => (error: unknown) =>
    log?.warn(`specwright: ${what} (${errorText(error)}).`);
  publisher.on(
    "error",
    warn("the Redis connection publishing run events failed"),
  );
  subscriber.on(
    "error",
    warn("the Redis connection receiving run events failed"),
  );

  subscriber.on("message", (channel: string, payload: string) => {
    if (channel !== RUN_EVENTS_CHANNEL) return;
    const note = parseRunEventNote(payload);
    if (note) listeners.emit(note);
  });
  let subscribed = false;
  subscriber.on("ready", () => {
    if (!subscribed) return;
    subscriber
      .subscribe(RUN_EVENTS_CHANNEL)
      .then(
        () => listeners.emit(RESYNC_NOTE),
        warn("could not subscribe to run events on Redis again"),
      );
  });
  try {
    await subscriber.subscribe(RUN_EVENTS_CHANNEL);
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw new Error(
      `specwright: could not subscribe to run events on Redis: ${errorText(error)}`,
      { cause: error },
    );
  }
  subscribed = true;

  const publish = (note: RunEventNote) => {
    publisher
      .publish(RUN_EVENTS_CHANNEL, formatRunEventNote(note))
      .catch(warn(`could not publish run ${note.runId}'s events on Redis`));
  };
  const stopPublishing = store.onEventsCommitted(publish);
  return {
    subscribe: (listener) => listeners.add(listener),
    async close() {
      stopPublishing();
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}
