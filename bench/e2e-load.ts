// `npm run bench:e2e`: the App under load against the local GitHub
// simulator. 50 `/specify` runs at once across 10 repositories, each taken
// through all five stages (implement approved with the label as soon as it
// waits). Reports runs per minute, the App's CPU time per stage, and the
// GitHub requests per stage by endpoint, against the fewest a stage can
// need. Not a test: it asserts nothing about time; it prints figures for
// docs/performance.md.
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { DEFAULT_HOLD_MS } from "../src/app/effect-runner-options.js";
import { World } from "../test/support/e2e-world.js";
import type { Repository } from "../test/support/simulator/state.js";

const RUNS = Number(process.env.RUNS ?? 50);
const REPOSITORIES = Number(process.env.REPOSITORIES ?? 10);
const RUNNERS = Number(process.env.RUNNERS ?? 8);
const STAGES = 5;

/** CPU seconds (user, system) in a /proc stat file. */
function cpuOf(path: string): { user: number; system: number } {
  const stat = readFileSync(path, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 (1-based), in clock ticks (100 Hz).
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const { user, system } = cpuOf(`/proc/${pid}/stat`);
  return user + system;
}

/**
 * CPU seconds a process's threads have used: its main thread (the
 * JavaScript) and the rest (V8's compiler and collector helpers, libuv's
 * pool: zlib, crypto, files), user and system apart. Threads are all
 * named `node`, so they are told apart by id.
 */
function cpuByThread(
  pid: number,
): Map<string, { user: number; system: number }> {
  const threads = new Map<string, { user: number; system: number }>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const name = task === String(pid) ? "main thread" : "other threads";
    try {
      const { user, system } = cpuOf(`/proc/${pid}/task/${task}/stat`);
      const seen = threads.get(name) ?? { user: 0, system: 0 };
      threads.set(name, {
        user: seen.user + user,
        system: seen.system + system,
      });
    } catch {
      // The thread ended meanwhile.
    }
  }
  return threads;
}

const world = await World.create({
  ...(process.env.DATABASE_URL
    ? { databaseUrl: process.env.DATABASE_URL }
    : {}),
  runners: RUNNERS,
  // The reconciler sweeps as in production (every minute, a live attempt
  // looked at every five); nothing is lost here, so it finds nothing.
  reconcileSeconds: 60,
  reconcilePollSeconds: 300,
});
try {
  const repos: Repository[] = [];
  for (let i = 0; i < REPOSITORIES; i++) {
    repos.push(await world.repository(`acme/app-${i}`));
  }
  await world.startApp();
  const pid = world.appPid;
  if (pid === undefined) throw new Error("the App is not running");
  const cpuBefore = cpuSeconds(pid);
  const threadsBefore = cpuByThread(pid);
  const requestsBefore = world.sim.requests.length;
  const deliveriesBefore = world.sim.webhooks.log.length;

  const started = Date.now();
  const issues: { repo: Repository; issue: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const repo = repos[i % REPOSITORIES] as Repository;
    const issue = world.sim.openIssue(repo, {
      title: `Feature ${i}`,
      body: `Feature number ${i}.`,
      user: "alice",
    });
    issues.push({ repo, issue });
    world.sim.comment(repo, issue, `/specify Add feature ${i}`, "alice");
  }

  // Approve implement on each pull request as soon as its gate waits.
  const labelled = new Set<string>();
  const finished = () =>
    issues.every(({ repo }) =>
      world.sim
        .pulls(repo)
        .every((p) =>
          world.sim
            .commentsOn(repo, p.number)
            .some(
              (c) =>
                c.body.includes("<!-- specwright:notice=") &&
                c.body.includes("finished"),
            ),
        ),
    ) && labelled.size === RUNS;
  await world.until(
    `${RUNS} runs to finish`,
    async () => {
      for (const repo of repos) {
        const waiting = world.sim
          .checkRunsOf(repo)
          .filter(
            (c) =>
              c.name.endsWith("(approval)") &&
              c.conclusion === "action_required",
          );
        for (const pull of world.sim.pulls(repo)) {
          const key = `${repo.full_name}#${pull.number}`;
          if (labelled.has(key) || !pull.pull) continue;
          const head = await repo.git.resolve(`refs/heads/${pull.pull.head}`);
          if (waiting.some((c) => c.head_sha === head)) {
            labelled.add(key);
            world.sim.label(repo, pull.number, "specwright:implement", "bob");
          }
        }
      }
      return finished();
    },
    30 * 60_000,
  );
  const seconds = (Date.now() - started) / 1000;
  const cpu = cpuSeconds(pid) - cpuBefore;
  const stages = RUNS * STAGES;
  const deliveries = world.sim.webhooks.log.slice(deliveriesBefore);
  const kinds = new Map<string, number>();
  for (const { event, action } of deliveries) {
    const kind = `${event}.${action}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const deliveryKinds = [...kinds]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind} ${(n / stages).toFixed(1)}`)
    .join(", ");
  const threads = [...cpuByThread(pid)].map(([name, { user, system }]) => {
    const before = threadsBefore.get(name) ?? { user: 0, system: 0 };
    return { name, user: user - before.user, system: system - before.system };
  });
  // Display edits queued as the last runs finished are held a moment: wait
  // them out, so that every request a run makes is counted (the CPU figure
  // above ends with the runs).
  await new Promise((resolve) => setTimeout(resolve, DEFAULT_HOLD_MS + 1_000));
  await world.sim.idle();

  const requests = world.sim.requests.slice(requestsBefore);
  const byOperation = new Map<string, number>();
  for (const request of requests) {
    const key = request.operationId ?? `${request.method} ${request.path}`;
    byOperation.set(key, (byOperation.get(key) ?? 0) + 1);
  }
  const problems = world.problems();
  const rows = [...byOperation].sort((a, b) => b[1] - a[1]);
  const out = [
    `Specwright end-to-end load: ${RUNS} runs × ${STAGES} stages across ${REPOSITORIES} repositories, ${RUNNERS} simulated runners`,
    `machine: ${cpus()[0]?.model ?? "?"} × ${cpus().length}, Node ${process.version}, store: ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"}`,
    "",
    `wall time:          ${seconds.toFixed(1)} s`,
    `runs per minute:    ${((RUNS / seconds) * 60).toFixed(1)}`,
    `App CPU:            ${cpu.toFixed(1)} s in all, ${((cpu / stages) * 1000).toFixed(0)} ms per stage`,
    `GitHub requests:    ${requests.length} in all, ${(requests.length / stages).toFixed(1)} per stage`,
    "",
    "App CPU per stage, by thread (user + system):",
    ...threads
      .filter(({ user, system }) => user + system > 0)
      .sort((a, b) => b.user + b.system - (a.user + a.system))
      .map(
        ({ name, user, system }) =>
          `  ${(((user + system) / stages) * 1000).toFixed(1).padStart(6)} ms  ${name} (${((user / stages) * 1000).toFixed(1)} + ${((system / stages) * 1000).toFixed(1)})`,
      ),
    "",
    `webhook deliveries: ${(deliveries.length / stages).toFixed(1)} per stage (${deliveryKinds})`,
    "",
    "requests per stage, by endpoint:",
    ...rows.map(
      ([operation, count]) =>
        `  ${(count / stages).toFixed(2).padStart(6)}  ${operation}`,
    ),
    "",
    `refused requests: ${problems.length}`,
  ];
  process.stdout.write(`${out.join("\n")}\n`);
  if (problems.length > 0) {
    process.stdout.write(`${problems.slice(0, 20).join("\n")}\n`);
    process.exitCode = 1;
  }
} finally {
  // A profiled or counted App writes what it found on a normal exit
  // (SIGTERM, then).
  if (
    process.env.SPECWRIGHT_APP_CPU_PROF ||
    process.env.SPECWRIGHT_APP_SQL_COUNT
  )
    await world.stopApp("SIGTERM");
  printStatements(RUNS * STAGES);
  await world.close();
}

/** The statements the App sent, per stage, by kind (SPECWRIGHT_APP_SQL_COUNT). */
function printStatements(stages: number): void {
  const file = process.env.SPECWRIGHT_APP_SQL_COUNT;
  if (!file) return;
  const rows = JSON.parse(readFileSync(file, "utf8")) as [
    string,
    number,
    number,
  ][];
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  const bytes = rows.reduce((sum, [, , b]) => sum + b, 0);
  const kb = (b: number) => (b / stages / 1024).toFixed(1);
  const out = [
    "",
    `statements to PostgreSQL (start-up included): ${(total / stages).toFixed(1)} per stage, ${kb(bytes)} KiB per stage`,
    "  per stage  KiB  statement",
    ...rows
      .filter(([, n]) => n / stages >= 0.05)
      .map(
        ([kind, n, b]) =>
          `  ${(n / stages).toFixed(2).padStart(6)} ${kb(b).padStart(7)}  ${kind}`,
      ),
  ];
  process.stdout.write(`${out.join("\n")}\n`);
}
