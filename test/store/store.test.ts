import { and, asc, eq } from "drizzle-orm";
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from "vitest";
import type { Effect } from "../../src/engine/effects.js";
import type { RunEvent } from "../../src/engine/events.js";
import {
  type Attempt,
  newAttempt,
  type RunState,
} from "../../src/engine/run-state.js";
import { transition } from "../../src/engine/transition.js";
import * as schema from "../../src/store/schema.js";
import {
  Store,
  type StoredEffect,
  VersionConflict,
} from "../../src/store/store.js";
import { BACKENDS, openTestStore } from "../support/test-store.js";
import { closeTestStore } from "./close-test-store.js";
import {
  AGENT,
  at,
  fanOutWorkflow,
  newRun,
  runId,
  sha,
  specifyResult,
  stageId,
  T0,
} from "./run-fixtures.js";

const RUN = runId(1);
/** Stages started at once in the concurrency tests. */
const STAGES = 20;

const checkRunCreated = (stage: string, id: number): RunEvent => ({
  type: "check_run_created",
  stage,
  attempt: 1,
  check_run_id: id,
  at: at(2),
});

const stageDispatched = (stage: string, id: number): RunEvent => ({
  type: "stage_dispatched",
  stage,
  attempt: 1,
  workflow_run_id: id,
  workflow_run_url: `https://github.com/acme/web/actions/runs/${id}`,
  at: at(2),
});

const LEASE = 60_000;

/** `T0` plus some milliseconds. */
const later = (ms: number) => new Date(new Date(T0).getTime() + ms);

/** The events that take `specify` from dispatch to a committed result. */
const SPECIFY_DONE: RunEvent[] = [
  { type: "tracking_comment_created", comment_id: 2_500_000_001, at: at(1) },
  { type: "branch_created", sha: sha("a"), at: at(1) },
  {
    type: "check_run_created",
    stage: "specify",
    attempt: 1,
    check_run_id: 3_000_000_001,
    at: at(2),
  },
  {
    type: "stage_dispatched",
    stage: "specify",
    attempt: 1,
    workflow_run_id: 5001,
    workflow_run_url: "https://github.com/acme/web/actions/runs/5001",
    at: at(2),
  },
  {
    type: "workflow_run_updated",
    stage: "specify",
    attempt: 1,
    workflow_run_id: 5001,
    workflow_run_url: "https://github.com/acme/web/actions/runs/5001",
    status: "in_progress",
    conclusion: null,
    at: at(3),
  },
  {
    type: "workflow_run_updated",
    stage: "specify",
    attempt: 1,
    workflow_run_id: 5001,
    workflow_run_url: "https://github.com/acme/web/actions/runs/5001",
    status: "completed",
    conclusion: "success",
    at: at(5),
  },
  {
    type: "result_collected",
    stage: "specify",
    attempt: 1,
    result: specifyResult(),
    at: at(6),
  },
  {
    type: "pull_request_opened",
    number: 12,
    url: "https://github.com/acme/web/pull/12",
    at: at(7),
  },
];

/** A finished attempt, as the engine would record it. */
function attempt(overrides: Partial<Attempt>): Attempt {
  return {
    ...newAttempt(1, sha("a"), at(2), null),
    status: "succeeded",
    ...overrides,
  };
}

/** An event the engine ignores: nothing waits for approval. */
const NOTHING: RunEvent = {
  type: "approve",
  stage: "implement",
  by: "octocat",
  at: at(30),
};

describe.each(BACKENDS)("Store (%s)", (backend) => {
  let test: Awaited<ReturnType<typeof openTestStore>>;
  let store: Store;
  let now = new Date(T0);

  beforeAll(async () => {
    test = await openTestStore(backend, () => now);
    store = test.store;
  });
  afterAll(async () => {
    await closeTestStore(test);
  });
  beforeEach(async () => {
    await test.reset();
    now = new Date(T0);
  });

  function effectRows() {
    return store.db
      .select()
      .from(schema.effects)
      .orderBy(asc(schema.effects.id));
  }

  async function versionOf(id: string): Promise<number | undefined> {
    return (await store.loadRun(id))?.version;
  }

  /** Creates the run and applies `events` in order; the last result. */
  async function drive(events: RunEvent[], state: RunState = newRun()) {
    let result = await store.createRun(
      state,
      { type: "start", at: T0 },
      { agent: AGENT },
    );
    for (const event of events) {
      now = new Date(event.at);
      result = await store.apply(state.id, event);
      expect(result.applied).toBe(true);
    }
    return result;
  }

  describe("createRun", () => {
    it("inserts the run and its agent configuration, applies the first event and queues its effects", async () => {
      const start: RunEvent = { type: "start", at: T0 };
      const result = await store.createRun(newRun(), start, {
        agent: AGENT,
        delivery: { id: "d-1", event: "issue_comment" },
      });

      expect(result).toEqual({ applied: true, ...transition(newRun(), start) });
      expect(result.state?.version).toBe(1);
      expect(result.effects).toEqual([
        { kind: "create_tracking_comment" },
        { kind: "ensure_labels" },
        { kind: "create_branch" },
      ]);
      expect(await store.loadRun(RUN)).toEqual(result.state);
      const agent = await store.agentConfiguration(RUN);
      expect(agent).toMatchObject({
        runId: RUN,
        agentBackend: "claude",
        agentVersion: "1.0.0",
        promptPackVersion: AGENT.prompt_pack_version,
        runtimeEnv: { LANG: "en_US.UTF-8" },
      });
      expect(new Date(agent?.createdAt ?? "").toISOString()).toBe(T0);
      const effects = await effectRows();
      expect(effects).toMatchObject([
        {
          runId: RUN,
          kind: "create_tracking_comment",
          payload: { kind: "create_tracking_comment" },
          status: "pending",
          tries: 0,
          leasedUntil: null,
          superseded: false,
        },
        { runId: RUN, kind: "ensure_labels", status: "pending" },
        { runId: RUN, kind: "create_branch", status: "pending" },
      ]);
      expect(new Date(effects[0]?.availableAt ?? "").toISOString()).toBe(T0);
      expect(await store.hasDelivery("d-1")).toBe(true);
    });

    it("returns applied: false for a delivery it has seen, and changes nothing", async () => {
      const delivery = { id: "d-1", event: "issue_comment" };
      await store.createRun(
        newRun(),
        { type: "start", at: T0 },
        { agent: AGENT, delivery },
      );
      const before = await effectRows();

      const again = await store.createRun(
        newRun(),
        { type: "start", at: T0 },
        { agent: AGENT, delivery },
      );
      const other = await store.createRun(
        newRun({ id: runId(2) }),
        { type: "start", at: T0 },
        { agent: AGENT, delivery },
      );

      expect(again).toEqual({ applied: false, effects: [] });
      expect(other).toEqual({ applied: false, effects: [] });
      expect(await store.loadRun(runId(2))).toBeUndefined();
      expect(await store.agentConfiguration(runId(2))).toBeUndefined();
      expect(await versionOf(RUN)).toBe(1);
      expect(await effectRows()).toEqual(before);
    });

    it("stores the run as it is when the first event changes nothing", async () => {
      const result = await store.createRun(newRun(), NOTHING, {
        agent: AGENT,
      });

      expect(result).toEqual({ applied: true, state: newRun(), effects: [] });
      expect(await store.loadRun(RUN)).toEqual(newRun());
      expect(await effectRows()).toEqual([]);
    });
  });

  describe("apply", () => {
    it("loads the run, applies the event, saves it with the next version and queues the effects", async () => {
      await store.createRun(
        newRun(),
        { type: "start", at: T0 },
        { agent: AGENT },
      );
      now = new Date(at(1));

      const result = await store.apply(RUN, {
        type: "branch_created",
        sha: sha("a"),
        at: at(1),
      });

      expect(result.applied).toBe(true);
      expect(result.state).toMatchObject({
        version: 2,
        status: "in_progress",
        base_sha: sha("a"),
      });
      expect(result.state?.stages[0]).toMatchObject({
        id: "specify",
        status: "dispatched",
        attempts: [{ attempt: 1, status: "dispatched", dispatched_at: at(1) }],
      });
      expect(result.effects.map((e) => e.kind)).toEqual([
        "create_check_run",
        "dispatch_stage",
      ]);
      expect(await store.loadRun(RUN)).toEqual(result.state);
      const queued = await effectRows();
      expect(queued.map((e) => e.kind)).toEqual([
        "create_tracking_comment",
        "ensure_labels",
        "create_branch",
        "create_check_run",
        "dispatch_stage",
      ]);
      expect(queued[4]?.payload).toEqual(result.effects[1]);
      expect(new Date(queued[4]?.availableAt ?? "").toISOString()).toBe(at(1));
    });

    it("applies a delivery once, however often it arrives", async () => {
      await drive([{ type: "branch_created", sha: sha("a"), at: at(1) }]);
      const delivery = { id: "d-7", event: "check_run" };
      const event: RunEvent = {
        type: "check_run_created",
        stage: "specify",
        attempt: 1,
        check_run_id: 77,
        at: at(2),
      };

      const first = await store.apply(RUN, event, { delivery });
      const effectsAfterFirst = await effectRows();
      const second = await store.apply(
        RUN,
        { ...event, check_run_id: 78 },
        { delivery },
      );

      expect(first).toMatchObject({ applied: true, state: { version: 3 } });
      expect(second).toEqual({ applied: false, effects: [] });
      const run = await store.loadRun(RUN);
      expect(run?.version).toBe(3);
      expect(run?.stages[0]?.attempts[0]?.check_run_id).toBe(77);
      expect(await effectRows()).toEqual(effectsAfterFirst);
    });

    it("leaves the version alone and queues nothing when the event changes nothing", async () => {
      await drive([{ type: "branch_created", sha: sha("a"), at: at(1) }]);
      const before = await store.loadRun(RUN);
      const effects = await effectRows();
      const [rowBefore] = await store.db
        .select()
        .from(schema.runs)
        .where(eq(schema.runs.id, RUN));
      now = new Date(at(9));

      const result = await store.apply(RUN, {
        type: "branch_created",
        sha: sha("b"),
        at: at(9),
      });

      expect(result).toEqual({ applied: true, state: before, effects: [] });
      expect(await store.loadRun(RUN)).toEqual(before);
      expect(await effectRows()).toEqual(effects);
      const [rowAfter] = await store.db
        .select()
        .from(schema.runs)
        .where(eq(schema.runs.id, RUN));
      expect(rowAfter?.updatedAt).toBe(rowBefore?.updatedAt);
    });

    it("completes the effect that produced the event in the same transaction", async () => {
      await drive([]);
      const [comment] = await store.claimEffects(1, 60_000);
      now = new Date(at(1));

      const result = await store.apply(
        RUN,
        { type: "tracking_comment_created", comment_id: 99, at: at(1) },
        { effectId: comment?.id ?? -1 },
      );

      expect(result.state?.tracking_comment_id).toBe(99);
      const [done, labels, branch] = await effectRows();
      expect(labels?.kind).toBe("ensure_labels");
      expect(done).toMatchObject({
        kind: "create_tracking_comment",
        status: "done",
        leasedUntil: null,
        superseded: false,
      });
      expect(new Date(done?.completedAt ?? "").toISOString()).toBe(at(1));
      expect(branch).toMatchObject({
        kind: "create_branch",
        status: "pending",
      });
    });

    it("completes the effect even when its event changes nothing", async () => {
      await drive([
        { type: "tracking_comment_created", comment_id: 99, at: at(1) },
      ]);
      const [comment] = await store.claimEffects(1, 60_000);

      const result = await store.apply(
        RUN,
        { type: "tracking_comment_created", comment_id: 100, at: at(2) },
        { effectId: comment?.id ?? -1 },
      );

      expect(result).toMatchObject({ applied: true, effects: [] });
      expect(result.state?.tracking_comment_id).toBe(99);
      expect((await effectRows())[0]?.status).toBe("done");
    });

    it("leaves the effect pending when saving the event fails", async () => {
      await drive([
        { type: "branch_created", sha: sha("a"), at: at(1) },
        {
          type: "stage_dispatched",
          stage: "specify",
          attempt: 1,
          workflow_run_id: 5001,
          workflow_run_url: null,
          at: at(2),
        },
      ]);
      await drive(
        [{ type: "branch_created", sha: sha("a"), at: at(1) }],
        newRun({ id: runId(2) }),
      );
      const dispatch = (await effectRows()).find(
        (e) => e.runId === runId(2) && e.kind === "dispatch_stage",
      );

      // Workflow run 5001 belongs to the first run: the unique index refuses it.
      await expect(
        store.apply(
          runId(2),
          {
            type: "stage_dispatched",
            stage: "specify",
            attempt: 1,
            workflow_run_id: 5001,
            workflow_run_url: null,
            at: at(3),
          },
          { effectId: dispatch?.id ?? -1 },
        ),
      ).rejects.toThrow();

      const after = (await effectRows()).find((e) => e.id === dispatch?.id);
      expect(after?.status).toBe("pending");
      expect(await versionOf(runId(2))).toBe(2);
    });

    it("reports applied: false for a run it does not know", async () => {
      expect(
        await store.apply(runId(404), {
          type: "branch_created",
          sha: sha("a"),
          at: at(1),
        }),
      ).toEqual({ applied: false, effects: [] });
      expect(await effectRows()).toEqual([]);
    });
  });

  describe("concurrent writers", () => {
    /** A run with its tracking comment, started on its branch: version 3. */
    async function startedRun(state: RunState = newRun()): Promise<RunState> {
      await store.createRun(state, { type: "start", at: T0 }, { agent: AGENT });
      await store.apply(state.id, {
        type: "tracking_comment_created",
        comment_id: 99,
        at: at(1),
      });
      const result = await store.apply(state.id, {
        type: "branch_created",
        sha: sha("a"),
        at: at(1),
      });
      if (result.state === undefined) throw new Error("the run did not start");
      return result.state;
    }

    async function trackingCommentUpdates(): Promise<number> {
      const rows = await store.db
        .select({ id: schema.effects.id })
        .from(schema.effects)
        .where(eq(schema.effects.kind, "update_tracking_comment"));
      return rows.length;
    }

    it("applies many events for one run fired at once, each exactly once", async () => {
      const started = await startedRun(
        newRun({ workflow: fanOutWorkflow(STAGES, "agent") }),
      );
      expect(started.stages.every((s) => s.status === "dispatched")).toBe(true);
      const updatesBefore = await trackingCommentUpdates();
      const events = Array.from({ length: STAGES }, (_, i) => [
        checkRunCreated(stageId(i), 1000 + i),
        stageDispatched(stageId(i), 2000 + i),
      ]).flat();

      // Every event is delivered twice, the copies racing the originals.
      const results = await Promise.all(
        [...events, ...events].map((event, i) =>
          store.apply(RUN, event, {
            delivery: { id: `d-${i % events.length}`, event: event.type },
          }),
        ),
      );

      expect(results.filter((r) => r.applied)).toHaveLength(events.length);
      const versions = results.flatMap((r) => r.state?.version ?? []);
      expect(new Set(versions).size).toBe(events.length);
      const run = await store.loadRun(RUN);
      expect(run?.version).toBe(started.version + events.length);
      run?.stages.forEach((stage, i) => {
        expect(stage.attempts[0]).toMatchObject({
          check_run_id: 1000 + i,
          workflow_run_id: 2000 + i,
        });
      });
      expect((await trackingCommentUpdates()) - updatesBefore).toBe(
        events.length,
      );
    });

    it("applies approvals fired at once, each once, and ends the run once", async () => {
      const state = newRun({ workflow: fanOutWorkflow(STAGES, "gate") });
      await store.createRun(state, { type: "start", at: T0 }, { agent: AGENT });
      const started = await store.apply(RUN, {
        type: "branch_created",
        sha: sha("a"),
        at: at(1),
      });
      expect(
        started.state?.stages.every((s) => s.status === "waiting_approval"),
      ).toBe(true);
      const approvals = Array.from(
        { length: STAGES },
        (_, i): RunEvent => ({
          type: "approve",
          stage: stageId(i),
          by: `reviewer-${i}`,
          at: at(10),
        }),
      );

      // Each stage is approved twice; the second approval finds nothing to do.
      const results = await Promise.all(
        [...approvals, ...approvals].map((event) => store.apply(RUN, event)),
      );

      expect(results.every((r) => r.applied)).toBe(true);
      const run = await store.loadRun(RUN);
      expect(run?.version).toBe((started.state?.version ?? 0) + STAGES);
      expect(run).toMatchObject({ status: "no_changes", completed_at: at(10) });
      run?.stages.forEach((stage, i) => {
        expect(stage).toMatchObject({
          status: "succeeded",
          approved_by: `reviewer-${i}`,
        });
      });
    });

    it("creates one run when the same delivery starts it twice at once", async () => {
      const delivery = { id: "d-start", event: "issue_comment" };
      const results = await Promise.all(
        [runId(1), runId(2)].map((id) =>
          store.createRun(
            newRun({ id }),
            { type: "start", at: T0 },
            { agent: AGENT, delivery },
          ),
        ),
      );

      expect(results.filter((r) => r.applied)).toHaveLength(1);
      const runs = await store.db.select().from(schema.runs);
      expect(runs).toHaveLength(1);
      const effects = await store.db.select().from(schema.effects);
      expect(effects.every((e) => e.runId === runs[0]?.id)).toBe(true);
      expect(effects).toHaveLength(3);
    });

    describe("a writer that read a stale version", () => {
      /**
       * A second store on the same database whose reads for a transition return `stale`
       * (for the first `times` of them), as if another writer had committed
       * between its read and its write.
       */
      function staleWriter(stale: RunState, times: number) {
        const writer = new Store(store.db, () => now);
        const load = writer.loadForTransition.bind(writer);
        const counter = { lockedReads: 0 };
        writer.loadForTransition = async (id) => {
          const fresh = await load(id);
          counter.lockedReads++;
          return counter.lockedReads <= times ? stale : fresh;
        };
        return { writer, counter };
      }

      it("loses its save, and apply starts again from the winner's state", async () => {
        const stale = await startedRun();
        const won = await store.apply(RUN, checkRunCreated("specify", 1000), {
          delivery: { id: "d-winner", event: "check_run" },
        });
        const updatesBefore = await trackingCommentUpdates();
        const { writer, counter } = staleWriter(stale, 1);

        const result = await writer.apply(
          RUN,
          stageDispatched("specify", 2000),
          {
            delivery: { id: "d-late", event: "workflow_run" },
          },
        );

        expect(counter.lockedReads).toBe(2);
        expect(result.applied).toBe(true);
        expect(result.state?.version).toBe((won.state?.version ?? 0) + 1);
        const run = await store.loadRun(RUN);
        expect(run).toEqual(result.state);
        expect(run?.stages[0]?.attempts[0]).toMatchObject({
          check_run_id: 1000,
          workflow_run_id: 2000,
        });
        // The lost attempt's effects were rolled back with it.
        expect((await trackingCommentUpdates()) - updatesBefore).toBe(1);
        expect(await store.hasDelivery("d-late")).toBe(true);
      });

      it("gives up with VersionConflict when it keeps losing, changing nothing", async () => {
        const stale = await startedRun();
        await store.apply(RUN, checkRunCreated("specify", 1000));
        const before = await store.loadRun(RUN);
        const updatesBefore = await trackingCommentUpdates();
        const { writer, counter } = staleWriter(
          stale,
          Number.POSITIVE_INFINITY,
        );

        await expect(
          writer.apply(RUN, stageDispatched("specify", 2000), {
            delivery: { id: "d-late", event: "workflow_run" },
          }),
        ).rejects.toBeInstanceOf(VersionConflict);

        expect(counter.lockedReads).toBeGreaterThan(1);
        expect(await store.loadRun(RUN)).toEqual(before);
        expect(await trackingCommentUpdates()).toBe(updatesBefore);
        expect(await store.hasDelivery("d-late")).toBe(false);
      });
    });

    // PGlite has one connection, so a second transaction cannot be held open
    // beside another one there.
    it.runIf(backend === "postgres")(
      "makes apply wait while another transaction holds the run's row",
      async () => {
        const started = await startedRun();
        let release = () => {};
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let locked = () => {};
        const isLocked = new Promise<void>((resolve) => {
          locked = resolve;
        });
        const holder = store.db.transaction(async (tx) => {
          await store.loadRun(RUN, tx, true);
          locked();
          await held;
        });
        await isLocked;

        const applying = store.apply(RUN, checkRunCreated("specify", 1000));
        const first = await Promise.race([
          applying.then(() => "applied"),
          new Promise((resolve) => setTimeout(resolve, 300, "waiting")),
        ]);
        release();
        await holder;
        const result = await applying;

        expect(first).toBe("waiting");
        expect(result.state?.version).toBe(started.version + 1);
      },
    );
  });

  describe("save and load", () => {
    it("keeps a run the engine took through a stage exactly", async () => {
      const result = await drive(SPECIFY_DONE);

      const loaded = await store.loadRun(RUN);

      expect(loaded).toStrictEqual(result.state);
      const specify = loaded?.stages[0];
      expect(specify).toMatchObject({
        status: "succeeded",
        outputs: specifyResult().outputs,
      });
      expect(specify?.attempts).toStrictEqual([
        {
          attempt: 1,
          status: "succeeded",
          base_sha: sha("a"),
          workflow_run_id: 5001,
          workflow_run_url: "https://github.com/acme/web/actions/runs/5001",
          check_run_id: 3_000_000_001,
          conclusion: "success",
          commit_sha: sha("c"),
          commit_parent: sha("a"),
          changed_paths: ["specs/001-dark-mode/spec.md"],
          execution_path: "skill",
          selected_skill: "speckit",
          agent_version: "claude 1.0.0",
          outputs: specifyResult().outputs,
          error_message: null,
          phases: specifyResult().phases,
          usage: { input_tokens: 1200, output_tokens: 340, cost_usd: 0.0425 },
          artifacts: specifyResult().artifacts,
          findings: [],
          final_message: "Wrote specs/001-dark-mode/spec.md.",
          log_tail: null,
          warnings: specifyResult().warnings,
          trigger: null,
          cancel_requested: false,
          redispatches: 0,
          // The model it was dispatched with (the backend's default here).
          model: "claude-sonnet-4-5",
          dispatched_at: at(1),
          started_at: at(3),
          completed_at: at(6),
        },
      ]);
      expect(loaded).toMatchObject({
        version: SPECIFY_DONE.length + 1,
        head_sha: sha("c"),
        spec_dir: "specs/001-dark-mode",
        tracking_comment_id: 2_500_000_001,
        pull_request: {
          number: 12,
          url: "https://github.com/acme/web/pull/12",
        },
      });
    });

    it("keeps a run with several attempts, finished and failed, exactly", async () => {
      const state = newRun();
      state.status = "failed";
      state.result_summary = "Stage Plan failed: the agent gave up";
      state.base_sha = sha("a");
      state.head_sha = sha("c");
      state.spec_dir = "specs/001-dark-mode";
      state.pull_request = { number: 12, url: "https://github.com/x/y/pull/1" };
      state.pull_request_draft_refused = true;
      state.problems = [
        {
          kind: "cancel_workflow_run",
          stage: "plan",
          attempt: 2,
          message: "Resource not accessible by integration",
          at: at(41),
        },
      ];
      state.tracking_comment_id = 4_000_000_000;
      state.installation_id = 9_007_199_254;
      state.parameters = { depth: 3, tags: ["a", "b"], strict: false };
      state.started_at = at(1);
      state.completed_at = at(40);
      const [specify, plan] = state.stages;
      if (specify === undefined || plan === undefined) throw new Error();
      Object.assign(specify, {
        status: "succeeded",
        outputs: { spec: "specs/001-dark-mode/spec.md" },
      });
      specify.attempts = [
        attempt({
          workflow_run_id: 5001,
          commit_sha: sha("c"),
          outputs: { spec: "specs/001-dark-mode/spec.md" },
          completed_at: at(6),
        }),
      ];
      Object.assign(plan, {
        status: "failed",
        reason: "the agent gave up",
        waiting_since: at(7),
        approved_by: "hubot",
      });
      plan.attempts = [
        attempt({
          attempt: 2,
          status: "failed",
          workflow_run_id: 5003,
          error_message: "the agent gave up",
          outputs: { partial: [{ n: 1.25 }, []], empty: {} },
          usage: { turns: 0 },
          phases: [
            {
              phase: "agent",
              status: "failed",
              started_at: at(11),
              completed_at: at(19),
            },
          ],
          dispatched_at: at(10),
          started_at: at(11),
          completed_at: at(20),
        }),
        attempt({
          status: "timed_out",
          workflow_run_id: 5002,
          conclusion: "cancelled",
          execution_path: "direct_only",
          error_message: "timed out",
          dispatched_at: at(7),
          completed_at: at(9),
        }),
      ];

      const created = await store.createRun(state, NOTHING, { agent: AGENT });
      const loaded = await store.loadRun(RUN);

      expect(created.state).toBe(state);
      expect(loaded).toStrictEqual({
        ...state,
        stages: state.stages.map((stage) => ({
          ...stage,
          attempts: [...stage.attempts].sort((a, b) => a.attempt - b.attempt),
        })),
      });
    });

    it("loads a run stored before problems and refused drafts were kept", async () => {
      const state = newRun();
      await store.createRun(state, NOTHING, { agent: AGENT });
      const [row] = await store.db
        .select({ state: schema.runs.state })
        .from(schema.runs)
        .where(eq(schema.runs.id, RUN));
      const {
        problems: _,
        pull_request_draft_refused: __,
        ...old
      } = (row?.state ?? {}) as Record<string, unknown>;
      expect(old).toHaveProperty("hold");
      expect(old).not.toHaveProperty("problems");
      await store.db
        .update(schema.runs)
        .set({ state: old })
        .where(eq(schema.runs.id, RUN));
      // Another process, which reads the rows (this store keeps what it wrote).
      const reader = new Store(store.db, () => now);

      const loaded = await reader.loadRun(RUN);

      expect(loaded).toMatchObject({
        problems: [],
        pull_request_draft_refused: false,
      });
      // And the engine goes on with it: a later event is applied and kept.
      await reader.apply(RUN, {
        type: "effect_failed",
        kind: "ensure_labels",
        stage: null,
        attempt: null,
        message: "Resource not accessible by integration",
        transient: false,
        at: at(3),
      });
      expect((await store.loadRun(RUN))?.problems).toEqual([
        expect.objectContaining({ kind: "ensure_labels" }),
      ]);
    });

    it("loads an attempt stored before preflight warnings were kept", async () => {
      await drive(SPECIFY_DONE);
      const where = and(
        eq(schema.stageAttempts.runId, RUN),
        eq(schema.stageAttempts.stage, "specify"),
      );
      const [row] = await store.db
        .select({ metadata: schema.stageAttempts.metadata })
        .from(schema.stageAttempts)
        .where(where);
      const { warnings: _, ...old } = (row?.metadata ?? {}) as Record<
        string,
        unknown
      >;
      expect(old).toHaveProperty("log_tail");
      expect(old).not.toHaveProperty("warnings");
      await store.db
        .update(schema.stageAttempts)
        .set({ metadata: old })
        .where(where);
      // Another process, which reads the rows (this store keeps what it wrote).
      const loaded = await new Store(store.db, () => now).loadRun(RUN);

      expect(loaded?.stages[0]?.attempts[0]).toMatchObject({
        warnings: [],
        final_message: specifyResult().final_message,
      });
    });

    // PostgreSQL's jsonb and text cannot hold U+0000. Results never bring
    // one: the result bundle is refused before (test/contracts). The store
    // refuses one too, failing the transition and changing nothing.
    it("refuses a stage output that contains U+0000 and changes nothing", async () => {
      await drive(SPECIFY_DONE.slice(0, 6));
      const before = await store.loadRun(RUN);
      const outputs = { ...specifyResult().outputs, log: "before\u0000after" };

      await expect(
        store.apply(RUN, {
          type: "result_collected",
          stage: "specify",
          attempt: 1,
          result: specifyResult({ outputs }),
          at: at(6),
        }),
      ).rejects.toThrow();

      expect(await store.loadRun(RUN)).toEqual(before);
    });

    it("gives timestamps back as ISO 8601 in UTC", async () => {
      const state = newRun({ at: "2026-11-21T12:00:00+02:00" });
      state.started_at = "2026-11-21T10:01:00Z";

      await store.createRun(state, NOTHING, { agent: AGENT });

      expect(await store.loadRun(RUN)).toMatchObject({
        created_at: "2026-11-21T10:00:00.000Z",
        started_at: "2026-11-21T10:01:00.000Z",
        completed_at: null,
      });
    });

    it("writes one artifact row per storage path", async () => {
      await drive(SPECIFY_DONE.slice(0, 7));
      now = new Date(at(20));
      await store.apply(RUN, SPECIFY_DONE[7] as RunEvent);
      await store.apply(RUN, NOTHING);

      const rows = await store.listArtifacts(RUN);

      const [attemptRow] = await store.db
        .select()
        .from(schema.stageAttempts)
        .where(
          and(
            eq(schema.stageAttempts.runId, RUN),
            eq(schema.stageAttempts.stage, "specify"),
          ),
        );
      expect(rows).toHaveLength(2);
      expect(rows).toMatchObject([
        {
          runId: RUN,
          stageAttemptId: attemptRow?.id,
          name: "stdout.log",
          artifactType: "stdout_log",
          storagePath: "9001/stdout.log",
          contentType: "text/plain",
          sizeBytes: 2048,
          sourcePhase: "specify",
        },
        {
          name: "metrics.json",
          artifactType: "metrics_snapshot",
          storagePath: "9001/metrics.json",
          contentType: "application/json",
          sizeBytes: 120,
        },
      ]);
      expect(new Date(rows[0]?.expiresAt ?? "").toISOString()).toBe(
        "2026-12-21T10:00:00.000Z",
      );
      expect(new Date(rows[0]?.createdAt ?? "").toISOString()).toBe(at(6));
    });

    it("lists artifacts oldest first, adding those of later attempts", async () => {
      const state = newRun();
      await drive(SPECIFY_DONE.slice(0, 7), state);
      const plan: RunEvent[] = [
        {
          type: "stage_dispatched",
          stage: "plan",
          attempt: 1,
          workflow_run_id: 5002,
          workflow_run_url: null,
          at: at(8),
        },
        {
          type: "workflow_run_updated",
          stage: "plan",
          attempt: 1,
          workflow_run_id: 5002,
          workflow_run_url: "https://github.com/acme/web/actions/runs/5002",
          status: "completed",
          conclusion: "success",
          at: at(9),
        },
        {
          type: "result_collected",
          stage: "plan",
          attempt: 1,
          result: specifyResult({
            commit_sha: sha("d"),
            commit_parent: sha("c"),
            artifacts: [
              {
                type: "diff_summary",
                name: "diff.txt",
                size_bytes: 10,
                storage_path: "9002/diff.txt",
                expires_at: "2026-12-21T10:00:00.000Z",
              },
            ],
          }),
          at: at(10),
        },
      ];
      for (const event of plan) {
        now = new Date(event.at);
        await store.apply(RUN, event);
      }

      const rows = await store.listArtifacts(RUN);

      expect(rows.map((r) => [r.storagePath, r.sourcePhase])).toEqual([
        ["9001/stdout.log", "specify"],
        ["9001/metrics.json", "specify"],
        ["9002/diff.txt", "plan"],
      ]);
      expect(await store.listArtifacts(runId(2))).toEqual([]);
    });

    it("finds the stage attempt a workflow run belongs to", async () => {
      await drive(SPECIFY_DONE.slice(0, 4));

      expect(await store.findAttemptByWorkflowRun(5001)).toEqual({
        runId: RUN,
        stage: "specify",
        attempt: 1,
      });
      expect(await store.findAttemptByWorkflowRun(5002)).toBeUndefined();
    });

    it("asks once about a workflow run found to be an attempt's, every time about one not found", async () => {
      await drive(SPECIFY_DONE.slice(0, 4));
      // Another process: this one knows what its own transitions recorded.
      const reader = new Store(store.db, () => now);
      // Every statement goes through the session's prepareQuery.
      const prepared = vi.spyOn(store.db._.session, "prepareQuery");
      const lookups = () =>
        prepared.mock.calls.filter(([query]) =>
          query.sql.includes('"workflow_run_id" ='),
        ).length;
      try {
        expect(await store.findAttemptByWorkflowRun(5001)).toBeDefined();
        expect(lookups()).toBe(0);
        for (let i = 0; i < 3; i++)
          expect(await reader.findAttemptByWorkflowRun(5001)).toEqual({
            runId: RUN,
            stage: "specify",
            attempt: 1,
          });
        expect(lookups()).toBe(1);
        // Not (yet) an attempt's: it may be recorded later, so it is asked.
        await reader.findAttemptByWorkflowRun(5002);
        await reader.findAttemptByWorkflowRun(5002);
        expect(lookups()).toBe(3);
      } finally {
        prepared.mockRestore();
      }
    });

    it("finds the runs of an issue or pull request, newest first", async () => {
      const issue = (number: number) => ({
        number,
        title: "t",
        body: "",
        url: `https://github.com/acme/web/issues/${number}`,
      });
      await drive([], newRun({ id: runId(1), at: at(0) }));
      await drive([], newRun({ id: runId(2), at: at(5) }));
      await drive(
        [
          {
            type: "pull_request_opened",
            number: 12,
            url: "https://github.com/acme/web/pull/12",
            at: at(6),
          },
        ],
        newRun({ id: runId(3), at: at(2), issue: issue(9) }),
      );
      await drive([], newRun({ id: runId(4), at: at(9), repo: "api" }));
      await drive([], newRun({ id: runId(5), at: at(9), owner: "other" }));

      const ids = async (number: number) =>
        (await store.findRunsFor("acme", "web", number)).map((r) => r.id);

      expect(await ids(7)).toEqual([runId(2), runId(1)]);
      expect(await ids(9)).toEqual([runId(3)]);
      expect(await ids(12)).toEqual([runId(3)]);
      expect(await ids(404)).toEqual([]);
      const [newest] = await store.findRunsFor("acme", "web", 7);
      expect(newest).toEqual(await store.loadRun(runId(2)));
    });

    it("has no agent configuration for a run it does not know", async () => {
      expect(await store.agentConfiguration(runId(404))).toBeUndefined();
    });
  });

  describe("deliveries", () => {
    it("records a delivery once", async () => {
      expect(await store.hasDelivery("d-1")).toBe(false);

      expect(await store.recordDelivery("d-1", "issue_comment")).toBe(true);
      expect(
        await store.recordDelivery("d-1", "issue_comment", { runId: RUN }),
      ).toBe(false);

      expect(await store.hasDelivery("d-1")).toBe(true);
      expect(await store.hasDelivery("d-2")).toBe(false);
      const rows = await store.db.select().from(schema.webhookDeliveries);
      expect(rows).toMatchObject([
        { deliveryId: "d-1", event: "issue_comment", runId: null },
      ]);
      expect(new Date(rows[0]?.receivedAt ?? "").toISOString()).toBe(T0);
    });

    it("keeps the run a delivery was for", async () => {
      await store.recordDelivery("d-3", "workflow_run", { runId: RUN });

      const [row] = await store.db.select().from(schema.webhookDeliveries);

      expect(row).toMatchObject({ deliveryId: "d-3", runId: RUN });
    });

    it("keeps the reply given, finds a delivery, and forgets a claim", async () => {
      await store.recordDelivery("d-4#0", "issue_comment", {
        reply: "Nothing is waiting for approval.",
      });
      expect(await store.findDelivery("d-4#0")).toEqual({
        runId: null,
        reply: "Nothing is waiting for approval.",
      });
      expect(await store.findDelivery("d-4#1")).toBeUndefined();
      await store.forgetDelivery("d-4#0");
      expect(await store.hasDelivery("d-4#0")).toBe(false);
      expect(await store.recordDelivery("d-4#0", "issue_comment")).toBe(true);
    });

    it("lets exactly one of several simultaneous recordings win", async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          store.recordDelivery("d-race", "issue_comment"),
        ),
      );

      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe("the effect outbox", () => {
    /**
     * Starts run `n`: with an issue it queues `create_tracking_comment`,
     * `ensure_labels` and `create_branch`; without, the last two.
     */
    async function startRun(n: number, withIssue = true): Promise<void> {
      await store.createRun(
        newRun({ id: runId(n), ...(withIssue ? {} : { issue: null }) }),
        { type: "start", at: T0 },
        { agent: AGENT },
      );
    }

    /** The queued effects, oldest first, as a worker would be handed them. */
    async function queued(): Promise<StoredEffect[]> {
      const rows = await store.db
        .select()
        .from(schema.effects)
        .orderBy(asc(schema.effects.id));
      return rows.map((row) => ({
        id: row.id,
        runId: row.runId,
        effect: row.payload as Effect,
        tries: row.tries,
        runVersion: row.runVersion,
      }));
    }

    async function row(id: number) {
      const [found] = await store.db
        .select()
        .from(schema.effects)
        .where(eq(schema.effects.id, id));
      if (found === undefined) throw new Error(`no effect ${id}`);
      return found;
    }

    const iso = (value: string | null) =>
      value === null ? null : new Date(value).toISOString();

    const kinds = (effects: StoredEffect[]) =>
      effects.map((e) => [e.runId, e.effect.kind]);

    describe("claimEffects", () => {
      it("hands out the oldest pending effect of each run, several runs at once", async () => {
        await startRun(1);
        await startRun(2);
        await startRun(3, false);
        const [oneComment, oneLabels, , twoComment] = await queued();

        const claimed = await store.claimEffects(10, LEASE);

        expect(claimed).toEqual([
          {
            id: oneComment?.id,
            runId: runId(1),
            effect: { kind: "create_tracking_comment" },
            tries: 0,
            // Queued by the run's first transition.
            runVersion: 1,
          },
          {
            id: twoComment?.id,
            runId: runId(2),
            effect: { kind: "create_tracking_comment" },
            tries: 0,
            runVersion: 1,
          },
          expect.objectContaining({
            runId: runId(3),
            effect: { kind: "ensure_labels" },
          }),
        ]);
        // A run's next effect waits until the one before it is done.
        expect(await store.claimEffects(10, LEASE)).toEqual([]);

        await store.completeEffect(oneComment?.id ?? -1);

        expect(await store.claimEffects(10, LEASE)).toEqual([oneLabels]);
      });

      it("hands out no more than the limit, oldest first", async () => {
        await startRun(1);
        await startRun(2);
        await startRun(3);

        const firstBatch = await store.claimEffects(2, LEASE);
        const secondBatch = await store.claimEffects(2, LEASE);

        expect(firstBatch.map((e) => e.runId)).toEqual([runId(1), runId(2)]);
        expect(kinds(secondBatch)).toEqual([
          [runId(3), "create_tracking_comment"],
        ]);
      });

      it("claims for one run when asked", async () => {
        await startRun(1);
        await startRun(2);

        const claimed = await store.claimEffects(10, LEASE, runId(2));

        expect(kinds(claimed)).toEqual([[runId(2), "create_tracking_comment"]]);
        expect(kinds(await store.claimEffects(10, LEASE))).toEqual([
          [runId(1), "create_tracking_comment"],
        ]);
      });

      it("leases what it hands out, and counts the tries", async () => {
        await startRun(1, false);

        const [claimed] = await store.claimEffects(10, LEASE);

        expect(claimed?.tries).toBe(0);
        const leased = await row(claimed?.id ?? -1);
        expect(leased).toMatchObject({ status: "pending", tries: 1 });
        expect(iso(leased.leasedUntil)).toBe(later(LEASE).toISOString());

        now = later(LEASE - 1);
        expect(await store.claimEffects(10, LEASE)).toEqual([]);

        now = later(LEASE);
        const [again] = await store.claimEffects(10, LEASE);
        expect(again).toEqual({ ...claimed, tries: 1 });
        const released = await row(claimed?.id ?? -1);
        expect(released.tries).toBe(2);
        expect(iso(released.leasedUntil)).toBe(later(2 * LEASE).toISOString());
      });

      it("frees a worker's effects once its heartbeat stops, before the lease ends", async () => {
        await startRun(1, false);
        await store.heartbeat("worker-a", 15_000, now);
        const [claimed] = await store.claimEffects(
          10,
          LEASE,
          undefined,
          "worker-a",
        );
        expect((await row(claimed?.id ?? -1)).leasedBy).toBe("worker-a");

        // Alive: its lease holds.
        now = later(10_000);
        expect(
          await store.claimEffects(10, LEASE, undefined, "worker-b"),
        ).toEqual([]);

        // It crashed: no heartbeat for 15s, and another worker takes over.
        now = later(16_000);
        const [taken] = await store.claimEffects(
          10,
          LEASE,
          undefined,
          "worker-b",
        );
        expect(taken?.id).toBe(claimed?.id);
        expect((await row(claimed?.id ?? -1)).leasedBy).toBe("worker-b");
      });

      it("never hands one effect to two claimers at once", async () => {
        for (let n = 1; n <= 6; n++) await startRun(n);
        const heads = new Map<string, number>();
        for (const effect of await queued())
          if (!heads.has(effect.runId)) heads.set(effect.runId, effect.id);

        const batches = await Promise.all(
          Array.from({ length: 4 }, () => store.claimEffects(10, LEASE)),
        );

        const claimed = batches.flat();
        expect(claimed.length).toBeGreaterThan(0);
        expect(new Set(claimed.map((c) => c.id)).size).toBe(claimed.length);
        for (const effect of claimed)
          expect(effect.id).toBe(heads.get(effect.runId));
      });

      // The claim takes each run's oldest pending effect and locks only
      // that: when another transaction holds it (completing it on another
      // replica), the run is skipped, never its next effect handed out.
      it.runIf(backend === "postgres")(
        "hands out nothing of a run whose earlier effect is being completed",
        async () => {
          await startRun(1);
          const [head] = await store.claimEffects(10, LEASE);
          let handedOut: StoredEffect[] = [];

          await expect(
            store.db.transaction(async (tx) => {
              await tx
                .update(schema.effects)
                .set({ status: "done" })
                .where(eq(schema.effects.id, head?.id ?? -1));
              handedOut = await store.claimEffects(10, LEASE);
              throw new Error("the event could not be saved");
            }),
          ).rejects.toThrow("the event could not be saved");

          expect((await row(head?.id ?? -1)).status).toBe("pending");
          expect(kinds(handedOut)).toEqual([]);
        },
      );
    });

    describe("retryEffect", () => {
      it("puts the effect back, due at the time given", async () => {
        await startRun(1, false);
        const [claimed] = await store.claimEffects(10, LEASE);

        await store.retryEffect(claimed?.id ?? -1, "HTTP 502", later(30_000));

        const retried = await row(claimed?.id ?? -1);
        expect(retried).toMatchObject({
          status: "pending",
          lastError: "HTTP 502",
          leasedUntil: null,
          tries: 1,
        });
        expect(iso(retried.availableAt)).toBe(later(30_000).toISOString());
        now = later(29_999);
        expect(await store.claimEffects(10, LEASE)).toEqual([]);
        now = later(30_000);
        expect(await store.claimEffects(10, LEASE)).toEqual([
          { ...claimed, tries: 1 },
        ]);
      });

      it("keeps the run's later effects waiting behind the retried one", async () => {
        await startRun(1);
        const [head] = await store.claimEffects(10, LEASE);

        await store.retryEffect(head?.id ?? -1, "HTTP 502", later(30_000));

        expect(await store.claimEffects(10, LEASE)).toEqual([]);
        now = later(30_000);
        expect(kinds(await store.claimEffects(10, LEASE))).toEqual([
          [runId(1), "create_tracking_comment"],
        ]);
      });
    });

    describe("failEffect", () => {
      it("gives up on the effect and lets the run's next one go", async () => {
        await startRun(1);
        const [head] = await store.claimEffects(10, LEASE);
        now = later(5_000);

        await store.failEffect(head?.id ?? -1, "HTTP 404: Not Found");

        const failed = await row(head?.id ?? -1);
        expect(failed).toMatchObject({
          status: "failed",
          lastError: "HTTP 404: Not Found",
          leasedUntil: null,
        });
        expect(iso(failed.completedAt)).toBe(later(5_000).toISOString());
        expect(kinds(await store.claimEffects(10, LEASE))).toEqual([
          [runId(1), "ensure_labels"],
        ]);
      });
    });

    describe("completeEffect", () => {
      it("marks the effect done, and superseded when it was skipped", async () => {
        await startRun(1);
        await startRun(2);
        const [one, two] = await store.claimEffects(10, LEASE);
        now = later(1_000);

        await store.completeEffect(one?.id ?? -1);
        await store.completeEffect(two?.id ?? -1, true);

        const done = await row(one?.id ?? -1);
        const superseded = await row(two?.id ?? -1);
        expect(done).toMatchObject({
          status: "done",
          superseded: false,
          leasedUntil: null,
        });
        expect(iso(done.completedAt)).toBe(later(1_000).toISOString());
        expect(superseded).toMatchObject({ status: "done", superseded: true });
      });
    });

    /** Run 1 with its comment, branch and first check run: two tracking-comment edits queued. */
    async function runWithTwoEdits(): Promise<void> {
      await startRun(1);
      await store.apply(runId(1), {
        type: "tracking_comment_created",
        comment_id: 99,
        at: at(1),
      });
      await store.apply(runId(1), {
        type: "branch_created",
        sha: sha("a"),
        at: at(1),
      });
      await store.apply(runId(1), {
        type: "check_run_created",
        stage: "specify",
        attempt: 1,
        check_run_id: 7,
        at: at(2),
      });
    }

    /** `runWithTwoEdits`: every effect queued, and its two edits. */
    async function twoEditsQueued() {
      await runWithTwoEdits();
      const effects = await queued();
      const [first, last] = effects.filter(
        (e) => e.effect.kind === "update_tracking_comment",
      );
      if (!first || !last) throw new Error("no edits were queued");
      return { effects, first, last };
    }

    describe("hasLaterPending", () => {
      it("tells whether a later effect of the same kind waits for the run", async () => {
        await runWithTwoEdits();
        await startRun(2);
        await store.apply(runId(2), {
          type: "tracking_comment_created",
          comment_id: 100,
          at: at(1),
        });
        await store.apply(runId(2), {
          type: "branch_created",
          sha: sha("a"),
          at: at(3),
        });
        const effects = await queued();
        const updates = effects.filter(
          (e) => e.effect.kind === "update_tracking_comment",
        );
        const [firstUpdate, lastUpdate, otherRunsUpdate] = updates;
        const branch = effects.find((e) => e.effect.kind === "create_branch");
        if (!firstUpdate || !lastUpdate || !otherRunsUpdate || !branch)
          throw new Error("the effects were not queued");
        expect(updates.map((e) => e.runId)).toEqual([
          runId(1),
          runId(1),
          runId(2),
        ]);

        expect(await store.hasLaterPending(firstUpdate)).toBe(true);
        expect(await store.hasLaterPending(lastUpdate)).toBe(false);
        expect(await store.hasLaterPending(branch)).toBe(false);

        await store.completeEffect(lastUpdate.id);

        expect(await store.hasLaterPending(firstUpdate)).toBe(false);
      });
    });

    describe("claimEffects and what waits behind an edit", () => {
      it("leaves an edit a worker holds to it when a later one supersedes it", async () => {
        const { effects, first, last } = await twoEditsQueued();
        // The first edit leased to a worker before the last was queued:
        // as if the last were not there yet when it was claimed.
        await store.db
          .update(schema.effects)
          .set({ leasedUntil: later(LEASE).toISOString(), leasedBy: "w" })
          .where(eq(schema.effects.id, first.id));
        for (const effect of effects.filter(
          (e) => e.id !== first.id && e.id < last.id,
        ))
          await store.completeEffect(effect.id);

        await store.claimEffects(10, LEASE);

        expect(await row(first.id)).toMatchObject({
          status: "pending",
          superseded: false,
        });
      });

      it("marks done, superseded, an edit a later one of the same comment overwrites, and says of the last that none waits", async () => {
        const { effects, first, last } = await twoEditsQueued();
        // Everything but the two edits is done: the first is the run's oldest.
        for (const effect of effects.filter(
          (e) => e.id !== first.id && e.id < last.id,
        ))
          await store.completeEffect(effect.id);

        const [claimed] = await store.claimEffects(10, LEASE);

        // The first is not handed out: it is done at the claim, untried.
        expect(claimed).toMatchObject({
          id: last.id,
          later: { same: false, collect: false },
        });
        expect(await row(first.id)).toMatchObject({
          status: "done",
          superseded: true,
          tries: 0,
        });
        expect(await store.hasLaterPending(last)).toBe(false);
        // Other effects say nothing of what waits behind them.
        await startRun(2);
        const [other] = await store.claimEffects(10, LEASE, runId(2));
        expect(other?.effect.kind).toBe("create_tracking_comment");
        expect(other).not.toHaveProperty("later");
      });
    });

    describe("nextEffectDue", () => {
      it("says when the earliest pending effect becomes due, counting leases", async () => {
        expect(await store.nextEffectDue()).toBeUndefined();

        await startRun(1, false);
        expect(await store.nextEffectDue()).toEqual(new Date(T0));

        const [claimed] = await store.claimEffects(10, LEASE);
        expect(await store.nextEffectDue()).toEqual(later(LEASE));

        await store.retryEffect(claimed?.id ?? -1, "HTTP 502", later(30_000));
        expect(await store.nextEffectDue()).toEqual(later(30_000));

        now = later(10_000);
        await startRun(2, false);
        expect(await store.nextEffectDue()).toEqual(later(10_000));

        for (const effect of await queued()) {
          await store.completeEffect(effect.id);
        }
        expect(await store.nextEffectDue()).toBeUndefined();
      });
    });

    describe("runsWithPendingEffects", () => {
      it("lists the runs with effects due", async () => {
        await startRun(1);
        await startRun(2);
        await startRun(3, false);
        for (const effect of await queued()) {
          if (effect.runId === runId(2)) await store.completeEffect(effect.id);
          if (effect.runId === runId(3))
            await store.retryEffect(effect.id, "HTTP 502", later(30_000));
        }

        expect(await store.runsWithPendingEffects()).toEqual([runId(1)]);

        now = later(30_000);
        expect((await store.runsWithPendingEffects()).sort()).toEqual([
          runId(1),
          runId(3),
        ]);
      });
    });
  });
});
