import { setTimeout as sleep } from "node:timers/promises";
import { asc } from "drizzle-orm";
import type pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { effects as effectsTable } from "../../src/store/schema.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import { at, makeRun, on } from "../engine/fixtures.js";
import {
  dispatchedRun as dispatched,
  TEST_AGENT,
} from "../support/seed-run.js";
import { BACKENDS, openTestStore } from "../support/test-store.js";
import { poolOf } from "./close-test-store.js";

// The outbox's side of held edits: work queued behind one goes past it, the
// edit keeps its place and its hold, and a later edit that folds earlier
// ones is held from the first of them.

const HOLD_MS = 5_000;
const LEASE_MS = 60_000;
const HELD = ["update_check_run", "update_tracking_comment"];

describe.each(BACKENDS)("held edits in the outbox (%s)", (backend) => {
  let test: Awaited<ReturnType<typeof openTestStore>>;
  let clock = new Date(at(4));

  beforeAll(async () => {
    test = await openTestStore(backend, () => clock);
  });
  afterAll(async () => {
    await test.close();
  });
  beforeEach(async () => {
    await test.reset();
    clock = new Date(at(4));
  });

  function later(ms: number): void {
    clock = new Date(clock.getTime() + ms);
  }

  async function pending() {
    const rows = await test.store.db
      .select()
      .from(effectsTable)
      .orderBy(asc(effectsTable.id));
    return rows.filter((r) => r.status === "pending");
  }

  const claim = (holdMs = HOLD_MS) =>
    test.store.claimEffects(8, LEASE_MS, undefined, "w", holdMs);

  /** A run whose `specify` was dispatched, every effect so far performed. */
  const dispatchedRun = () => dispatched(test.store, clock.toISOString());

  it("holds an edit by itself until its hold is over", async () => {
    const id = await dispatchedRun();
    const queuedAt = clock.getTime();
    await test.store.apply(id, on.runUpdated("specify", 1, "in_progress"));
    expect((await pending()).map((r) => r.kind)).toEqual(HELD);

    expect(await claim()).toEqual([]);
    expect((await test.store.nextEffectDue(HOLD_MS))?.getTime()).toBe(
      queuedAt + HOLD_MS,
    );
    later(HOLD_MS);
    expect((await claim()).map((e) => e.effect.kind)).toEqual([
      "update_check_run",
    ]);
  });

  it("lets work queued behind a held edit go past it; the edit keeps its hold, from the first change it shows", async () => {
    const id = await dispatchedRun();
    const queuedAt = clock.getTime();
    await test.store.apply(id, on.runUpdated("specify", 1, "in_progress"));
    expect(await claim()).toEqual([]);

    later(1_000);
    await test.store.apply(id, on.cancel("octocat", clock.toISOString()));
    await test.store.heartbeat("w", 60_000, clock);
    // Work is due at once: the cancel.
    expect((await test.store.nextEffectDue(HOLD_MS))?.getTime()).toBe(
      clock.getTime(),
    );
    const handed = await claim();
    expect(handed.map((e) => e.effect.kind)).toEqual(["cancel_workflow_run"]);

    // The cancel's own edits folded the earlier ones; what stays is held
    // from the first change (the job running), not from the cancel.
    const edits = await pending();
    expect(edits.map((r) => r.kind).sort()).toEqual([
      "cancel_workflow_run",
      "post_notice",
      ...HELD,
    ]);
    for (const edit of edits.filter((r) => HELD.includes(r.kind)))
      expect(new Date(edit.createdAt).getTime()).toBe(queuedAt);
    const superseded = (await test.store.db.select().from(effectsTable)).filter(
      (r) => r.superseded,
    );
    expect(superseded.map((r) => r.kind).sort()).toEqual(HELD);

    // Its hold is over, but the cancel is still being performed: the run's
    // effects are never performed two at a time.
    later(HOLD_MS);
    expect(await claim()).toEqual([]);
    await test.store.completeEffect(handed[0]?.id ?? -1);
    expect((await claim()).map((e) => e.effect.kind)).toEqual([
      "update_check_run",
    ]);
  });

  it("holds no edit with a notice queued behind it", async () => {
    const id = await dispatchedRun();
    await test.store.apply(id, on.runUpdated("specify", 1, "in_progress"));
    expect(await claim()).toEqual([]);
    // A notice for a person, queued right after the edits.
    const now = clock.toISOString();
    await test.store.db.insert(effectsTable).values({
      runId: id,
      kind: "post_notice",
      payload: {
        kind: "post_notice",
        notice: { type: "stage_failed", stage: "specify" },
        key: "specify-failed",
      },
      status: "pending",
      availableAt: now,
      createdAt: now,
    });
    expect((await claim()).map((e) => e.effect.kind)).toEqual([
      "update_check_run",
    ]);
  });

  it("shows a stage's check run where it got to before the next check run is created; the comment's edit stays held", async () => {
    const id = await dispatchedRun();
    await test.store.apply(id, on.runUpdated("specify", 1, "in_progress"));
    const now = clock.toISOString();
    await test.store.db.insert(effectsTable).values({
      runId: id,
      kind: "create_check_run",
      payload: { kind: "create_check_run", stage: "plan", attempt: 1 },
      status: "pending",
      availableAt: now,
      createdAt: now,
    });
    const [edit] = await claim();
    expect(edit?.effect.kind).toBe("update_check_run");
    await test.store.completeEffect(edit?.id ?? -1);
    // The tracking comment's edit is still held: the check run goes past.
    expect((await claim()).map((e) => e.effect.kind)).toEqual([
      "create_check_run",
    ]);
    expect((await pending()).map((r) => r.kind)).toEqual([
      "update_tracking_comment",
      "create_check_run",
    ]);
  });

  it("posts the tracking comment a moment late, letting the run start, but before its pull request opens", async () => {
    const state = makeRun(DEFAULT_WORKFLOW_SOURCE);
    await test.store.createRun(
      state,
      on.start(clock.toISOString()),
      TEST_AGENT,
    );
    const handOut = async () => {
      const claimed = await claim();
      for (const effect of claimed) await test.store.completeEffect(effect.id);
      return claimed.map((e) => e.effect.kind);
    };
    expect(await handOut()).toEqual(["ensure_labels"]);
    expect(await handOut()).toEqual(["create_branch"]);
    expect(await handOut()).toEqual([]);
    const now = clock.toISOString();
    await test.store.db.insert(effectsTable).values({
      runId: state.id,
      kind: "open_pull_request",
      payload: { kind: "open_pull_request" },
      status: "pending",
      availableAt: now,
      createdAt: now,
    });
    expect(await handOut()).toEqual(["create_tracking_comment"]);
    expect(await handOut()).toEqual(["open_pull_request"]);
  });

  it("folds a tracking-comment edit into a move of the comment queued after it", async () => {
    const id = await dispatchedRun();
    await test.store.apply(id, on.runUpdated("specify", 1, "in_progress"));
    await test.store.apply(id, on.pullRequestOpened(12));
    const kinds = (await pending()).map((r) => r.kind);
    expect(kinds).toEqual([
      "update_check_run",
      "update_tracking_comment",
      "move_tracking_comment",
    ]);
    expect((await claim()).map((e) => e.effect.kind)).toEqual([
      "move_tracking_comment",
    ]);
    const folded = (await test.store.db.select().from(effectsTable)).filter(
      (r) => r.superseded,
    );
    expect(folded.map((r) => r.kind)).toEqual(["update_tracking_comment"]);
  });

  it("without a hold, hands an edit out at once", async () => {
    const id = await dispatchedRun();
    await test.store.apply(id, on.runUpdated("specify", 1, "in_progress"));
    expect((await claim(0)).map((e) => e.effect.kind)).toEqual([
      "update_check_run",
    ]);
  });

  it("hands a held edit whose hold is over out before work queued after it", async () => {
    const id = await dispatchedRun();
    await test.store.apply(id, on.runUpdated("specify", 1, "in_progress"));
    later(HOLD_MS);
    await test.store.apply(id, on.cancel("octocat", clock.toISOString()));
    const handed = await claim();
    // The cancel's edits folded the held ones, which were past their hold:
    // the first of what is left goes first, in the run's order.
    const [first] = await pending();
    expect(handed.map((e) => e.id)).toEqual([first?.id]);
  });

  it("keeps an edit past its hold waiting while later work of its run is performed, unless that worker died", async () => {
    const id = await dispatchedRun();
    await test.store.apply(id, on.runUpdated("specify", 1, "in_progress"));
    later(1_000);
    await test.store.apply(id, on.runUpdated("specify", 1, "completed"));
    await test.store.heartbeat("w", 15_000, clock);
    expect((await claim()).map((e) => e.effect.kind)).toEqual([
      "collect_result",
    ]);
    const claimAsOther = () =>
      test.store.claimEffects(8, LEASE_MS, undefined, "other", HOLD_MS);

    // The check run's edit, queued before the collection, is past its hold;
    // the collection is still being performed by a live worker.
    later(HOLD_MS);
    expect(await claimAsOther()).toEqual([]);
    // Nothing is due before the collection's lease ends (or it is done,
    // which looks again): no look every second meanwhile.
    expect((await test.store.nextEffectDue(HOLD_MS))?.getTime()).toBe(
      clock.getTime() - HOLD_MS + LEASE_MS,
    );

    // That worker stops beating: its lease is void, the edit goes first.
    later(15_000);
    expect((await claimAsOther()).map((e) => e.effect.kind)).toEqual([
      "update_check_run",
    ]);
  });

  // Each claim is one statement at read committed: its snapshot is taken
  // when it starts. A claim that started before another's lease committed
  // and reaches the effect after it must see the lease, not hand the
  // effect out twice (a CI run caught four claims at once doing it).
  it.runIf(backend === "postgres")(
    "never hands out past its hold an effect another claim leased after this claim began",
    async () => {
      const id = await dispatchedRun();
      await test.store.apply(id, on.runUpdated("specify", 1, "in_progress"));
      later(1_000);
      await test.store.apply(id, on.runUpdated("specify", 1, "completed"));
      await test.store.heartbeat("w", 15_000, clock);
      const collect = (await pending()).find(
        (r) => r.kind === "collect_result",
      );
      const pool = poolOf(test.store);
      if (collect === undefined || pool === undefined)
        throw new Error("no collection, or no pool");

      // Another claim leases the collection (the run's anchor, its held
      // edit, is not locked by it), and has not committed yet.
      const other = await pool.connect();
      try {
        await other.query("begin");
        await other.query(
          "update effects set leased_until = $1, leased_by = 'w', tries = tries + 1 where id = $2",
          [new Date(clock.getTime() + LEASE_MS).toISOString(), collect.id],
        );
        const claiming = claim();
        await waitForLockWait(pool);
        await other.query("commit");

        expect(await claiming).toEqual([]);
      } finally {
        other.release();
      }
      const [row] = (await pending()).filter((r) => r.id === collect.id);
      expect(row?.tries).toBe(1);
    },
  );
});

/** Waits until a statement on `pool` waits for a row lock. */
async function waitForLockWait(pool: pg.Pool): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await pool.query(
      "select 1 from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()",
    );
    if (rows.length > 0) return;
    await sleep(10);
  }
  throw new Error("no statement came to wait for the lock");
}
