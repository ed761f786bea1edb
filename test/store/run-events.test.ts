import { asc } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import type { ProgressEvent } from "../../src/engine/progress/progress-event.js";
import { commentGateCommands } from "../../src/engine/progress/progress-event.js";
import { progressEvents } from "../../src/engine/progress/progress-events.js";
import type { RunState } from "../../src/engine/run-state.js";
import { transition } from "../../src/engine/transition.js";
import * as schema from "../../src/store/schema.js";
import {
  type RunEventNote,
  Store,
  VersionConflict,
} from "../../src/store/store.js";
import { Workflow } from "../../src/workflow/schema.js";
import { BACKENDS, openTestStore } from "../support/test-store.js";
import { closeTestStore } from "./close-test-store.js";
import {
  AGENT,
  at,
  newRun,
  runId,
  sha,
  specifyResult,
  T0,
} from "./run-fixtures.js";

const RUN = runId(1);

/** An agent stage, then a gate that waits on it. */
const REVIEWED = Workflow.parse({
  name: "Reviewed",
  stages: [
    { id: "specify", type: "agent" },
    { id: "review", type: "gate", depends_on: ["specify"] },
  ],
});

const START: RunEvent = { type: "start", at: T0 };

/** From the branch to the gate waiting, then approved: the run's whole life. */
const LIFE: RunEvent[] = [
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
  { type: "approve", stage: "review", by: "octocat", at: at(9) },
];

/** The progress events the engine derives from the same states, said as comment commands. */
function expectedEvents(state: RunState, events: RunEvent[]): ProgressEvent[] {
  const out: ProgressEvent[] = [];
  let current = state;
  for (const event of [START, ...events]) {
    const next = transition(current, event).state;
    out.push(
      ...progressEvents(current, next, {
        at: event.at,
        gateCommands: commentGateCommands,
      }),
    );
    current = next;
  }
  return out;
}

describe.each(BACKENDS)("run events (%s)", (backend) => {
  let test: Awaited<ReturnType<typeof openTestStore>>;
  let store: Store;
  let now = new Date(T0);
  let notes: RunEventNote[] = [];

  beforeAll(async () => {
    test = await openTestStore(backend, () => now);
    store = test.store;
    store.onEventsCommitted((note) => notes.push(note));
  });
  afterAll(async () => {
    await closeTestStore(test);
  });
  beforeEach(async () => {
    await test.reset();
    now = new Date(T0);
    notes = [];
  });

  async function drive(
    events: RunEvent[],
    state = newRun({ workflow: REVIEWED }),
  ) {
    await store.createRun(state, START, { agent: AGENT });
    for (const event of events) {
      now = new Date(event.at);
      await store.apply(state.id, event);
    }
  }

  async function eventRows() {
    return store.db
      .select()
      .from(schema.runEvents)
      .orderBy(asc(schema.runEvents.id));
  }

  it("records a run's progress events in order, as the engine derives them", async () => {
    await drive(LIFE);

    const stored = await store.runEventsAfter(RUN, null);

    expect(stored.map((e) => e.event)).toEqual(
      expectedEvents(newRun({ workflow: REVIEWED }), LIFE),
    );
    expect(
      stored.map(({ event }) =>
        "stage" in event ? `${event.event} ${event.stage}` : event.event,
      ),
    ).toEqual([
      "run_started",
      "stage_started specify",
      "stage_completed specify",
      "gate_waiting review",
      "stage_completed review",
      "run_completed",
    ]);
    const ids = stored.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(await store.latestRunEventId(RUN)).toBe(ids.at(-1));
  });

  it("says how to approve and reject a waiting gate with the comment commands", async () => {
    await drive(LIFE.slice(0, -1));

    const gate = (await store.runEventsAfter(RUN, null)).find(
      (e) => e.event.event === "gate_waiting",
    );

    expect(gate?.event).toEqual({
      event: "gate_waiting",
      run_id: RUN,
      at: at(6),
      stage: "review",
      approve: "/approve review",
      reject: "/reject review",
    });
  });

  it("records the run starting in the transaction that creates it", async () => {
    await store.createRun(newRun({ workflow: REVIEWED }), START, {
      agent: AGENT,
    });

    const rows = await eventRows();

    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      runId: RUN,
      event: "run_started",
      data: {
        event: "run_started",
        run_id: RUN,
        at: T0,
        feature: "Add a dark mode toggle",
        workflow: "Reviewed",
        branch: "speckit/20261121/abc123",
        stages: ["specify", "review"],
      },
    });
    expect(new Date(rows[0]?.createdAt ?? "").toISOString()).toBe(T0);
    expect(notes).toEqual([{ runId: RUN, id: rows[0]?.id }]);
  });

  it("reads the events after an id, at most the limit given", async () => {
    await drive(LIFE);
    const all = await store.runEventsAfter(RUN, null);
    const second = all[1]?.id ?? 0;

    expect(await store.runEventsAfter(RUN, second)).toEqual(all.slice(2));
    expect(await store.runEventsAfter(RUN, second, 2)).toEqual(all.slice(2, 4));
    expect(await store.runEventsAfter(RUN, all.at(-1)?.id ?? 0)).toEqual([]);
    expect(await store.runEventsAfter(runId(2), null)).toEqual([]);
  });

  it("keeps each run's events apart", async () => {
    await drive(LIFE.slice(0, 2));
    await drive(LIFE.slice(0, 2), newRun({ id: runId(2), workflow: REVIEWED }));

    const first = await store.runEventsAfter(RUN, null);
    const second = await store.runEventsAfter(runId(2), null);

    expect(first.map((e) => e.event.run_id)).toEqual([RUN]);
    expect(second.map((e) => e.event.run_id)).toEqual([runId(2)]);
    expect(await store.latestRunEventId(runId(2))).toBe(second[0]?.id);
  });

  it("says a run has no events yet with null", async () => {
    // Created by an event that changes nothing: still queued.
    await store.createRun(newRun(), LIFE[8] as RunEvent, { agent: AGENT });

    expect(await store.latestRunEventId(RUN)).toBeNull();
    expect(await store.latestRunEventId(runId(9))).toBeNull();
    expect(await store.runEventsAfter(RUN, null)).toEqual([]);
    expect(notes).toEqual([]);
  });

  it("records nothing for a transition that changes nothing", async () => {
    await drive(LIFE.slice(0, 2));
    const before = await eventRows();
    notes = [];

    const result = await store.apply(RUN, {
      type: "approve",
      stage: "review",
      by: "octocat",
      at: at(3),
    });

    expect(result.applied).toBe(true);
    expect(await eventRows()).toEqual(before);
    expect(notes).toEqual([]);
  });

  it("records nothing for a delivery seen before", async () => {
    await drive(LIFE.slice(0, 1));
    const delivery = { id: "d-branch", event: "create" };
    await store.apply(RUN, LIFE[1] as RunEvent, { delivery });
    const before = await eventRows();

    const again = await store.apply(RUN, LIFE[1] as RunEvent, { delivery });

    expect(again.applied).toBe(false);
    expect(await eventRows()).toEqual(before);
  });

  it("tells the store's listeners once per transition that wrote events, after the commit", async () => {
    await drive(LIFE);

    const events = await store.runEventsAfter(RUN, null);
    // One note per transition, carrying its last event's id.
    expect(notes.map((n) => n.runId)).toEqual(notes.map(() => RUN));
    expect(notes.at(-1)).toEqual({ runId: RUN, id: events.at(-1)?.id });
    expect(notes.map((n) => n.id)).toEqual(
      [...new Set(notes.map((n) => n.id))].sort((a, b) => a - b),
    );
    expect(notes.length).toBeLessThan(events.length);
  });

  it("gives the run with the id of its latest event", async () => {
    await drive(LIFE.slice(0, 4));

    const loaded = await store.loadRunWithEventId(RUN);

    expect(loaded?.state).toEqual(await store.loadRun(RUN));
    expect(loaded?.lastEventId).toBe(await store.latestRunEventId(RUN));
    expect(await store.loadRunWithEventId(runId(9))).toBeUndefined();
  });

  describe("a writer that read a stale version", () => {
    /** A second store whose first `times` reads for a transition return `stale`. */
    function staleWriter(stale: RunState, times: number) {
      const writer = new Store(store.db, () => now);
      const load = writer.loadForTransition.bind(writer);
      let lockedReads = 0;
      writer.loadForTransition = async (id) => {
        const fresh = await load(id);
        lockedReads++;
        return lockedReads <= times ? stale : fresh;
      };
      const writerNotes: RunEventNote[] = [];
      writer.onEventsCommitted((note) => writerNotes.push(note));
      return { writer, writerNotes };
    }

    it("records the events once, from the winner's state, when it retries", async () => {
      await drive(LIFE.slice(0, 4));
      const stale = await store.loadRun(RUN);
      if (!stale) throw new Error("no run");
      await store.apply(RUN, LIFE[4] as RunEvent);
      const { writer, writerNotes } = staleWriter(stale, 1);

      await writer.apply(RUN, LIFE[5] as RunEvent);
      await writer.apply(RUN, LIFE[6] as RunEvent);

      const names = (await store.runEventsAfter(RUN, null)).map(
        ({ event }) => event.event,
      );
      expect(names).toEqual([
        "run_started",
        "stage_started",
        "stage_completed",
        "gate_waiting",
      ]);
      expect(writerNotes).toHaveLength(1);
    });

    it("records nothing and tells nobody when it gives up", async () => {
      await drive(LIFE.slice(0, 5));
      const stale = await store.loadRun(RUN);
      if (!stale) throw new Error("no run");
      await store.apply(RUN, LIFE[5] as RunEvent);
      const before = await eventRows();
      const { writer, writerNotes } = staleWriter(
        stale,
        Number.POSITIVE_INFINITY,
      );

      await expect(
        writer.apply(RUN, LIFE[6] as RunEvent),
      ).rejects.toBeInstanceOf(VersionConflict);

      expect(await eventRows()).toEqual(before);
      expect(writerNotes).toEqual([]);
    });
  });
});
