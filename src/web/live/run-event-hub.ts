import type { ServerResponse } from "node:http";
import type { ProgressEvent } from "../../engine/progress/progress-event.js";

/** What the hub reads: the store's events of a run, after an id, oldest first. */
export interface RunEventSource {
  runEventsAfter(
    runId: string,
    afterId: number | null,
    limit?: number,
  ): Promise<{ id: number; event: ProgressEvent }[]>;
}

/** Wake-ups: a run has new events (`runId` "*": anything may have). */
export interface RunEventNotes {
  subscribe(
    listener: (note: { runId: string; id: number }) => void,
  ): () => void;
}

export interface HubOptions {
  /** Comment lines keep proxies from closing an idle stream (default 15 s). */
  heartbeatMs?: number;
  /** A client this far behind is cut off rather than buffered for (default 256 KiB). */
  maxBufferedBytes?: number;
  log?: { warn: (message: string) => void };
  /** Streams one person may hold open at once (default 10). */
  maxPerOwner?: number;
  /** Streams the process holds open at once (default 5,000). */
  maxTotal?: number;
  /**
   * A stream is closed after this long (default 10 minutes): the browser
   * reconnects, through the access check again, from its last event.
   */
  maxLifetimeMs?: number;
}

/** Who holds a stream, and whether they still may. */
export interface StreamOwner {
  /** One key per person (or session): the per-owner limit counts by it. */
  key: string;
  /** False once the session is over (signed out, refused by GitHub, expired). */
  stillAllowed: () => boolean;
}

interface Connection {
  res: ServerResponse;
  runId: string;
  lastId: number | null;
  owner: StreamOwner | undefined;
  openedAt: number;
}

const PAGE = 500;

/**
 * The App's Server-Sent Events, one hub per process. The store is the
 * source of truth: a notification only says "look", and each run's events
 * are read once per wake-up for all its watchers, each of which gets what
 * comes after its own last id — so a reconnect with `Last-Event-ID` or a
 * missed notification loses nothing. A client that stops reading is cut
 * off once its buffer passes the limit: a slow browser never holds the App.
 */
export class RunEventHub {
  private readonly watchers = new Map<string, Set<Connection>>();
  /** Runs being read now, and whether another wake-up came meanwhile. */
  private readonly pumping = new Map<string, boolean>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private readonly maxBuffered: number;

  constructor(
    private readonly source: RunEventSource,
    notes: RunEventNotes,
    private readonly options: HubOptions = {},
  ) {
    this.maxBuffered = options.maxBufferedBytes ?? 256 * 1024;
    this.unsubscribe = notes.subscribe((note) => this.wake(note.runId));
    this.heartbeat = setInterval(
      () => this.beat(),
      options.heartbeatMs ?? 15_000,
    );
    this.heartbeat.unref();
  }

  /** Open connections (for tests and the benchmark). */
  get size(): number {
    let count = 0;
    for (const set of this.watchers.values()) count += set.size;
    return count;
  }

  /**
   * Whether another stream may open for this owner: false past the
   * per-owner or the process's limit (nothing is written then).
   */
  admits(owner: StreamOwner | undefined): boolean {
    if (this.size >= (this.options.maxTotal ?? 5000)) return false;
    if (owner === undefined) return true;
    let held = 0;
    for (const set of this.watchers.values()) {
      for (const connection of set) {
        if (connection.owner?.key === owner.key) held++;
      }
    }
    return held < (this.options.maxPerOwner ?? 10);
  }

  /**
   * Streams a run's events after `lastEventId` to this response until the
   * run completes, the client goes, the owner's session ends or the
   * stream's lifetime is over. `ended`: the run has already ended, so the
   * stream closes once it has caught up. Ask `admits` first.
   */
  open(
    res: ServerResponse,
    runId: string,
    lastEventId: number | null,
    ended: boolean,
    owner?: StreamOwner,
  ): void {
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      Connection: "keep-alive",
      // Nginx and friends: pass each event on at once.
      "X-Accel-Buffering": "no",
    });
    res.write("retry: 3000\n\n");
    const connection: Connection = {
      res,
      runId,
      lastId: lastEventId,
      owner,
      openedAt: Date.now(),
    };
    let set = this.watchers.get(runId);
    if (!set) {
      set = new Set();
      this.watchers.set(runId, set);
    }
    set.add(connection);
    res.on("close", () => this.drop(connection));
    // Catch up now: what happened before the client came (or while it was away).
    void this.pump(runId).then(() => {
      if (ended && this.watchers.get(runId)?.has(connection)) {
        this.finish(connection);
      }
    });
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const set of this.watchers.values()) {
      for (const connection of set) this.finish(connection);
    }
  }

  private wake(runId: string): void {
    if (runId === "*") {
      for (const id of this.watchers.keys()) void this.pump(id);
    } else if (this.watchers.has(runId)) {
      void this.pump(runId);
    }
  }

  /** Reads the run's new events once and hands each watcher what it lacks. */
  private async pump(runId: string): Promise<void> {
    if (this.pumping.has(runId)) {
      this.pumping.set(runId, true);
      return;
    }
    this.pumping.set(runId, false);
    try {
      do {
        this.pumping.set(runId, false);
        await this.deliver(runId);
      } while (this.pumping.get(runId) === true);
    } catch (error) {
      this.options.log?.warn(
        `specwright: could not read the events of run ${runId}: ${(error as Error).message}`,
      );
    } finally {
      this.pumping.delete(runId);
    }
  }

  private async deliver(runId: string): Promise<void> {
    for (;;) {
      const set = this.watchers.get(runId);
      if (!set || set.size === 0) return;
      const from = Math.min(...[...set].map((c) => c.lastId ?? 0));
      const events = await this.source.runEventsAfter(runId, from, PAGE);
      for (const connection of this.watchers.get(runId) ?? []) {
        for (const { id, event } of events) {
          if (connection.lastId !== null && id <= connection.lastId) continue;
          this.send(connection, id, event);
          if (event.event === "run_completed") {
            this.finish(connection);
            break;
          }
        }
      }
      if (events.length < PAGE) return;
    }
  }

  private send(connection: Connection, id: number, event: ProgressEvent): void {
    const { res } = connection;
    if (res.destroyed) return;
    if (!this.mayGoOn(connection)) {
      this.finish(connection);
      return;
    }
    res.write(
      `id: ${id}\nevent: ${event.event}\ndata: ${JSON.stringify(event)}\n\n`,
    );
    connection.lastId = id;
    this.checkBacklog(connection);
  }

  private beat(): void {
    for (const set of this.watchers.values()) {
      for (const connection of set) {
        if (connection.res.destroyed) continue;
        if (!this.mayGoOn(connection)) {
          this.finish(connection);
          continue;
        }
        connection.res.write(": heartbeat\n\n");
        this.checkBacklog(connection);
      }
    }
  }

  /** The owner's session still holds, and the stream is within its lifetime. */
  private mayGoOn(connection: Connection): boolean {
    const lifetime = this.options.maxLifetimeMs ?? 10 * 60_000;
    return (
      Date.now() - connection.openedAt < lifetime &&
      (connection.owner?.stillAllowed() ?? true)
    );
  }

  /** A client that does not read is let go: its buffer is bounded. */
  private checkBacklog(connection: Connection): void {
    if (connection.res.writableLength > this.maxBuffered) {
      this.options.log?.warn(
        `specwright: an event stream of run ${connection.runId} fell ${connection.res.writableLength} bytes behind; closed it`,
      );
      connection.res.destroy();
      this.drop(connection);
    }
  }

  private finish(connection: Connection): void {
    this.drop(connection);
    if (!connection.res.destroyed) connection.res.end();
  }

  private drop(connection: Connection): void {
    const set = this.watchers.get(connection.runId);
    if (!set) return;
    set.delete(connection);
    if (set.size === 0) this.watchers.delete(connection.runId);
  }
}
