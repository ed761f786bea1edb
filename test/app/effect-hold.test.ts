import { ProbotOctokit } from "probot";
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from "vitest";
import { EffectRunner } from "../../src/app/effect-runner.js";
import { effects as effectsTable } from "../../src/store/schema.js";
import { at, on, workflowRunId } from "../engine/fixtures.js";
import { github } from "../support/github.js";
import { dispatchedRun as dispatched } from "../support/seed-run.js";
import { openTestStore } from "../support/test-store.js";

// Edits that only show the run (a check run's, the tracking comment's) wait
// a moment by themselves; one a later effect would overwrite is not sent.

const TestOctokit = ProbotOctokit.defaults((options: object) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

const HOLD_MS = 5_000;
const CHECK_RUN = "/repos/acme/web/check-runs/900";
const COMMENT = "/repos/acme/web/issues/comments/55";

describe("edits held back a moment", () => {
  let test: Awaited<ReturnType<typeof openTestStore>>;
  let clock = new Date(at(4));

  beforeAll(async () => {
    test = await openTestStore("pglite", () => clock);
  });
  afterAll(async () => {
    await test.close();
  });
  const runners: EffectRunner[] = [];
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
  });
  beforeEach(async () => {
    await test.reset();
    clock = new Date(at(4));
  });

  function runner() {
    const made = new EffectRunner({
      store: test.store,
      octokitFor: async () => new TestOctokit({ auth: "token" }),
      log: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
      now: () => clock,
      holdMs: HOLD_MS,
    });
    runners.push(made);
    return made;
  }

  /** Time passes. */
  function later(ms: number): void {
    clock = new Date(clock.getTime() + ms);
  }

  /** Every pending effect done, as if performed. */
  async function settle(): Promise<void> {
    for (const row of await pending()) await test.store.completeEffect(row.id);
  }

  async function pending() {
    const rows = await test.store.db.select().from(effectsTable);
    return rows
      .filter((r) => r.status === "pending")
      .sort((a, b) => a.id - b.id);
  }

  /**
   * A run whose `specify` was dispatched, with its tracking comment (55) and
   * check run (900), every effect so far performed.
   */
  const dispatchedRun = () => dispatched(test.store, clock.toISOString());

  /** The check run's and the comment's edits, as sent. */
  function recordEdits() {
    const checkRuns: { status?: string; conclusion?: string }[] = [];
    const comments: string[] = [];
    const scope = github();
    scope
      .patch(CHECK_RUN, (body: { status?: string; conclusion?: string }) => {
        checkRuns.push(body);
        return true;
      })
      .times(10)
      .optionally()
      .reply(200, { id: 900 });
    scope
      .patch(COMMENT, (body: { body: string }) => {
        comments.push(body.body);
        return true;
      })
      .times(10)
      .optionally()
      .reply(200, { id: 55 });
    return { checkRuns, comments };
  }

  /** Collecting the result finds no bundle: the attempt ends, failed. */
  function noBundle() {
    github()
      .get(`/repos/acme/web/actions/runs/${workflowRunId("specify")}/artifacts`)
      .query(true)
      .reply(200, { total_count: 0, artifacts: [] });
  }

  it("a job that starts and ends within the hold makes one check-run update, the last", async () => {
    const id = await dispatchedRun();
    const sent = recordEdits();
    noBundle();
    const r = runner();

    await test.store.apply(id, on.runUpdated("specify", 1, "in_progress"));
    r.kick();
    await r.settled();
    // Held: nothing sent yet.
    expect(sent.checkRuns).toEqual([]);
    expect(sent.comments).toEqual([]);

    later(1_000);
    await test.store.apply(id, on.runUpdated("specify", 1, "completed"));
    r.kick();
    await r.settled();

    // The running update was made moot by collecting the result; the
    // attempt's end is shown once its own hold is over.
    expect(sent.checkRuns).toEqual([]);
    later(HOLD_MS);
    r.kick();
    await r.settled();
    expect(sent.checkRuns.map((b) => [b.status, b.conclusion])).toEqual([
      ["completed", "failure"],
    ]);
    expect(sent.comments).toHaveLength(1);
    expect(sent.comments[0]).toContain("is retried automatically");
    expect(await pending()).toEqual([]);
  });

  it("a job still running when the hold is over shows running", async () => {
    const id = await dispatchedRun();
    const sent = recordEdits();
    const r = runner();

    await test.store.apply(id, on.runUpdated("specify", 1, "in_progress"));
    r.kick();
    await r.settled();
    expect(sent.checkRuns).toEqual([]);

    later(HOLD_MS);
    r.kick();
    await r.settled();
    expect(sent.checkRuns.map((b) => b.status)).toEqual(["in_progress"]);
    expect(sent.comments).toHaveLength(1);
    expect(await pending()).toEqual([]);
  });

  it("a burst of changes makes one tracking-comment edit, with the last content", async () => {
    const id = await dispatchedRun();
    const sent = recordEdits();
    const r = runner();

    // Three changes in a row, each asking for an edit.
    await test.store.apply(id, on.hold("octocat", clock.toISOString()));
    r.kick();
    await r.settled();
    later(2_000);
    await test.store.apply(id, on.unhold("octocat", clock.toISOString()));
    r.kick();
    await r.settled();
    later(2_000);
    await test.store.apply(id, on.hold("octocat", clock.toISOString()));
    r.kick();
    await r.settled();
    expect(sent.comments).toEqual([]);

    later(HOLD_MS);
    r.kick();
    await r.settled();
    expect(sent.comments).toHaveLength(1);
    const state = await test.store.loadRun(id);
    expect(state?.hold?.by).toBe("octocat");
    expect(sent.comments[0]).toContain("**in progress** (on hold)");
    expect(await pending()).toEqual([]);
  });

  it("an edit a later one of the same comment supersedes is completed without reading the run", async () => {
    const id = await dispatchedRun();
    await settle();
    const sent = recordEdits();
    await test.store.apply(id, on.hold("octocat", clock.toISOString()));
    await test.store.apply(id, on.unhold("octocat", clock.toISOString()));
    await test.store.apply(id, on.hold("octocat", clock.toISOString()));
    const edits = (await pending()).filter(
      (r) => r.kind === "update_tracking_comment",
    );
    expect(edits).toHaveLength(3);
    const loads = vi.spyOn(test.store, "viewRun");
    later(HOLD_MS);
    const r = runner();
    r.kick();
    await r.settled();

    // Only the last edit is sent, and only it read the run to render it.
    expect(sent.comments).toHaveLength(1);
    expect(loads).toHaveBeenCalledTimes(1);
    const ids = new Set(edits.map((row) => row.id));
    const done = await test.store.db.select().from(effectsTable);
    expect(
      done
        .filter((row) => ids.has(row.id))
        .sort((a, b) => a.id - b.id)
        .map((row) => [row.status, row.superseded]),
    ).toEqual([
      ["done", true],
      ["done", true],
      ["done", false],
    ]);
    loads.mockRestore();
  });

  it("a run that keeps changing is shown within the hold of its first change", async () => {
    const id = await dispatchedRun();
    const sent = recordEdits();
    const r = runner();

    // A change every two seconds: each new edit folds the one before.
    for (const change of [on.hold, on.unhold, on.hold]) {
      await test.store.apply(id, change("octocat", clock.toISOString()));
      r.kick();
      await r.settled();
      later(2_000);
    }
    later(HOLD_MS - 6_000);
    expect(sent.comments).toEqual([]);
    // The hold counts from the first change, not the last (a second ago).
    r.kick();
    await r.settled();
    expect(sent.comments).toHaveLength(1);
    expect(sent.comments[0]).toContain("**in progress** (on hold)");
  });

  it("work queued behind a held edit goes first; a notice shows the run as it is before it is posted", async () => {
    const id = await dispatchedRun();
    const sent = recordEdits();
    const order: string[] = [];
    github()
      .post(`/repos/acme/web/actions/runs/${workflowRunId("specify")}/cancel`)
      .reply(202, () => {
        order.push("cancel");
        return {};
      });
    github()
      .post("/repos/acme/web/issues/42/comments")
      .reply(201, () => {
        order.push(
          `notice after ${sent.checkRuns.length} check-run and ${sent.comments.length} comment edits`,
        );
        return { id: 77 };
      });
    const r = runner();

    await test.store.apply(id, on.runUpdated("specify", 1, "in_progress"));
    r.kick();
    await r.settled();
    later(1_000);
    await test.store.apply(id, on.cancel("octocat", clock.toISOString()));
    r.kick();
    await r.settled();

    // Within the hold: the cancel went past the held edits, which the
    // cancel's own edits folded; those went out before the notice that
    // sends people to them, without waiting out the hold.
    expect(order).toEqual([
      "cancel",
      "notice after 1 check-run and 1 comment edits",
    ]);
    expect(sent.checkRuns[0]).toMatchObject({ status: "completed" });
    expect(sent.comments).toHaveLength(1);
    expect(sent.comments[0]).toContain("cancelled");
    expect(await pending()).toEqual([]);
  });

  it("idle performs what is held (tests and callers that wait for the outbox)", async () => {
    const id = await dispatchedRun();
    const sent = recordEdits();
    const r = runner();
    await test.store.apply(id, on.runUpdated("specify", 1, "in_progress"));
    r.kick();
    await r.idle();
    expect(sent.checkRuns.map((b) => b.status)).toEqual(["in_progress"]);
    expect(sent.comments).toHaveLength(1);
  });
});
