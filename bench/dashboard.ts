// `npm run bench` (part): the dashboard's budgets, through the real HTTP
// handler (`createDashboard`: router, API, event hub) on a store of 10,000
// runs, on embedded PGlite and, with DATABASE_URL, on PostgreSQL with two
// stores on one database as two App replicas (events written on one, the
// event stream served by the other, woken by LISTEN/NOTIFY):
// - `GET /runs`, first page of 25;
// - an engine transition committed → its event at an SSE client;
// - the App's CPU per event with 50, 200 and 500 open event streams.
// Sign-in is a stand-in that answers at once (the real one serves these
// requests from its 60-second cache: an HMAC and a map lookup).
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { checkConfig } from "../src/config/check-config.js";
import { createRunState } from "../src/engine/create-run-state.js";
import type { RunState } from "../src/engine/run-state.js";
import { transition } from "../src/engine/transition.js";
import { openStore } from "../src/store/open-store.js";
import { openRunEventFeed } from "../src/store/run-event-feed.js";
import type { Store } from "../src/store/store.js";
import type { DashboardAuth, Session } from "../src/web/auth/index.js";
import { createDashboard } from "../src/web/create-dashboard.js";
import { RunEventHub } from "../src/web/live/run-event-hub.js";
import { Workflow } from "../src/workflow/schema.js";
import { seedRuns } from "./list-runs.js";

const LIST_QUERIES = 200;
const LATENCY_EVENTS = 100;
const CPU_EVENTS = 50;

const SESSION: Session = {
  login: "bench",
  userId: 1,
  avatarUrl: null,
  csrfToken: "bench",
  expiresAt: new Date(Date.now() + 3_600_000),
};

/**
 * Reads half the repositories, writes to all. Each stream is a person of
 * its own (`x-bench-user`): the hub admits 10 streams a person, and the
 * benchmark opens hundreds.
 */
const auth: DashboardAuth = {
  handle: async () => false,
  session: (req) => ({
    ...SESSION,
    userId: Number(req.headers["x-bench-user"] ?? SESSION.userId),
  }),
  checkCsrf: () => true,
  permission: async () => "write",
  readableRepositories: async (_session, candidates) =>
    new Set(candidates.filter((_, i) => i % 2 === 0)),
};

/** A run of one gate stage, waiting for approval. */
function gateRun(): RunState {
  const checked = checkConfig({});
  if (!checked.ok) throw new Error("the default configuration is invalid");
  const { workflow: _, ...settings } = checked.config;
  const at = new Date().toISOString();
  let state = createRunState({
    id: randomUUID(),
    installation_id: 1,
    owner: "bench",
    repo: "gates",
    html_url: "https://github.com/bench/gates",
    issue: null,
    feature: "A gate to approve",
    requested_by: "bench",
    base_branch: "main",
    branch: `speckit/bench/${randomBytes(3).toString("hex")}`,
    workflow: Workflow.parse({
      name: "Gate",
      stages: [{ id: "review", type: "gate" }],
    }),
    settings,
    parameters: {},
    at,
  });
  for (const event of [
    { type: "start" as const, at },
    { type: "branch_created" as const, sha: "a".repeat(40), at },
  ]) {
    state = transition(state, event).state;
  }
  return state;
}

async function seedGateRuns(store: Store, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const state = gateRun();
    await store.createRun(
      { ...state, version: 0 },
      { type: "tick", at: state.created_at },
      {
        agent: {
          backend: "claude",
          version: null,
          prompt_pack_version: "1",
          runtime_env: {},
        },
      },
    );
    ids.push(state.id);
  }
  return ids;
}

function approve(store: Store, runId: string) {
  return store.apply(runId, {
    type: "approve",
    stage: "review",
    by: "bench",
    at: new Date().toISOString(),
  });
}

interface Dashboard {
  url: string;
  hub: RunEventHub;
  close(): Promise<void>;
}

/** The dashboard's handler over HTTP, reading from `store` and woken by its feed. */
async function serve(store: Store, databaseUrl?: string): Promise<Dashboard> {
  const feed = await openRunEventFeed({
    store,
    ...(databaseUrl ? { databaseUrl } : {}),
  });
  const hub = new RunEventHub(store, feed);
  const log = { warn: () => {}, error: (m: string) => console.error(m) };
  const handler = createDashboard(
    {
      ctx: {
        store,
        auth,
        hub,
        kick: () => {},
        now: () => new Date(),
        githubWebUrl: "https://github.com",
      },
    },
    log,
  );
  const server: Server = createServer((req, res) => {
    void handler(req, res);
  });
  server.maxConnections = 10_000;
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hub,
    async close() {
      await hub.close();
      await feed.close();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}

/** An event stream: resolves `first` with the time its first event arrived. */
function openStream(url: string, runId: string, user = 1) {
  let onEvent: ((at: number) => void) | undefined;
  const first = new Promise<number>((done) => {
    onEvent = done;
  });
  const opened = new Promise<void>((done, fail) => {
    const req = request(`${url}/specwright/api/v1/runs/${runId}/events`, {
      headers: { "x-bench-user": String(user) },
    });
    req.on("response", (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (chunk.includes("\nevent: ")) onEvent?.(performance.now());
      });
      res.on("error", () => {});
      done();
    });
    req.on("error", fail);
    req.end();
  });
  return { opened, first };
}

async function timeList(url: string): Promise<number[]> {
  const get = async () => {
    const response = await fetch(`${url}/specwright/api/v1/runs?limit=25`);
    if (response.status !== 200)
      throw new Error(`GET runs: ${response.status}`);
    await response.arrayBuffer();
  };
  for (let i = 0; i < 20; i++) await get();
  const times: number[] = [];
  for (let i = 0; i < LIST_QUERIES; i++) {
    const start = performance.now();
    await get();
    times.push(performance.now() - start);
  }
  return times;
}

/** Transition committed on `writer` → the first event at a client of `dashboard`. */
async function timeLatency(
  writer: Store,
  dashboard: Dashboard,
): Promise<number[]> {
  const ids = await seedGateRuns(writer, LATENCY_EVENTS + 10);
  const times: number[] = [];
  for (const [i, id] of ids.entries()) {
    const stream = openStream(dashboard.url, id);
    await stream.opened;
    // Wait until the hub has the connection, then commit.
    while (dashboard.hub.size === 0) await new Promise((r) => setImmediate(r));
    const start = performance.now();
    await approve(writer, id);
    const at = await stream.first;
    if (i >= 10) times.push(at - start);
    while (dashboard.hub.size > 0) await new Promise((r) => setTimeout(r, 1));
  }
  return times;
}

/** The process's CPU per event with `connections` open streams (each on its own run). */
async function cpuPerEvent(
  writer: Store,
  dashboard: Dashboard,
  connections: number,
): Promise<number> {
  const ids = await seedGateRuns(writer, connections);
  const streams = ids.map((id, i) => openStream(dashboard.url, id, i + 1));
  await Promise.all(streams.map((s) => s.opened));
  while (dashboard.hub.size < connections)
    await new Promise((r) => setTimeout(r, 5));
  const before = process.cpuUsage();
  for (let i = 0; i < CPU_EVENTS; i++) {
    await approve(writer, ids[i] as string);
    await streams[i]?.first;
  }
  const used = process.cpuUsage(before);
  // The approved runs completed and closed their streams; close the rest.
  await dashboard.close();
  return (used.user + used.system) / 1000 / CPU_EVENTS;
}

async function measureOn(
  backend: string,
  open: () => Promise<{
    writer: Store;
    reader: Store;
    databaseUrl?: string;
    close(): Promise<void>;
  }>,
): Promise<{ name: string; times: number[]; budget: number }[]> {
  const results: { name: string; times: number[]; budget: number }[] = [];
  const stores = await open();
  try {
    await seedRuns(stores.writer);
    let dashboard = await serve(stores.reader, stores.databaseUrl);
    results.push({
      name: `dashboard: GET /runs, first page of 25 of 10,000 runs (${backend})`,
      times: await timeList(dashboard.url),
      budget: 30,
    });
    results.push({
      name: `dashboard: transition committed → its SSE event at the client (${backend}${stores.databaseUrl ? ", across two replicas" : ""})`,
      times: await timeLatency(stores.writer, dashboard),
      budget: 100,
    });
    await dashboard.close();
    for (const connections of [50, 200, 500]) {
      dashboard = await serve(stores.reader, stores.databaseUrl);
      const ms = await cpuPerEvent(stores.writer, dashboard, connections);
      results.push({
        name: `dashboard: process CPU per event, ${connections} open streams (${backend})`,
        times: [ms],
        budget: 0,
      });
    }
  } finally {
    await stores.close();
  }
  return results;
}

/** Every case's times in milliseconds (a CPU figure is one number). */
export async function measureDashboard(
  databaseUrl = process.env.DATABASE_URL,
): Promise<{ name: string; times: number[]; budget: number }[]> {
  const results = await measureOn("PGlite", async () => {
    const store = await openStore({ dataDir: "memory://" });
    return { writer: store, reader: store, close: () => store.close() };
  });
  if (!databaseUrl) return results;
  const name = `specwright_bench_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  try {
    results.push(
      ...(await measureOn("PostgreSQL", async () => {
        const writer = await openStore({ databaseUrl: url.toString() });
        const reader = await openStore({ databaseUrl: url.toString() });
        return {
          writer,
          reader,
          databaseUrl: url.toString(),
          async close() {
            await writer.close();
            await reader.close();
          },
        };
      })),
    );
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  return results;
}

// Run alone: `npx tsx bench/dashboard.ts`.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const { name, times } of await measureDashboard()) {
    const sorted = [...times].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    process.stdout.write(
      `${name}: p50 ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms\n`,
    );
  }
}
