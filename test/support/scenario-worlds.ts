import { afterEach } from "vitest";
import { World, type WorldOptions } from "./e2e-world.js";
import type { Repository } from "./simulator/state.js";

// What the end-to-end scenarios share (test/e2e/scenarios.test.ts and
// recovery-scenarios.test.ts, two files so that they run side by side):
// the stores they run on, a world with one repository and an issue, and
// what people see of a run.

export const STAGES = ["specify", "plan", "tasks", "analyze"];
export const TIMEOUT = 180_000;

/** PGlite always; PostgreSQL too when DATABASE_URL is set. */
export const backends: [string, WorldOptions][] = [["pglite", {}]];
if (process.env.DATABASE_URL) {
  backends.push(["postgres", { databaseUrl: process.env.DATABASE_URL }]);
}

/** The feature branch the run made. */
export async function featureBranch(
  w: World,
  repo: Repository,
): Promise<string> {
  const refs = await repo.git.text([
    "for-each-ref",
    "--format=%(refname:short)",
    "refs/heads/speckit",
  ]);
  const branch = refs.split("\n").find(Boolean);
  if (!branch) throw new Error(`no feature branch\n${w.log.slice(-3000)}`);
  return branch;
}

export function trackingComment(w: World, repo: Repository, number: number) {
  return w.sim
    .commentsOn(repo, number)
    .find((c) => c.body.includes("<!-- specwright:run="));
}

export function stageChecks(w: World, repo: Repository, stage: string) {
  return w.sim
    .checkRunsOf(repo)
    .filter(
      (c) =>
        c.name === `Specwright: ${stage[0]?.toUpperCase()}${stage.slice(1)}`,
    );
}

export function implementWaits(w: World, repo: Repository) {
  return () => w.gateWaiting(repo);
}

/**
 * Inside a `describe` per store: `setUp` makes a world on that store (closed
 * after each test) with one repository, the App started and an issue open;
 * `untilStageFails` runs `/specify` there with a scripted agent that fails
 * `stage` as `how` says, up to that failure.
 */
export function scenarioWorlds(base: WorldOptions) {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  async function setUp(
    options: WorldOptions = {},
    repository: { draftPullRequests?: boolean } = {},
  ) {
    world = await World.create({ ...base, ...options });
    const repo = await world.repository();
    // As a private repository on GitHub Free or Pro: no drafts.
    if (repository.draftPullRequests === false) repo.draftPullRequests = false;
    await world.startApp();
    const issue = world.sim.openIssue(repo, {
      title: "Dark mode",
      body: "Users want a dark mode that follows the system setting.",
      user: "alice",
    });
    return { world, repo, issue };
  }

  async function untilStageFails(stage: string, how: string) {
    const set = await setUp({ agent: { [`acme/web:${stage}`]: how } });
    const { world: w, repo, issue } = set;
    w.sim.comment(repo, issue, "/specify Add a dark mode toggle", "alice");
    await w.until(`${stage} to fail`, () =>
      stageChecks(w, repo, stage).some((c) => c.conclusion === "failure"),
    );
    return { ...set, failed: stageChecks(w, repo, stage)[0] };
  }

  return { setUp, untilStageFails };
}
