import { EventEmitter } from "node:events";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { ProgressEvent } from "../../../src/engine/progress/progress-event.js";
import { RunEventHub } from "../../../src/web/live/run-event-hub.js";

const RUN = "run-1";

/** A store's events in memory, counting its reads. */
class Events {
  readonly rows: { runId: string; id: number; event: ProgressEvent }[] = [];
  reads = 0;
  private readonly notes = new EventEmitter();

  add(runId: string, event: ProgressEvent, notify = true): number {
    const id = this.rows.length + 1;
    this.rows.push({ runId, id, event });
    if (notify) this.notes.emit("note", { runId, id });
    return id;
  }

  async runEventsAfter(runId: string, afterId: number | null, limit = 500) {
    this.reads++;
    return this.rows
      .filter((r) => r.runId === runId && r.id > (afterId ?? 0))
      .slice(0, limit)
      .map(({ id, event }) => ({ id, event }));
  }

  subscribe(listener: (note: { runId: string; id: number }) => void) {
    this.notes.on("note", listener);
    return () => this.notes.off("note", listener);
  }

  wakeAll(): void {
    this.notes.emit("note", { runId: "*", id: 0 });
  }
}

const started = (stage: string): ProgressEvent => ({
  event: "stage_started",
  run_id: RUN,
  at: "2026-12-05T10:00:00.000Z",
  stage,
  attempt: 1,
});
const completed: ProgressEvent = {
  event: "run_completed",
  run_id: RUN,
  at: "2026-12-05T10:05:00.000Z",
  status: "succeeded",
  summary: null,
  duration_ms: 300_000,
};

let server: Server | undefined;
let hub: RunEventHub | undefined;

afterEach(async () => {
  await hub?.close();
  await new Promise((done) => server?.close(done) ?? done(undefined));
  server = undefined;
});

async function serve(
  events: Events,
  options: {
    ended?: boolean;
    heartbeatMs?: number;
    maxBufferedBytes?: number;
  } = {},
): Promise<string> {
  hub = new RunEventHub(events, events, {
    heartbeatMs: options.heartbeatMs ?? 60_000,
    ...(options.maxBufferedBytes
      ? { maxBufferedBytes: options.maxBufferedBytes }
      : {}),
  });
  const h = hub;
  server = createServer((req, res) => {
    const last = req.headers["last-event-id"];
    h.open(res, RUN, last ? Number(last) : null, options.ended ?? false);
  });
  await new Promise<void>((done) => server?.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** A client reading the stream as text, frame by frame. */
function connect(url: string, lastEventId?: number) {
  const frames: string[] = [];
  let ended = false;
  let buffer = "";
  const waiters: (() => void)[] = [];
  const req = request(url, {
    headers: lastEventId ? { "Last-Event-ID": String(lastEventId) } : {},
  });
  req.on("response", (res) => {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split("\n\n");
      buffer = parts.pop() ?? "";
      frames.push(...parts);
      for (const w of waiters.splice(0)) w();
    });
    res.on("end", () => {
      ended = true;
      for (const w of waiters.splice(0)) w();
    });
  });
  req.end();
  const events = () =>
    frames
      .filter((f) => f.startsWith("id: "))
      .map((f) => {
        const [id, name, data] = f.split("\n");
        return {
          id: Number(id?.slice(4)),
          name: name?.slice(7),
          data: JSON.parse(data?.slice(6) ?? "null") as ProgressEvent,
        };
      });
  return {
    frames,
    events,
    get ended() {
      return ended;
    },
    async until(check: () => boolean): Promise<void> {
      while (!check()) {
        await new Promise<void>((done) => {
          waiters.push(done);
          setTimeout(done, 200);
        });
      }
    },
    close: () => req.destroy(),
  };
}

describe("the run event hub", () => {
  it("sends what came before, then each new event once, with ids and names", async () => {
    const events = new Events();
    events.add(RUN, started("specify"));
    const url = await serve(events);
    const client = connect(url);
    await client.until(() => client.events().length === 1);
    expect(client.frames[0]).toBe("retry: 3000");
    events.add(RUN, started("plan"));
    events.add("another-run", started("x"));
    await client.until(() => client.events().length === 2);
    expect(client.events()).toEqual([
      { id: 1, name: "stage_started", data: started("specify") },
      { id: 2, name: "stage_started", data: started("plan") },
    ]);
  });

  it("a reconnect with Last-Event-ID misses nothing and repeats nothing", async () => {
    const events = new Events();
    for (const stage of ["a", "b", "c"]) events.add(RUN, started(stage));
    const url = await serve(events);
    const client = connect(url, 1);
    await client.until(() => client.events().length === 2);
    expect(client.events().map((e) => e.id)).toEqual([2, 3]);
  });

  it("two watchers of a run share one read per wake-up", async () => {
    const events = new Events();
    const url = await serve(events);
    const one = connect(url);
    const two = connect(url);
    await one.until(() => hub?.size === 2);
    const before = events.reads;
    events.add(RUN, started("specify"));
    await one.until(() => one.events().length === 1);
    await two.until(() => two.events().length === 1);
    expect(events.reads - before).toBe(1);
  });

  it("a missed notification is made up by the next wake-up", async () => {
    const events = new Events();
    const url = await serve(events);
    const client = connect(url);
    await client.until(() => hub?.size === 1);
    events.add(RUN, started("specify"), false);
    events.wakeAll();
    await client.until(() => client.events().length === 1);
  });

  it("ends the stream after run_completed, and at once for a run that had ended", async () => {
    const events = new Events();
    const url = await serve(events);
    const client = connect(url);
    await client.until(() => hub?.size === 1);
    events.add(RUN, completed);
    await client.until(() => client.ended);
    expect(client.events().map((e) => e.name)).toEqual(["run_completed"]);
    expect(hub?.size).toBe(0);
  });

  it("closes a finished run's stream once it has caught up, even without run_completed", async () => {
    const events = new Events();
    events.add(RUN, started("specify"));
    const url = await serve(events, { ended: true });
    const client = connect(url);
    await client.until(() => client.ended);
    expect(client.events()).toHaveLength(1);
  });

  it("sends heartbeats, and forgets a client that goes", async () => {
    const events = new Events();
    const url = await serve(events, { heartbeatMs: 20 });
    const client = connect(url);
    await client.until(() => client.frames.includes(": heartbeat"));
    client.close();
    while ((hub?.size ?? 0) > 0) await new Promise((r) => setTimeout(r, 10));
    expect(hub?.size).toBe(0);
  });

  it("ends a stream at the end of its lifetime, or when its owner's session ends", async () => {
    const events = new Events();
    hub = new RunEventHub(events, events, {
      heartbeatMs: 20,
      maxLifetimeMs: 150,
    });
    const h = hub;
    let allowed = true;
    server = createServer((req, res) => {
      const owner = req.url?.includes("owned")
        ? { key: "alice", stillAllowed: () => allowed }
        : undefined;
      h.open(res, RUN, null, false, owner);
    });
    await new Promise<void>((done) => server?.listen(0, "127.0.0.1", done));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const short = connect(url);
    await short.until(() => short.ended);
    const owned = connect(`${url}owned`);
    await owned.until(() => owned.frames.length > 0);
    allowed = false;
    await owned.until(() => owned.ended);
    expect(h.size).toBe(0);
  });

  it("admits a bounded number of streams per owner and in all", () => {
    const events = new Events();
    const small = new RunEventHub(events, events, {
      maxPerOwner: 0,
      maxTotal: 5,
    });
    expect(small.admits({ key: "alice", stillAllowed: () => true })).toBe(
      false,
    );
    expect(small.admits(undefined)).toBe(true);
    void small.close();
  });

  it("cuts off a client that stops reading once its buffer passes the limit", async () => {
    const events = new Events();
    const url = await serve(events, { maxBufferedBytes: 64 * 1024 });
    // A client that never reads: its socket's buffers fill, then the App's.
    const req = request(url);
    req.on("response", (res) => res.pause());
    req.end();
    while ((hub?.size ?? 0) === 0) await new Promise((r) => setTimeout(r, 10));
    const big = { ...started("x"), stage: "x".repeat(64 * 1024) };
    for (let i = 0; i < 2000 && (hub?.size ?? 0) > 0; i++) {
      events.add(RUN, big);
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(hub?.size).toBe(0);
    req.destroy();
  });
});
