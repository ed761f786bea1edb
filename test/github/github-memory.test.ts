import { ProbotOctokit } from "probot";
import { describe, expect, it, vi } from "vitest";
import type { RunState } from "../../src/engine/run-state.js";
import { commitChanges } from "../../src/github/commit-changes.js";
import type { EffectContext } from "../../src/github/effect-context.js";
import { GitHubMemory } from "../../src/github/github-memory.js";
import { ensureLabels } from "../../src/github/labels.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import {
  applyAll,
  BASE_SHA,
  BRANCH,
  makeRun,
  on,
  RUN_ID,
} from "../engine/fixtures.js";
import { nockLabels } from "../mocks/issues.js";
import { github, requestLog } from "../support/github.js";

const TestOctokit = ProbotOctokit.defaults((options: object) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));
const REPO = "/repos/acme/web";

/** Requests GitHub saw while `act` ran, as "METHOD path". */
async function requestsOf(act: () => Promise<unknown>): Promise<string[]> {
  const before = requestLog.length;
  await act();
  return requestLog.slice(before).map((r) => `${r.method} ${r.path}`);
}

describe("what the App remembers from GitHub instead of asking again", () => {
  const { state } = applyAll(makeRun(DEFAULT_WORKFLOW_SOURCE), [on.start()]);
  let clock = new Date("2026-11-21T10:00:00.000Z");
  const now = () => clock;

  function context(memory: GitHubMemory, run: RunState = state): EffectContext {
    return {
      octokit: new TestOctokit({ auth: "token" }),
      state: run,
      retries: 0,
      now,
      log: { info: vi.fn(), warn: vi.fn() },
      memory,
    };
  }

  it("makes sure of a repository's labels once an hour, not at every run", async () => {
    clock = new Date("2026-11-21T10:00:00.000Z");
    const memory = new GitHubMemory({ now });
    const { created } = nockLabels(false);
    await ensureLabels(context(memory));
    expect(created.map((label) => label.name)).toEqual([
      "specwright:implement",
      "specwright:specify",
    ]);
    // The next run in the repository: no request (strict nock would fail).
    expect(await requestsOf(() => ensureLabels(context(memory)))).toEqual([]);
    // Another repository is looked at.
    github()
      .get("/repos/acme/api/labels/specwright%3Aimplement")
      .reply(200, { id: 1, name: "specwright:implement" })
      .get("/repos/acme/api/labels/specwright%3Aspecify")
      .reply(200, { id: 2, name: "specwright:specify" });
    await ensureLabels(context(memory, { ...state, repo: "api" }));
    // An hour on, someone may have deleted one: looked at again.
    clock = new Date("2026-11-21T11:00:01.000Z");
    nockLabels(true);
    expect(await requestsOf(() => ensureLabels(context(memory)))).toHaveLength(
      2,
    );
  });

  it("makes sure of a repository's labels once for runs that start together", async () => {
    const memory = new GitHubMemory({ now });
    const { created } = nockLabels(false);
    const sent = await requestsOf(() =>
      Promise.all([1, 2, 3].map(() => ensureLabels(context(memory)))),
    );
    // One look (strict nock would fail a second), both labels made once.
    expect(sent.filter((r) => r.startsWith("GET"))).toHaveLength(2);
    expect(created.map((label) => label.name)).toEqual([
      "specwright:implement",
      "specwright:specify",
    ]);
  });

  it("shares a failed look with the runs waiting on it; the next run looks again", async () => {
    const memory = new GitHubMemory({ now });
    github()
      .get("/repos/acme/web/labels/specwright%3Aimplement")
      .delay(20)
      .reply(500, { message: "boom" });
    const outcomes = await Promise.allSettled(
      [1, 2].map(() => ensureLabels(context(memory))),
    );
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    nockLabels(true);
    expect(await requestsOf(() => ensureLabels(context(memory)))).toHaveLength(
      2,
    );
  });

  it("builds a commit on the tree of the commit it made before, without reading it", async () => {
    const memory = new GitHubMemory();
    const first = "c".repeat(40);
    const second = "d".repeat(40);
    const trees: unknown[] = [];
    const commit = (parent: string, sha: string, tree: string) => {
      github()
        .post(`${REPO}/git/trees`, (body: { base_tree: string }) => {
          trees.push(body.base_tree);
          return true;
        })
        .reply(201, { sha: tree })
        .post(
          `${REPO}/git/commits`,
          (body: { parents: string[] }) => body.parents[0] === parent,
        )
        .reply(201, { sha, tree: { sha: tree } })
        .patch(`${REPO}/git/refs/${encodeURIComponent(`heads/${BRANCH}`)}`)
        .reply(200, {});
    };
    const request = (parent: string, stage: string) => ({
      branch: BRANCH,
      parent,
      message: `specwright(${stage}): ${stage}`,
      trailers: { "Specwright-Run": RUN_ID, "Specwright-Stage": stage },
      files: [
        {
          path: `${stage}.md`,
          mode: "100644" as const,
          encoding: "utf8" as const,
          content: `# ${stage}\n`,
        },
      ],
    });
    // The base commit is not the App's: read once.
    github()
      .get(`${REPO}/git/commits/${BASE_SHA}`)
      .reply(200, {
        sha: BASE_SHA,
        message: "m",
        tree: { sha: "1".repeat(40) },
      });
    commit(BASE_SHA, first, "2".repeat(40));
    expect(
      await commitChanges(context(memory), request(BASE_SHA, "specify")),
    ).toBe(first);
    // Its own commit's tree is known: no GET of the commit.
    commit(first, second, "3".repeat(40));
    const sent = await requestsOf(() =>
      commitChanges(context(memory), request(first, "plan")),
    );
    expect(sent.some((r) => r.startsWith("GET"))).toBe(false);
    expect(trees).toEqual(["1".repeat(40), "2".repeat(40)]);
  });

  it("forgets the oldest past its limit", () => {
    const memory = new GitHubMemory({ limit: 2 });
    memory.rememberTree("acme/web", "a", "ta");
    memory.rememberTree("acme/web", "b", "tb");
    memory.rememberTree("acme/web", "c", "tc");
    expect(memory.treeOf("acme/web", "a")).toBeUndefined();
    expect(memory.treeOf("acme/web", "c")).toBe("tc");
    expect(memory.treeOf("acme/api", "c")).toBeUndefined();
  });

  it("keeps the newest bundle ids a run's job named, per repository, within its limit", () => {
    const memory = new GitHubMemory({ limit: 2 });
    memory.rememberBundle("acme/web", 101, 1010);
    memory.rememberBundle("acme/web", 102, 1020);
    memory.rememberBundle("acme/web", 102, 1021);
    memory.rememberBundle("acme/web", 103, 1030);
    expect(memory.bundleOf("acme/web", 101)).toBeUndefined();
    expect(memory.bundleOf("acme/web", 102)).toBe(1021);
    expect(memory.bundleOf("acme/web", 103)).toBe(1030);
    expect(memory.bundleOf("acme/api", 103)).toBeUndefined();
  });
});
