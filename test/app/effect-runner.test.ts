import { ProbotOctokit } from "probot";
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from "vitest";
import { ClientPool } from "../../src/app/client-pool.js";
import { EffectRunner } from "../../src/app/effect-runner.js";
import { effects as effectsTable } from "../../src/store/schema.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import { makeRun, on } from "../engine/fixtures.js";
import { github } from "../support/github.js";
import { openTestStore } from "../support/test-store.js";

const TestOctokit = ProbotOctokit.defaults((options: object) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

describe("the effect runner", () => {
  let test: Awaited<ReturnType<typeof openTestStore>>;
  let clock = new Date("2026-11-21T10:00:00.000Z");

  beforeAll(async () => {
    test = await openTestStore("pglite", () => clock);
  });
  afterAll(async () => {
    await test.close();
  });
  beforeEach(async () => {
    await test.reset();
    clock = new Date("2026-11-21T10:00:00.000Z");
  });

  function runner() {
    const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const value = new EffectRunner({
      store: test.store,
      octokitFor: async () => new TestOctokit({ auth: "token" }),
      log,
      now: () => clock,
      maxTries: 3,
    });
    return { runner: value, log };
  }

  /**
   * A queued run without an issue whose labels are made already: its one
   * pending effect is create_branch.
   */
  async function queuedRun() {
    const state = makeRun(DEFAULT_WORKFLOW_SOURCE, { issue: null });
    await test.store.createRun(state, on.start(clock.toISOString()), {
      agent: {
        backend: "claude",
        version: null,
        prompt_pack_version: "1",
        runtime_env: {},
      },
    });
    const labels = (await effectRows()).find((e) => e.kind === "ensure_labels");
    await test.store.completeEffect(labels?.id ?? -1);
    return state.id;
  }

  /** The effects still pending or given up on, oldest first. */
  async function effectRows() {
    const rows = await test.store.db.select().from(effectsTable);
    return rows.filter((r) => r.status !== "done").sort((a, b) => a.id - b.id);
  }

  it("retries a transient failure later, with back-off, then gives up and fails the run", async () => {
    const id = await queuedRun();
    const { runner: r, log } = runner();
    github()
      .get("/repos/acme/web/branches/main")
      .times(3)
      .reply(502, { message: "Bad Gateway" });

    r.kick();
    await r.idle();
    let [row] = await effectRows();
    expect(row).toMatchObject({
      status: "pending",
      tries: 1,
      lastError: "Bad Gateway",
    });
    expect(Date.parse(row?.availableAt ?? "") - clock.getTime()).toBe(2_000);

    // Nothing is due yet: kicking again does nothing.
    r.kick();
    await r.idle();
    expect((await effectRows())[0]?.tries).toBe(1);

    clock = new Date(clock.getTime() + 2_000);
    r.kick();
    await r.idle();
    [row] = await effectRows();
    expect(row).toMatchObject({ status: "pending", tries: 2 });
    expect(Date.parse(row?.availableAt ?? "") - clock.getTime()).toBe(4_000);

    clock = new Date(clock.getTime() + 4_000);
    r.kick();
    await r.idle();
    [row] = await effectRows();
    expect(row).toMatchObject({
      status: "failed",
      tries: 3,
      lastError: "Bad Gateway",
    });
    const run = await test.store.loadRun(id);
    expect(run).toMatchObject({
      status: "failed",
      result_summary: "Could not create the feature branch: Bad Gateway",
    });
    expect(log.warn).toHaveBeenCalledWith(
      expect.stringContaining("giving up on create_branch"),
    );
    await r.stop();
  });

  it("hands each effect's client back, whether it worked or not, and the next one reuses it", async () => {
    await queuedRun();
    const make = vi.fn(async () => new TestOctokit({ auth: "token" }));
    const clients = new ClientPool({ make });
    const acquire = vi.spyOn(clients, "acquire");
    const release = vi.spyOn(clients, "release");
    const r = new EffectRunner({
      store: test.store,
      octokitFor: (id) => clients.acquire(id),
      releaseOctokit: (id, octokit) => clients.release(id, octokit),
      log: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
      now: () => clock,
      maxTries: 2,
    });
    github()
      .get("/repos/acme/web/branches/main")
      .twice()
      .reply(502, { message: "Bad Gateway" });

    r.kick();
    await r.idle();
    clock = new Date(clock.getTime() + 2_000);
    r.kick();
    await r.idle();

    // Two tries (and what failing the run asked), each client handed back
    // after it failed or worked; one client made for them all.
    expect((await effectRows())[0]).toMatchObject({ status: "failed" });
    expect(acquire.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(release).toHaveBeenCalledTimes(acquire.mock.calls.length);
    expect(make).toHaveBeenCalledTimes(1);
    await r.stop();
  });

  it("waits as long as GitHub asks after a rate limit, not just the back-off", async () => {
    await queuedRun();
    const { runner: r, log } = runner();
    github()
      .get("/repos/acme/web/branches/main")
      .reply(
        403,
        { message: "You have exceeded a secondary rate limit." },
        { "retry-after": "120" },
      );
    r.kick();
    await r.idle();
    const [row] = await effectRows();
    expect(row).toMatchObject({ status: "pending", tries: 1 });
    expect(Date.parse(row?.availableAt ?? "") - clock.getTime()).toBe(120_000);
    expect(log.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        "retrying in 120s: You have exceeded a secondary rate limit.",
      ),
    );
    await r.stop();
  });

  it("gives up at once on a failure that retrying cannot fix", async () => {
    const id = await queuedRun();
    const { runner: r } = runner();
    github()
      .get("/repos/acme/web/branches/main")
      .reply(403, { message: "Resource not accessible by integration" });
    r.kick();
    await r.idle();
    expect((await effectRows())[0]).toMatchObject({
      status: "failed",
      tries: 1,
    });
    expect((await test.store.loadRun(id))?.result_summary).toMatch(
      /^Could not create the feature branch: Resource not accessible by integration/,
    );
    await r.stop();
  });

  it("sends only the last of the tracking-comment edits queued for a run, and marks the others superseded", async () => {
    const state = makeRun(DEFAULT_WORKFLOW_SOURCE);
    await test.store.createRun(state, on.start(clock.toISOString()), {
      agent: {
        backend: "claude",
        version: null,
        prompt_pack_version: "1",
        runtime_env: {},
      },
    });
    await test.store.apply(state.id, on.trackingCommentCreated(555));
    for (const row of await effectRows()) {
      await test.store.completeEffect(row.id);
    }
    // A burst: five events, each asking for the comment to be brought up
    // to date, queued before the runner gets to any.
    const now = clock.toISOString();
    await test.store.db.insert(effectsTable).values(
      Array.from({ length: 5 }, () => ({
        runId: state.id,
        kind: "update_tracking_comment",
        payload: { kind: "update_tracking_comment" },
        status: "pending",
        availableAt: now,
        createdAt: now,
      })),
    );
    const bodies: string[] = [];
    github()
      .patch(
        "/repos/acme/web/issues/comments/555",
        (body: { body: string }) => {
          bodies.push(body.body);
          return true;
        },
      )
      .reply(200, { id: 555 });
    const { runner: r } = runner();
    r.kick();
    await r.idle();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toContain("<!-- specwright:run=");
    const rows = (await test.store.db.select().from(effectsTable)).filter(
      (row) => row.kind === "update_tracking_comment",
    );
    expect(rows.map((row) => [row.status, row.superseded])).toEqual([
      ["done", true],
      ["done", true],
      ["done", true],
      ["done", true],
      ["done", false],
    ]);
    await r.stop();
  });

  it("shows an effect GitHub refuses for good in the tracking comment, and the run goes on", async () => {
    const state = makeRun(DEFAULT_WORKFLOW_SOURCE);
    await test.store.createRun(state, on.start(clock.toISOString()), {
      agent: {
        backend: "claude",
        version: null,
        prompt_pack_version: "1",
        runtime_env: {},
      },
    });
    await test.store.apply(state.id, on.trackingCommentCreated(555));
    await test.store.apply(state.id, on.branchCreated());
    for (const row of await effectRows()) {
      await test.store.completeEffect(row.id);
    }
    const now = clock.toISOString();
    await test.store.db.insert(effectsTable).values({
      runId: state.id,
      kind: "open_pull_request",
      payload: { kind: "open_pull_request" },
      status: "pending",
      availableAt: now,
      createdAt: now,
    });
    const edits: string[] = [];
    github()
      .post("/repos/acme/web/pulls")
      .reply(403, { message: "Resource not accessible by integration" })
      .patch(
        "/repos/acme/web/issues/comments/555",
        (body: { body: string }) => {
          edits.push(body.body);
          return true;
        },
      )
      .reply(200, { id: 555 });
    const { runner: r, log } = runner();
    r.kick();
    await r.idle();
    expect(log.warn).toHaveBeenCalledWith(
      expect.stringContaining("giving up on open_pull_request"),
    );
    const run = await test.store.loadRun(state.id);
    expect(run?.status).toBe("in_progress");
    expect(run?.problems).toEqual([
      expect.objectContaining({
        kind: "open_pull_request",
        message: expect.stringMatching(
          /^Resource not accessible by integration/,
        ),
      }),
    ]);
    expect(edits).toHaveLength(1);
    expect(edits[0]).toContain(
      "Could not open the pull request: Resource not accessible by integration",
    );
    await r.stop();
  });

  it("forgets a failure once the same effect works, and the comment stops showing it", async () => {
    const state = makeRun(DEFAULT_WORKFLOW_SOURCE);
    await test.store.createRun(state, on.start(clock.toISOString()), {
      agent: {
        backend: "claude",
        version: null,
        prompt_pack_version: "1",
        runtime_env: {},
      },
    });
    await test.store.apply(state.id, on.trackingCommentCreated(555));
    await test.store.apply(state.id, {
      type: "effect_failed",
      kind: "ensure_labels",
      stage: null,
      attempt: null,
      message: "Server Error",
      transient: true,
      at: clock.toISOString(),
    });
    for (const row of await effectRows()) {
      await test.store.completeEffect(row.id);
    }
    const now = clock.toISOString();
    await test.store.db.insert(effectsTable).values({
      runId: state.id,
      kind: "ensure_labels",
      payload: { kind: "ensure_labels" },
      status: "pending",
      availableAt: now,
      createdAt: now,
    });
    const edits: string[] = [];
    github()
      .get("/repos/acme/web/labels/specwright%3Aimplement")
      .reply(200, { name: "specwright:implement" })
      .get("/repos/acme/web/labels/specwright%3Aspecify")
      .reply(200, { name: "specwright:specify" })
      .patch(
        "/repos/acme/web/issues/comments/555",
        (body: { body: string }) => {
          edits.push(body.body);
          return true;
        },
      )
      .reply(200, { id: 555 });
    const { runner: r } = runner();
    r.kick();
    await r.idle();
    expect((await test.store.loadRun(state.id))?.problems).toEqual([]);
    expect(edits).toHaveLength(1);
    expect(edits[0]).not.toContain("Could not create the");
    await r.stop();
  });

  it("picks up the effects a previous process left", async () => {
    const id = await queuedRun();
    // A previous process claimed the effect and died: its lease runs out.
    await test.store.claimEffects(10, 60_000);
    const { runner: r } = runner();
    r.kick();
    await r.idle();
    expect((await effectRows())[0]).toMatchObject({
      status: "pending",
      tries: 1,
    });

    clock = new Date(clock.getTime() + 61_000);
    github()
      .get("/repos/acme/web/branches/main")
      .reply(200, {
        name: "main",
        commit: {
          sha: "a".repeat(40),
          commit: { tree: { sha: "t".repeat(40) } },
        },
      })
      .post("/repos/acme/web/git/refs")
      .reply(422, { message: "Reference already exists" })
      .get(
        `/repos/acme/web/git/ref/${encodeURIComponent("heads/speckit/20250102/k3x9")}`,
      )
      .reply(200, {
        ref: "refs/heads/speckit/20250102/k3x9",
        object: { sha: "a".repeat(40) },
      })
      .post("/repos/acme/web/check-runs")
      .reply(201, { id: 1 })
      .post("/repos/acme/web/actions/workflows/specwright.yml/dispatches")
      .reply(204);
    r.kick();
    await r.idle();
    // The second try took the branch the first had made, and went on.
    const run = await test.store.loadRun(id);
    expect(run?.status).toBe("in_progress");
    expect(run?.stages[0]?.status).toBe("dispatched");
    await r.stop();
  });
});
