// `npm run bench:probot`: Specwright side by side with a bare Probot app.
// Records one whole run's webhook deliveries from the local GitHub simulator
// (a `/specify` taken through all five stages), adds the deliveries of a
// busy installation's other workflows (a CI run pushed by a person, its
// job), then replays the same signed deliveries into (a) Specwright's App
// (`src/main.ts`, as `npm start`) and (b) a bare Probot app whose handlers do
// nothing (bench/bare-probot.ts), each its own process with webhook
// verification on, and prints each one's CPU per delivery by kind.
//
// The replayed App has an empty store and no GitHub (requests would fail):
// deliveries it ignores cost what they cost in production; a stage's own
// workflow events cost a store lookup that finds nothing here. What the
// deliveries it acts on cost in all is `npm run bench:e2e`'s CPU per stage.
// Not a test: it prints figures for docs/performance.md.
import { cpus } from "node:os";
import { World } from "../test/support/e2e-world.js";
import type { Json } from "../test/support/simulator/webhooks.js";
import { cpuSeconds, measure, start, stop } from "./replay-target.js";

const REPEAT = Number(process.env.REPEAT ?? 600);
const ROUNDS = Number(process.env.ROUNDS ?? 6);

interface Recorded {
  event: string;
  body: Json;
}

/** Takes one `/specify` through all five stages; every delivery the App got. */
async function recordRun(): Promise<Recorded[]> {
  const world = await World.create({ runners: 2 });
  try {
    const repo = await world.repository("acme/app");
    await world.startApp();
    const issue = world.sim.openIssue(repo, {
      title: "Feature",
      body: "A feature.",
      user: "alice",
    });
    world.sim.comment(repo, issue, "/specify Add a feature", "alice");
    let labelled = false;
    await world.until(
      "the run to finish",
      async () => {
        const pull = world.sim.pulls(repo)[0];
        if (pull === undefined) return false;
        const waiting = world.sim
          .checkRunsOf(repo)
          .some(
            (c) =>
              c.name.endsWith("(approval)") &&
              c.conclusion === "action_required",
          );
        if (!labelled && waiting) {
          labelled = true;
          world.sim.label(repo, pull.number, "specwright:implement", "bob");
        }
        return world.sim
          .commentsOn(repo, pull.number)
          .some(
            (c) =>
              c.body.includes("<!-- specwright:notice=") &&
              c.body.includes("finished"),
          );
      },
      10 * 60_000,
    );
    await world.sim.idle();
    return world.sim.webhooks.log
      .filter((d) => !d.dropped && !d.duplicate && !d.redelivery)
      .map((d) => ({ event: d.event, body: JSON.parse(d.body) as Json }));
  } finally {
    await world.close();
  }
}

/** A busy installation's other workflows: a CI run pushed by a person. */
function otherWorkflows(recorded: Recorded[]): Recorded[] {
  const person = { login: "alice", id: 2, type: "User" };
  const out: Recorded[] = [];
  for (const { event, body } of recorded) {
    const copy = structuredClone(body);
    if (event === "workflow_run") {
      Object.assign(copy.workflow_run, {
        id: copy.workflow_run.id + 1_000_000,
        name: "CI",
        path: ".github/workflows/ci.yml",
        display_title: "Fix the footer's colour",
        event: "push",
        actor: { ...copy.workflow_run.actor, ...person },
        triggering_actor: { ...copy.workflow_run.triggering_actor, ...person },
      });
      copy.workflow.path = ".github/workflows/ci.yml";
      Object.assign(copy.sender, person);
      out.push({ event, body: copy });
    } else if (event === "workflow_job") {
      copy.workflow_job.run_id += 1_000_000;
      copy.workflow_job.workflow_name = "CI";
      Object.assign(copy.sender, person);
      out.push({ event, body: copy });
    }
  }
  return out;
}

/** What Specwright does with a delivery, by what its payload says. */
function kindOf(event: string, body: Json): string {
  const action = String(body.action ?? "");
  const name = `${event}.${action}`;
  const byBot = body.sender?.type === "Bot";
  if (event === "workflow_run") {
    if (body.workflow_run.event !== "workflow_dispatch") {
      return `ignored: another workflow's run (${name})`;
    }
    return `looked up: a stage's own run (${name})`;
  }
  if (event === "workflow_job") {
    if (action !== "in_progress") return `ignored: a job's ${action} (${name})`;
    if (!byBot) return `ignored: another workflow's job (${name})`;
    return `looked up: a stage's own job (${name})`;
  }
  if (event === "issue_comment" && byBot) {
    return `ignored: the App's own comment (${name})`;
  }
  if (event === "check_run" && action !== "rerequested") {
    if (action !== "requested_action")
      return `ignored: a check run's ${action} (${name})`;
  }
  if (event === "pull_request" && action !== "labeled") {
    return `ignored: a pull request's ${action} (${name})`;
  }
  if (event === "issues" && action !== "labeled") {
    return `ignored: an issue's ${action} (${name})`;
  }
  return `acted on (${name})`;
}

/**
 * CPU per delivery (ms) of each kind in both apps. The two are measured in
 * turns, kind by kind and round by round, so that the machine's other load
 * falls on both alike.
 */
async function replay(kinds: Map<string, Recorded[]>): Promise<{
  specwright: Map<string, number>;
  bare: Map<string, number>;
  idle: { specwright: number; bare: number };
  log: string;
}> {
  const specwright = await start("src/main.ts");
  const bare = await start("bench/bare-probot.ts");
  try {
    const bodies = new Map(
      [...kinds].map(([kind, list]) => [
        kind,
        list.map((r) => ({ event: r.event, body: JSON.stringify(r.body) })),
      ]),
    );
    // Warm up: every kind a few times, so that compiling is not counted.
    for (const list of bodies.values()) {
      for (const target of [specwright, bare]) {
        await measure(target, list, Math.max(list.length, 20));
      }
    }
    // What each costs doing nothing (timers, the store's upkeep), per second.
    const idleBefore = [
      await cpuSeconds(specwright.pid),
      await cpuSeconds(bare.pid),
    ];
    await new Promise((done) => setTimeout(done, 10_000));
    const idle = {
      specwright:
        ((await cpuSeconds(specwright.pid)) - (idleBefore[0] ?? 0)) * 100,
      bare: ((await cpuSeconds(bare.pid)) - (idleBefore[1] ?? 0)) * 100,
    };
    const total = new Map<string, { specwright: number; bare: number }>();
    const per = Math.ceil(REPEAT / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [kind, list] of bodies) {
        const sum = total.get(kind) ?? { specwright: 0, bare: 0 };
        const order = round % 2 === 0 ? [specwright, bare] : [bare, specwright];
        for (const target of order) {
          const spent = await measure(target, list, per);
          if (target === specwright) sum.specwright += spent;
          else sum.bare += spent;
        }
        total.set(kind, sum);
      }
    }
    const ms = (seconds: number) => (seconds * 1000) / (per * ROUNDS);
    return {
      specwright: new Map([...total].map(([k, v]) => [k, ms(v.specwright)])),
      bare: new Map([...total].map(([k, v]) => [k, ms(v.bare)])),
      idle,
      log: specwright.log(),
    };
  } finally {
    await stop(specwright);
    await stop(bare);
  }
}

const recorded = await recordRun();
const all = [...recorded, ...otherWorkflows(recorded)];
const kinds = new Map<string, Recorded[]>();
for (const delivery of all) {
  const kind = kindOf(delivery.event, delivery.body);
  if (kind.startsWith("acted on")) continue;
  kinds.set(kind, [...(kinds.get(kind) ?? []), delivery]);
}
const measured = await replay(kinds);

const counts = new Map<string, number>();
for (const delivery of recorded) {
  const name = `${delivery.event}.${String(delivery.body.action ?? "")}`;
  counts.set(name, (counts.get(name) ?? 0) + 1);
}
const width = Math.max(...[...kinds.keys()].map((k) => k.length));
const rows = [...kinds.keys()].sort().map((kind) => {
  const a = measured.specwright.get(kind) ?? 0;
  const b = measured.bare.get(kind) ?? 0;
  return `  ${kind.padEnd(width)}  ${a.toFixed(2).padStart(6)}  ${b.toFixed(2).padStart(6)}  ${(b > 0 ? a / b : 0).toFixed(2).padStart(5)}×`;
});
const ignored = [...kinds.keys()].filter((k) => k.startsWith("ignored"));
const sum = (m: Map<string, number>) =>
  ignored.reduce((total, k) => total + (m.get(k) ?? 0), 0);
const failures = measured.log
  .split("\n")
  .filter((line) => /error|ECONNREFUSED/i.test(line));
const out = [
  `Specwright against a bare Probot app: one run's deliveries (${recorded.length}: ${[
    ...counts,
  ]
    .map(([name, n]) => `${n} ${name}`)
    .join(
      ", ",
    )}) and a CI workflow's, each kind replayed ${REPEAT} times into each, in ${ROUNDS} rounds`,
  `machine: ${cpus()[0]?.model ?? "?"} × ${cpus().length}, Node ${process.version}, store: ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"}`,
  "",
  `  ${"CPU per delivery, ms".padEnd(width)}  ${"Specw.".padStart(6)}  ${"bare".padStart(6)}  ratio`,
  ...rows,
  "",
  `ignored deliveries, mean of kinds: ${(sum(measured.specwright) / ignored.length).toFixed(2)} ms against ${(sum(measured.bare) / ignored.length).toFixed(2)} ms: ${(sum(measured.specwright) / sum(measured.bare)).toFixed(2)}×`,
  `idle (no deliveries, included above): ${measured.idle.specwright.toFixed(2)} ms a second against ${measured.idle.bare.toFixed(2)} ms`,
  `errors in Specwright's log during the replay: ${failures.length}`,
  ...failures.slice(0, 5).map((line) => `  ${line.slice(0, 200)}`),
];
process.stdout.write(`${out.join("\n")}\n`);
