import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import { openStore } from "../../src/store/open-store.js";
import { subscribeOnRedis } from "../../src/store/run-event-feed/subscribe-on-redis.js";
import {
  openRunEventFeed,
  RESYNC_NOTE,
  type RunEventFeed,
  type RunEventNote,
} from "../../src/store/run-event-feed.js";
import { Store } from "../../src/store/store.js";
import { openTestStore } from "../support/test-store.js";
import { AGENT, at, newRun, sha, T0 } from "./run-fixtures.js";

// Real services: PostgreSQL at DATABASE_URL, and Redis at REDIS_URL or,
// where DATABASE_URL says the services are there (.ci/run), on its
// default port.
const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL =
  process.env.REDIS_URL ??
  (DATABASE_URL === undefined ? undefined : "redis://127.0.0.1:6379");

const START: RunEvent = { type: "start", at: T0 };
const BRANCH: RunEvent = { type: "branch_created", sha: sha("a"), at: at(1) };
const DISPATCHED: RunEvent = {
  type: "stage_dispatched",
  stage: "specify",
  attempt: 1,
  workflow_run_id: 5001,
  workflow_run_url: "https://github.com/acme/web/actions/runs/5001",
  at: at(2),
};
const RUNNING: RunEvent = {
  type: "workflow_run_updated",
  stage: "specify",
  attempt: 1,
  workflow_run_id: 5001,
  workflow_run_url: "https://github.com/acme/web/actions/runs/5001",
  status: "in_progress",
  conclusion: null,
  at: at(3),
};

/** The next note of the feed that `match` accepts. Subscribe before acting. */
function nextNote(
  feed: RunEventFeed,
  match: (note: RunEventNote) => boolean,
): Promise<RunEventNote> {
  return new Promise((resolve) => {
    const stop = feed.subscribe((note) => {
      if (!match(note)) return;
      stop();
      resolve(note);
    });
  });
}

/** A run of its own, so no other test's notes can pass for this one's. */
function freshRun() {
  return newRun({ id: randomUUID() });
}

/** Two App replicas: two stores, each with its own pool, on one fresh PostgreSQL database. */
async function twoReplicas() {
  const test = await openTestStore("postgres");
  const result = (await test.store.db.execute(
    sql`select current_database() as name`,
  )) as { rows: { name: string }[] };
  const url = new URL(DATABASE_URL as string);
  url.pathname = `/${result.rows[0]?.name}`;
  const other = await openStore({
    databaseUrl: url.toString(),
    onConnectionError: () => {},
  });
  return {
    a: test.store,
    b: other,
    databaseUrl: url.toString(),
    async close() {
      await other.close();
      await test.close();
    },
  };
}

/** The note an event the store just recorded should come with. */
async function noteOf(store: Store, runId: string): Promise<RunEventNote> {
  return { runId, id: (await store.latestRunEventId(runId)) ?? -1 };
}

describe.runIf(DATABASE_URL)("the PostgreSQL run event feed", () => {
  let replicas: Awaited<ReturnType<typeof twoReplicas>>;
  const log = { warn: vi.fn() };
  let feed: RunEventFeed;

  beforeAll(async () => {
    replicas = await twoReplicas();
    feed = await openRunEventFeed({
      store: replicas.b,
      databaseUrl: replicas.databaseUrl,
      log,
      backoff: { initialMs: 20, maxMs: 200 },
    });
  });
  afterAll(async () => {
    await feed.close();
    await replicas.close();
  });

  it("wakes another replica with the run and its latest event, once committed", async () => {
    const { a, b } = replicas;
    const run = freshRun();
    const started = nextNote(feed, (n) => n.runId === run.id);

    await a.createRun(run, START, { agent: AGENT });

    const note = await started;
    expect(note).toEqual(await noteOf(a, run.id));
    // Told at the commit: the replica woken reads what it was told of.
    const seen = await b.runEventsAfter(run.id, null);
    expect(seen.map((e) => e.id)).toContain(note.id);

    const running = nextNote(feed, (n) => n.runId === run.id);
    await a.apply(run.id, BRANCH);
    await a.apply(run.id, DISPATCHED);
    await a.apply(run.id, RUNNING);
    const later = await running;
    expect(later).toEqual(await noteOf(a, run.id));
    expect(later.id).toBeGreaterThan(note.id);
  });

  it("listens again after PostgreSQL drops its connection, says to look again, and hears later events", async () => {
    const { a } = replicas;
    const run = freshRun();
    const resync = nextNote(feed, (n) => n.runId === RESYNC_NOTE.runId);

    const terminated = (await a.db.execute(
      sql`select pg_terminate_backend(pid) as done from pg_stat_activity
          where datname = current_database() and query = 'LISTEN specwright_run_events'`,
    )) as { rows: { done: boolean }[] };

    expect(terminated.rows).toEqual([{ done: true }]);
    expect(await resync).toEqual(RESYNC_NOTE);
    expect(log.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^specwright: the connection listening for run events ended .*; connecting again in \d+ ms\.$/,
      ),
    );

    const started = nextNote(feed, (n) => n.runId === run.id);
    await a.createRun(run, START, { agent: AGENT });
    expect(await started).toEqual(await noteOf(a, run.id));
  });

  it("refuses to start without a PostgreSQL to listen on, saying which", async () => {
    await expect(
      openRunEventFeed({
        store: replicas.b,
        databaseUrl: "postgres://postgres@127.0.0.1:1/none",
      }),
    ).rejects.toThrow(
      /^specwright: could not listen for run events on PostgreSQL: /,
    );
  });
});

describe("the PGlite run event feed", () => {
  let test: Awaited<ReturnType<typeof openTestStore>>;
  let feed: RunEventFeed;
  const log = { warn: vi.fn() };

  beforeAll(async () => {
    test = await openTestStore("pglite");
    feed = await openRunEventFeed({ store: test.store, log });
  });
  afterAll(async () => {
    await feed.close();
    await test.close();
  });

  it("wakes listeners in the process once the transition committed", async () => {
    const { store } = test;
    const run = freshRun();
    const started = nextNote(feed, (n) => n.runId === run.id);

    await store.createRun(run, START, { agent: AGENT });

    const note = await started;
    expect(note).toEqual(await noteOf(store, run.id));
    const branched = nextNote(feed, (n) => n.runId === run.id);
    await store.apply(run.id, BRANCH);
    await store.apply(run.id, DISPATCHED);
    await store.apply(run.id, RUNNING);
    expect(await branched).toEqual(await noteOf(store, run.id));
  });

  it("tells every listener, whatever another one does", async () => {
    const run = freshRun();
    const stop = feed.subscribe(() => {
      throw new Error("listener broke");
    });
    const started = nextNote(feed, (n) => n.runId === run.id);

    await test.store.createRun(run, START, { agent: AGENT });

    expect(await started).toEqual(await noteOf(test.store, run.id));
    stop();
    expect(log.warn).toHaveBeenCalledWith(
      `specwright: a run event listener failed on run ${run.id}: listener broke`,
    );
  });

  it("needs a database to listen on", async () => {
    const bare = new Store(test.store.db);

    await expect(openRunEventFeed({ store: bare })).rejects.toThrow(
      "specwright: run events need DATABASE_URL (PostgreSQL), REDIS_URL or the embedded store; this store is none of them.",
    );
  });
});

describe.runIf(DATABASE_URL && REDIS_URL)("the Redis run event feed", () => {
  let replicas: Awaited<ReturnType<typeof twoReplicas>>;
  let feedA: RunEventFeed;
  let feedB: RunEventFeed;
  const name = `specwright-test-${randomUUID()}`;
  const log = { warn: vi.fn() };

  beforeAll(async () => {
    replicas = await twoReplicas();
    const redisUrl = REDIS_URL as string;
    feedA = await openRunEventFeed({ store: replicas.a, redisUrl });
    feedB = await subscribeOnRedis({
      store: replicas.b,
      redisUrl,
      log,
      connectionName: name,
    });
  });
  afterAll(async () => {
    await feedA.close();
    await feedB.close();
    await replicas.close();
  });

  it("publishes after the commit, and another replica hears it", async () => {
    const { a, b } = replicas;
    const run = freshRun();
    const heardByB = nextNote(feedB, (n) => n.runId === run.id);
    const heardByA = nextNote(feedA, (n) => n.runId === run.id);

    await a.createRun(run, START, { agent: AGENT });

    const note = await heardByB;
    expect(note).toEqual(await noteOf(a, run.id));
    expect((await b.runEventsAfter(run.id, null)).map((e) => e.id)).toContain(
      note.id,
    );
    expect(await heardByA).toEqual(note);

    const fromB = nextNote(feedA, (n) => n.runId === run.id);
    await b.apply(run.id, BRANCH);
    await b.apply(run.id, DISPATCHED);
    await b.apply(run.id, RUNNING);
    expect(await fromB).toEqual(await noteOf(b, run.id));
  });

  it("subscribes again after Redis drops it, says to look again, and hears later events", async () => {
    const admin = new Redis(REDIS_URL as string);
    const resync = nextNote(feedB, (n) => n.runId === RESYNC_NOTE.runId);

    const clients = (await admin.client("LIST")) as string;
    const id = clients
      .split("\n")
      .find((line) => line.includes(` name=${name}-sub `))
      ?.match(/^id=(\d+) /)?.[1];
    await admin.client("KILL", "ID", id ?? "none");
    await admin.quit();

    expect(await resync).toEqual(RESYNC_NOTE);
    const run = freshRun();
    const started = nextNote(feedB, (n) => n.runId === run.id);
    await replicas.a.createRun(run, START, { agent: AGENT });
    expect(await started).toEqual(await noteOf(replicas.a, run.id));
  });
});
