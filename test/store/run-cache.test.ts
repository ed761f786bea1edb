import type { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import type { Database } from "../../src/store/database.js";
import { Store } from "../../src/store/store.js";
import { BACKENDS, openTestStore } from "../support/test-store.js";
import { closeTestStore, poolOf } from "./close-test-store.js";
import {
  AGENT,
  at,
  fanOutWorkflow,
  newRun,
  runId,
  sha,
  stageId,
  T0,
} from "./run-fixtures.js";

const RUN = runId(1);

const checkRunCreated = (stage: string, id: number): RunEvent => ({
  type: "check_run_created",
  stage,
  attempt: 1,
  check_run_id: id,
  at: at(2),
});

describe.each(BACKENDS)(
  "the store's runs, read and written (%s)",
  (backend) => {
    let test: Awaited<ReturnType<typeof openTestStore>>;
    const now = new Date(T0);
    /** The SQL statements `store` sent, in order. */
    let sent: string[] = [];
    let store: Store;

    beforeAll(async () => {
      test = await openTestStore(backend, () => now);
    });
    afterAll(async () => {
      await closeTestStore(test);
    });
    beforeEach(async () => {
      await test.reset();
      // A store of its own (an empty cache) that logs what it sends.
      const logger = { logQuery: (query: string) => sent.push(query) };
      const pool = poolOf(test.store);
      const db = pool
        ? drizzlePostgres(pool, { logger })
        : drizzlePglite(test.store.pglite as PGlite, { logger });
      store = new Store(db as unknown as Database, () => now);
      sent = [];
    });

    /**
     * Statements sent while `action` ran; the writes of one statement
     * (`OneStatement`: `with w0 as (…), w1 as (…) select …`) each on its
     * own, then what the statement selects (`select …`).
     */
    async function sentBy(action: () => Promise<unknown>): Promise<string[]> {
      sent = [];
      await action();
      return sent.flatMap(partsOf);
    }

    const reads = (statements: string[], table: string) =>
      statements.filter(
        (s) => s.startsWith("select") && s.includes(`"${table}"`),
      );
    const writes = (statements: string[], table: string) =>
      statements.filter(
        (s) => /^(insert into|update)/.test(s) && s.includes(`"${table}"`),
      );

    /** A run of three stages started at once, each with its attempt. */
    async function threeStagesRunning() {
      await store.createRun(
        newRun({ workflow: fanOutWorkflow(3, "agent") }),
        { type: "start", at: T0 },
        { agent: AGENT },
      );
      await store.apply(RUN, {
        type: "branch_created",
        sha: sha("a"),
        at: at(1),
      });
      const state = await store.loadRun(RUN);
      expect(state?.stages.map((s) => s.attempts.length)).toEqual([1, 1, 1]);
      return state;
    }

    it("reads a run it wrote with one look at its version, not its rows", async () => {
      const written = await threeStagesRunning();

      const statements = await sentBy(() => store.loadRun(RUN));

      expect(reads(statements, "stage_attempts")).toEqual([]);
      expect(reads(statements, "runs")).toEqual([
        expect.stringMatching(/^select "version" from "runs"/),
      ]);
      expect(await store.loadRun(RUN)).toEqual(written);
    });

    it("gives each reader its own copy", async () => {
      await threeStagesRunning();
      const first = await store.loadRun(RUN);
      if (first === undefined) throw new Error("no run");
      first.status = "failed";
      (first.stages[0] as { id: string }).id = "changed";

      const second = await store.loadRun(RUN);

      expect(second?.status).toBe("in_progress");
      expect(second?.stages[0]?.id).toBe(stageId(0));
    });

    it("reads the rows again once another process changed the run", async () => {
      await threeStagesRunning();
      const other = new Store(test.store.db, () => now);
      const changed = await other.apply(RUN, checkRunCreated(stageId(1), 77));

      const statements = await sentBy(() => store.loadRun(RUN));

      expect(reads(statements, "stage_attempts")).toHaveLength(1);
      expect(await store.loadRun(RUN)).toEqual(changed.state);
      // And a transition on top of it starts from there.
      const next = await store.apply(RUN, checkRunCreated(stageId(2), 78));
      expect(next.state?.version).toBe((changed.state?.version ?? 0) + 1);
      expect(
        next.state?.stages.map((s) => s.attempts[0]?.check_run_id ?? null),
      ).toEqual([null, 77, 78]);
    });

    it("writes only the attempt an event changed, and reads nothing back", async () => {
      await threeStagesRunning();

      const statements = await sentBy(() =>
        store.apply(RUN, checkRunCreated(stageId(0), 1000)),
      );

      // Only the column that changed, not the attempt's whole row.
      expect(writes(statements, "stage_attempts")).toEqual([
        expect.stringMatching(
          /^update "stage_attempts" set "check_run_id" = \$\d+ where/,
        ),
      ]);
      expect(reads(statements, "stage_attempts")).toEqual([]);
      expect(reads(statements, "artifacts")).toEqual([]);
      // The run's document (its stages, the workflow) did not change.
      const [runUpdate, ...more] = writes(statements, "runs");
      expect(more).toEqual([]);
      expect(runUpdate).toMatch(/^update "runs" set "version" = /);
      expect(runUpdate).not.toContain('"state"');
      const loaded = await new Store(test.store.db).loadRun(RUN);
      expect(loaded?.stages[0]?.attempts[0]?.check_run_id).toBe(1000);
      expect(loaded).toEqual(await store.loadRun(RUN));
    });

    describe("in a transition, the run this process holds", () => {
      it("takes the run it holds into a transition without a look at its version", async () => {
        await threeStagesRunning();

        const statements = await sentBy(() =>
          store.apply(RUN, checkRunCreated(stageId(0), 1000)),
        );

        expect(reads(statements, "runs")).toEqual([]);
        expect(writes(statements, "runs")).toEqual([
          expect.stringMatching(
            /^update "runs" set "version" = .* where \("runs"\."id" = \$\d+ and "runs"\."version" = \$\d+\)/,
          ),
        ]);
      });

      it("sends a transition as one statement: the delivery, the effect's completion, the run, its attempt, the effects and events", async () => {
        await threeStagesRunning();
        const [effect] = await store.claimEffects(1, 60_000);
        if (effect === undefined) throw new Error("no effect queued");

        sent = [];
        await store.apply(RUN, checkRunCreated(stageId(0), 1000), {
          delivery: { id: "d-1", event: "check_run" },
          effectId: effect.id,
        });

        expect(sent).toHaveLength(1);
        const parts = partsOf(sent[0] ?? "");
        expect(parts[0]).toMatch(/^insert into "webhook_deliveries"/);
        expect(parts.filter((p) => /^update "effects"/.test(p))).toHaveLength(
          1,
        );
        expect(writes(parts, "runs")).toHaveLength(1);
        expect(writes(parts, "stage_attempts")).toHaveLength(1);
        expect(parts.at(-1)).toMatch(/specwright_require/);
        expect(await store.hasDelivery("d-1")).toBe(true);
      });

      it("finds out at its save that another writer changed the run, and applies the event to what that writer made", async () => {
        await threeStagesRunning();
        const other = new Store(test.store.db, () => now);
        const changed = await other.apply(RUN, checkRunCreated(stageId(1), 77));

        const next = await store.apply(RUN, checkRunCreated(stageId(2), 78));

        expect(next.state?.version).toBe((changed.state?.version ?? 0) + 1);
        expect(
          next.state?.stages.map((s) => s.attempts[0]?.check_run_id ?? null),
        ).toEqual([null, 77, 78]);
        expect(await new Store(test.store.db).loadRun(RUN)).toEqual(next.state);
      });

      it("checks the version when the event changes nothing of what it holds", async () => {
        await threeStagesRunning();
        await store.apply(RUN, checkRunCreated(stageId(0), 1000));
        const other = new Store(test.store.db, () => now);
        const changed = await other.apply(RUN, checkRunCreated(stageId(1), 77));

        const again = await store.apply(RUN, checkRunCreated(stageId(0), 1000));

        // The run as the other writer left it, not as this store held it.
        expect(again.state).toEqual(changed.state);
      });

      it("is taken by one transition at a time: two side by side both apply, neither starts again", async () => {
        await threeStagesRunning();
        const before = (await store.loadRun(RUN))?.version ?? 0;

        const statements = await sentBy(() =>
          Promise.all([
            store.apply(RUN, checkRunCreated(stageId(0), 1000)),
            store.apply(RUN, checkRunCreated(stageId(1), 1001)),
          ]),
        );

        // Two saves, no conflict (a lost save would make three or more).
        expect(writes(statements, "runs")).toHaveLength(2);
        expect(reads(statements, "runs")).toEqual([]);
        const after = await new Store(test.store.db).loadRun(RUN);
        expect(after?.version).toBe(before + 2);
        expect(
          after?.stages.map((s) => s.attempts[0]?.check_run_id ?? null),
        ).toEqual([1000, 1001, null]);
      });
    });

    it("lends the run as stored to a reader (no copy), frozen under test; loadRun hands out a copy to keep", async () => {
      await threeStagesRunning();

      const viewed = await store.viewRun(RUN);
      const again = await store.viewRun(RUN);
      const kept = await store.loadRun(RUN);

      expect(again).toBe(viewed);
      expect(Object.isFrozen(viewed)).toBe(true);
      expect(Object.isFrozen(viewed?.stages[0]?.attempts[0])).toBe(true);
      expect(kept).toEqual(viewed);
      expect(kept).not.toBe(viewed);
      expect(Object.isFrozen(kept)).toBe(false);
    });

    it("shares what a transition left as it was (the workflow, settings, parameters, attempts it did not change) between the versions it holds, and still holds what a read gives", async () => {
      await threeStagesRunning();
      const before = await store.viewRun(RUN);

      await store.apply(RUN, checkRunCreated(stageId(0), 1000));
      const after = await store.viewRun(RUN);

      expect(after?.version).toBe((before?.version ?? 0) + 1);
      expect(after?.workflow).toBe(before?.workflow);
      expect(after?.settings).toBe(before?.settings);
      expect(after?.parameters).toBe(before?.parameters);
      expect(after?.stages).not.toBe(before?.stages);
      // The attempt the event changed is read again; the others are kept.
      expect(after?.stages[0]?.attempts[0]).not.toBe(
        before?.stages[0]?.attempts[0],
      );
      expect(after?.stages[1]?.attempts[0]).toBe(
        before?.stages[1]?.attempts[0],
      );
      expect(after?.stages[0]?.attempts[0]?.check_run_id).toBe(1000);
      expect(await new Store(test.store.db).loadRun(RUN)).toEqual(after);
    });

    it("lends an effect the run it holds when that is at the version the effect was queued at or later, with no look", async () => {
      const running = await threeStagesRunning();
      const [effect] = await store.claimEffects(1, 60_000);
      // Queued by the run's first transition; the run moved on since.
      expect(effect?.runVersion).toBe(1);
      expect(running?.version).toBeGreaterThan(1);

      const statements = await sentBy(() =>
        store.viewRun(RUN, effect?.runVersion),
      );

      expect(statements).toEqual([]);
    });

    it("looks at the run for an effect queued at a later version than it holds (another process moved it on)", async () => {
      const running = await threeStagesRunning();
      const other = new Store(test.store.db, () => now);
      const changed = await other.apply(RUN, checkRunCreated(stageId(1), 77));

      const statements = await sentBy(async () => {
        expect(await store.viewRun(RUN, (running?.version ?? 0) + 1)).toEqual(
          changed.state,
        );
      });

      expect(reads(statements, "runs")).toHaveLength(2);
      expect(reads(statements, "stage_attempts")).toHaveLength(1);
    });

    it("knows the workflow run an attempt recorded without asking, once the transition committed", async () => {
      await threeStagesRunning();
      await store.apply(RUN, {
        type: "stage_dispatched",
        stage: stageId(1),
        attempt: 1,
        workflow_run_id: 5001,
        workflow_run_url: "https://github.com/acme/web/actions/runs/5001",
        at: at(2),
      });

      const statements = await sentBy(async () => {
        expect(await store.findAttemptByWorkflowRun(5001)).toEqual({
          runId: RUN,
          stage: stageId(1),
          attempt: 1,
        });
      });

      expect(statements).toEqual([]);
      // One not recorded is asked about.
      expect(
        await sentBy(() => store.findAttemptByWorkflowRun(5002)),
      ).toHaveLength(1);
    });

    it("makes no write for an event that changes nothing", async () => {
      await threeStagesRunning();
      await store.apply(RUN, checkRunCreated(stageId(0), 1000));

      const statements = await sentBy(() =>
        store.apply(RUN, checkRunCreated(stageId(0), 1000)),
      );

      expect(
        statements.filter((s) => /^(insert|update|delete)/.test(s)),
      ).toEqual([]);
    });
  },
);

/** A statement's parts: each `wN as (…)` of a `OneStatement`, and its select. */
function partsOf(statement: string): string[] {
  if (!statement.startsWith("with w0 as (")) return [statement];
  const parts: string[] = [];
  let at = 0;
  for (;;) {
    const open = statement.slice(at).match(/^(with |, )(w\d+|last) as \(/);
    if (!open) break;
    const start = at + open[0].length;
    let depth = 1;
    let end = start;
    while (depth > 0) {
      const c = statement[end++];
      if (c === "(") depth++;
      else if (c === ")") depth--;
    }
    if (open[2] !== "last") parts.push(statement.slice(start, end - 1));
    at = end;
  }
  parts.push(`one statement: ${statement.slice(at).trim()}`);
  return parts;
}
