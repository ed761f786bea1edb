import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ProbotOctokit } from "probot";
import githubAppJwt from "universal-github-app-jwt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { World } from "../support/e2e-world.js";
import {
  githubLimits,
  type SimulatedLimits,
} from "../support/simulator/rate-limits.js";
import { validateRestSchema } from "../support/simulator/rest-schemas.js";
import { GitHubSimulator } from "../support/simulator/simulator.js";
import type { Repository } from "../support/simulator/state.js";

// Pacing per installation (src/github/pacing/) against the simulator with
// GitHub's rate limits turned on, their windows shrunk so that a burst
// takes seconds, not minutes.

const PRIVATE_KEY = readFileSync("test/fixtures/mock-cert.pem", "utf8");

describe("the simulator's rate limits", () => {
  let sim: GitHubSimulator;
  let dir: string;
  let octokit: InstanceType<typeof ProbotOctokit>;
  let clock = Date.parse("2026-12-05T10:00:00.000Z");

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sim-limits-"));
    sim = new GitHubSimulator({
      appId: 123,
      privateKey: PRIVATE_KEY,
      webhookSecret: "s",
      dataDir: dir,
      actionDir: resolve("action"),
      agentPath: [],
      now: () => new Date(clock),
    });
    await sim.start();
    const repo = await sim.createRepository("acme/web", {
      files: { "README.md": "# Web\n" },
      roles: { alice: "write" },
    });
    sim.openIssue(repo, { title: "One", body: "", user: "alice" });
    const { token: jwt } = await githubAppJwt({
      id: 123,
      privateKey: PRIVATE_KEY,
      now: Math.floor(clock / 1000),
    });
    const { token } = (await (
      await fetch(`${sim.url}/api/v3/app/installations/2/access_tokens`, {
        method: "POST",
        headers: { authorization: `bearer ${jwt}` },
      })
    ).json()) as { token: string };
    octokit = new ProbotOctokit({
      baseUrl: `${sim.url}/api/v3`,
      auth: { token },
      throttle: { enabled: false },
      retry: { enabled: false },
    });
  });
  afterAll(async () => {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const comment = () =>
    octokit.rest.issues.createComment({
      owner: "acme",
      repo: "web",
      issue_number: 1,
      body: "hello",
    });
  const read = () =>
    octokit.rest.issues.listComments({
      owner: "acme",
      repo: "web",
      issue_number: 1,
    });
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error("GitHub would have accepted it");
      },
      (error: {
        status: number;
        response: { headers: Record<string, string>; data: unknown };
      }) => error,
    );

  it("refuses content creation past a sliding window's limit, as GitHub does, and says when to retry", async () => {
    const limiter = sim.limitRequests({
      primary: { limit: 100, windowMs: 3_600_000 },
      writes: [{ limit: 2, windowMs: 10_000 }],
      points: { limit: 900, windowMs: 60_000 },
    });
    await comment();
    clock += 4_000;
    await comment();
    await read();
    const error = await refusal(comment());
    expect(error.status).toBe(403);
    expect(error.response.headers["retry-after"]).toBe("6");
    expect(error.response.data).toEqual({
      message: expect.stringMatching(
        /^You have exceeded a secondary rate limit and have been temporarily blocked from content creation\. Please retry your request again later\./,
      ),
      documentation_url:
        "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
      status: "403",
    });
    expect(validateRestSchema("basic-error", error.response.data)).toEqual([]);
    clock += 6_000;
    await comment();
    expect(limiter.counts).toEqual({
      primary: 0,
      secondary: 1,
      mostWrites: [2],
    });
  });

  it("counts points, a write 5 and a read 1", async () => {
    const limiter = sim.limitRequests({
      primary: { limit: 100, windowMs: 3_600_000 },
      writes: [],
      points: { limit: 11, windowMs: 60_000 },
    });
    await comment();
    await comment();
    await read();
    const error = await refusal(read());
    expect(error.status).toBe(403);
    expect(error.response.data).toMatchObject({
      message: expect.stringMatching(
        /^You have exceeded a secondary rate limit\. Please wait a few minutes/,
      ),
    });
    expect(limiter.counts.secondary).toBe(1);
  });

  it("refuses past the primary limit with x-ratelimit-remaining 0 until the reset", async () => {
    clock += 3_600_000;
    const limiter = sim.limitRequests({
      ...githubLimits(),
      primary: { limit: 2, windowMs: 3_600_000 },
    });
    const first = await read();
    expect(first.headers).toMatchObject({
      "x-ratelimit-limit": "2",
      "x-ratelimit-remaining": "1",
      "x-ratelimit-used": "1",
      "x-ratelimit-reset": String(Math.ceil((clock + 3_600_000) / 1000)),
      "x-ratelimit-resource": "core",
    });
    await read();
    const error = await refusal(comment());
    expect(error.status).toBe(403);
    expect(error.response.headers).toMatchObject({
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(Math.ceil((clock + 3_600_000) / 1000)),
    });
    expect(error.response.data).toEqual({
      message: "API rate limit exceeded for installation ID 2.",
      documentation_url:
        "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
      status: "403",
    });
    expect(validateRestSchema("basic-error", error.response.data)).toEqual([]);
    clock += 3_600_000;
    await read();
    expect(limiter.counts.primary).toBe(1);
  });
});

/**
 * GitHub's limits with a minute shrunk to 10 s and an hour to 10 minutes,
 * and the content-creation limit lowered to 15 writes in 10 s: low enough
 * that the burst below goes over it when nothing paces the App, even on a
 * busy machine (its first writes, a reaction to each comment and the runs'
 * tracking comments, come nearly at once).
 */
const SCALE = 1 / 6;
const LIMITS: SimulatedLimits = {
  ...githubLimits(SCALE),
  writes: [
    { limit: 15, windowMs: 10_000 },
    { limit: 500, windowMs: 600_000 },
  ],
};
/** The App's budgets on the same windows: 12 writes in a (10 s) minute. */
const PACED = {
  SPECWRIGHT_PACING: "on",
  SPECWRIGHT_PACING_WINDOW_SCALE: String(SCALE),
  SPECWRIGHT_PACING_WRITES_PER_MINUTE: "12",
};
const COMMENTS = 12;
const TIMEOUT = 420_000;

describe("a burst of /specify comments in one installation", () => {
  let world: World | undefined;

  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  /** Twelve issues, each commented `/specify` at once; the agent holds the stage. */
  async function burst(appEnv: Record<string, string>) {
    const w = await World.create({
      appEnv,
      runners: 1,
      agent: { "acme/web:specify": "held" },
    });
    world = w;
    const repo = await w.repository();
    const limiter = w.sim.limitRequests(LIMITS);
    await w.startApp();
    const issues = Array.from({ length: COMMENTS }, (_, i) =>
      w.sim.openIssue(repo, {
        title: `Feature ${i + 1}`,
        body: `Feature number ${i + 1}.`,
        user: "alice",
      }),
    );
    for (const issue of issues)
      w.sim.comment(repo, issue, "/specify Add it", "alice");
    return { w, repo, issues, limiter };
  }

  function tracked(w: World, repo: Repository, issue: number): boolean {
    return w.sim
      .commentsOn(repo, issue)
      .some((c) => c.body.includes("<!-- specwright:run="));
  }

  it("queues inside the budget: GitHub would have refused nothing, and every run starts", {
    timeout: TIMEOUT,
  }, async () => {
    const { w, repo, issues, limiter } = await burst(PACED);
    await w.until(
      "every run to dispatch its specify stage",
      () => w.sim.workflowRunsOf(repo).length === COMMENTS,
      TIMEOUT - 60_000,
    );
    await w.until("every issue's tracking comment", () =>
      issues.every((issue) => tracked(w, repo, issue)),
    );
    expect(limiter.counts.primary).toBe(0);
    expect(limiter.counts.secondary).toBe(0);
    // Paced, not merely slow: the writes filled the budget's windows (12
    // in 10 s, counted when the App takes room: a request's trip can put
    // one more in a window as GitHub sees it, still under its 15).
    expect(limiter.counts.mostWrites[0]).toBeGreaterThanOrEqual(10);
    expect(w.problems()).toEqual([]);
    expect(w.log).not.toMatch(/rate limit/i);
    // Nothing lost: one run per comment, each with its stage dispatched.
    const runs = await w.runs();
    expect(runs).toHaveLength(COMMENTS);
    for (const run of runs) {
      expect(run.stages.find((s) => s.id === "specify")?.attempts).toHaveLength(
        1,
      );
    }
  });

  it("without pacing, the same burst goes over GitHub's limit", {
    timeout: TIMEOUT,
  }, async () => {
    const { w, repo, limiter } = await burst({ SPECWRIGHT_PACING: "off" });
    await w.until(
      "GitHub to refuse a request, or every run to dispatch",
      () =>
        limiter.counts.secondary > 0 ||
        w.sim.workflowRunsOf(repo).length === COMMENTS,
      TIMEOUT - 60_000,
    );
    expect(limiter.counts).toMatchObject({
      secondary: expect.any(Number),
      mostWrites: [15, expect.any(Number)],
    });
    expect(limiter.counts.secondary).toBeGreaterThan(0);
  });
});
