// `npm run bench` (part): the dashboard's runs list on a store of 10,000
// runs across 20 repositories — the first page (25 runs) over everything,
// over the repositories a person may read, over one repository, and by
// status — on embedded PGlite and, when DATABASE_URL is set, on
// PostgreSQL (in a database of its own, dropped afterwards). The runs are
// inserted in bulk, as rows the store would have written.
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { checkConfig } from "../src/config/check-config.js";
import { createRunState } from "../src/engine/create-run-state.js";
import type { RunState, RunStatus } from "../src/engine/run-state.js";
import { openStore } from "../src/store/open-store.js";
import { runToRow } from "../src/store/run-rows.js";
import * as schema from "../src/store/schema.js";
import type { RunListFilter, Store } from "../src/store/store.js";
import { defaultWorkflow } from "../src/workflow/default-workflow.js";

const RUNS = 10_000;
const REPOSITORIES = 20;
const QUERIES = 200;
const WARM_UP = 20;
const BATCH = 500;
const T0 = Date.UTC(2026, 0, 1);

const STATUSES: RunStatus[] = [
  "succeeded",
  "succeeded",
  "succeeded",
  "succeeded",
  "no_changes",
  "failed",
  "cancelled",
  "in_progress",
];

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function repository(i: number): { owner: string; repo: string } {
  return { owner: `org-${i % 5}`, repo: `repo-${i}` };
}

/** Run `i`: a few minutes after the one before, in one of the repositories. */
function seededRun(i: number, next: () => number): RunState {
  const checked = checkConfig({});
  if (!checked.ok) throw new Error("the default configuration is invalid");
  const { workflow: _, ...settings } = checked.config;
  const { owner, repo } = repository(Math.floor(next() * REPOSITORIES));
  const created = new Date(T0 + i * 180_000).toISOString();
  const status = STATUSES[Math.floor(next() * STATUSES.length)] ?? "queued";
  const state = createRunState({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    installation_id: 42,
    owner,
    repo,
    html_url: `https://github.com/${owner}/${repo}`,
    issue: {
      number: 1 + (i % 500),
      title: `Feature ${i}`,
      body: "Add a dark mode toggle to the settings page.",
      url: `https://github.com/${owner}/${repo}/issues/${1 + (i % 500)}`,
    },
    feature: `Add feature ${i}: a dark mode toggle on the settings page`,
    requested_by: `user-${Math.floor(next() * 50)}`,
    base_branch: "main",
    branch: `speckit/20260101/${i.toString(36)}`,
    workflow: defaultWorkflow(),
    settings,
    parameters: {},
    at: created,
  });
  return {
    ...state,
    status,
    started_at: created,
    completed_at:
      status === "in_progress"
        ? null
        : new Date(T0 + i * 180_000 + 600_000).toISOString(),
  };
}

/** Inserts the 10,000 runs into an empty store. */
export async function seedRuns(store: Store): Promise<void> {
  const next = random(11);
  for (let start = 0; start < RUNS; start += BATCH) {
    const rows = [];
    for (let i = start; i < Math.min(RUNS, start + BATCH); i++) {
      const row = runToRow(seededRun(i, next), new Date(T0).toISOString());
      rows.push({
        ...row,
        inputTokens: 20_000 + i,
        outputTokens: 4_000 + i,
        turns: 30,
        costUsd: 0.5,
      });
    }
    await store.db.insert(schema.runs).values(rows);
  }
  // What autovacuum would have done by the time there are 10,000 runs.
  await store.db.execute(sql`analyze runs`);
}

/** The readable half of the repositories: what a person's list passes. */
const READABLE = Array.from({ length: REPOSITORIES / 2 }, (_, i) => {
  const { owner, repo } = repository(i * 2);
  return `${owner}/${repo}`;
});

const CASES: [string, RunListFilter][] = [
  ["all runs", {}],
  [
    `runs of the ${READABLE.length} repositories a person may read`,
    { repositories: READABLE },
  ],
  ["one repository", { repositories: READABLE, repository: "org-2/repo-2" }],
  ["status failed", { repositories: READABLE, status: ["failed"] }],
];

/** Times of `QUERIES` runs of `query`, after a warm-up. */
async function timeQuery(query: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARM_UP; i++) await query();
  const times: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const start = performance.now();
    await query();
    times.push(performance.now() - start);
  }
  return times;
}

async function timeCases(
  store: Store,
  backend: string,
): Promise<{ name: string; times: number[] }[]> {
  await seedRuns(store);
  const out = [];
  for (const [label, filter] of CASES) {
    const query = () => store.listRuns(filter, { limit: 25 });
    const first = await query();
    if (first.rows.length !== 25) throw new Error(`${label}: too few runs`);
    const times = await timeQuery(query);
    out.push({
      name: `list runs, first page of 25 of 10,000 (${backend}): ${label}`,
      times,
    });
  }
  out.push({
    name: `distinct repositories of 10,000 runs (${backend})`,
    times: await timeQuery(() => store.distinctRepositories()),
  });
  return out;
}

/** Each case's query times, in milliseconds. */
export async function measureListRuns(
  databaseUrl = process.env.DATABASE_URL,
): Promise<{ name: string; times: number[] }[]> {
  const results = [];
  const pglite = await openStore({ dataDir: "memory://" });
  try {
    results.push(...(await timeCases(pglite, "PGlite")));
  } finally {
    await pglite.close();
  }
  if (!databaseUrl) return results;

  const name = `specwright_bench_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  try {
    const postgres = await openStore({ databaseUrl: url.toString() });
    try {
      results.push(...(await timeCases(postgres, "PostgreSQL")));
    } finally {
      await postgres.close();
    }
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  return results;
}

// Run alone: `npx tsx bench/list-runs.ts` prints p50 and p95 per case.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const { name, times } of await measureListRuns()) {
    const sorted = [...times].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    process.stdout.write(
      `${name}: p50 ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms\n`,
    );
  }
}
