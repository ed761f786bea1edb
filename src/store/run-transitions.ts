import { randomUUID } from "node:crypto";
import type { Effect } from "../engine/effects.js";
import type { RunEvent } from "../engine/events.js";
import type { RepositorySpendSource } from "../engine/repository-spend.js";
import type { RunState } from "../engine/run-state.js";
import type { Database } from "./database.js";
import { deliveryInsert } from "./deliveries.js";
import { effectCompletion } from "./effect-outbox.js";
import { OneStatement, Refused } from "./one-statement.js";
import { insertSql, type PlainSql, plainSql } from "./plain-sql.js";
import {
  asStored,
  ownCopy,
  type RunCache,
  type StoredRun,
  storedFrom,
} from "./run-cache.js";
import type { RunEventNote } from "./run-event-note.js";
import { recordRunEvents } from "./run-events.js";
import {
  insertRun,
  RUN_CHANGED,
  saveRun,
  VersionConflict,
} from "./save-run.js";
import * as schema from "./schema.js";
import { transitionWithSpend } from "./transition-with-spend.js";

export interface ApplyOptions {
  /** The webhook delivery this event came from: applied at most once. */
  delivery?: { id: string; event: string };
  /** The effect that produced this event, completed in the same transaction. */
  effectId?: number;
}

export interface ApplyResult {
  /** False when the delivery had been seen before, or the run does not exist. */
  applied: boolean;
  state?: RunState;
  effects: Effect[];
}

/** The agent configuration a run starts with. */
export interface AgentSnapshot {
  backend: string;
  version: string | null;
  prompt_pack_version: string;
  runtime_env: Record<string, string>;
}

/** What a transition needs of the store. */
export interface TransitionContext {
  db: Database;
  now: () => string;
  /**
   * The run for a transition: the one this process holds, else read (see
   * `RunCache`). Nothing is locked: the save writes only at its version.
   */
  loadForTransition: (runId: string) => Promise<RunState | undefined>;
  /** The repository spend, for runs with a repository budget. */
  spend: RepositorySpendSource;
  /** The runs last read or committed, kept once a statement committed. */
  runs: RunCache;
  /** Told after the commit when the transition wrote run events. */
  committed: (note: RunEventNote) => void;
  /** Told of the run as each transition stored it, after the commit. */
  saved: (state: RunState) => void;
}

const MAX_CONFLICT_RETRIES = 8;

/** The refusal of a write whose delivery was acted on before. */
const DELIVERY_SEEN = "the delivery was seen before";

/** A write's result, and the events it wrote (told once it committed). */
interface Outcome {
  result: ApplyResult;
  note?: RunEventNote | undefined;
  /** The run as the write stored it, kept once it committed. */
  stored?: StoredRun | undefined;
}

const NOT_APPLIED: ApplyResult = { applied: false, effects: [] };

/**
 * Creates a run and applies its first event in one statement, with its
 * agent configuration snapshot and its first progress events. Not applied
 * if the delivery was seen before.
 */
export async function createRun(
  ctx: TransitionContext,
  state: RunState,
  event: RunEvent,
  options: ApplyOptions & { agent: AgentSnapshot },
): Promise<ApplyResult> {
  const { db } = ctx;
  const now = ctx.now();
  const next = await transitionWithSpend(state, event, ctx.spend);
  const write = statementFor(options, state.id, now);
  const saved = insertRun(write, next, now);
  write.write(
    insertSql(schema.agentConfigurations, [
      {
        id: randomUUID(),
        runId: state.id,
        agentBackend: options.agent.backend,
        agentVersion: options.agent.version,
        promptPackVersion: options.agent.prompt_pack_version,
        runtimeEnv: options.agent.runtime_env,
        createdAt: now,
      },
    ]),
  );
  recordRunEvents(write, {
    before: state,
    after: next.state,
    at: event.at,
    now,
  });
  try {
    const { lastEventId } = await write.run(db);
    return committed(ctx, {
      result: { applied: true, state: next.state, effects: next.effects },
      note: noteOf(state.id, lastEventId),
      stored: asStored(next.state, saved.attemptIds, saved.row, saved.kept),
    });
  } catch (error) {
    if (refused(error, DELIVERY_SEEN)) return NOT_APPLIED;
    throw error;
  }
}

/**
 * Applies an event to a run: load (see `loadForTransition`), transition,
 * then write it all in one statement that holds only if the run is still
 * at the version read (see `saveRun`). Starts again from a fresh read when
 * another writer won; a lost write's effects and events are undone with
 * it.
 */
export async function applyEvent(
  ctx: TransitionContext,
  runId: string,
  event: RunEvent,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return committed(ctx, await applyOnce(ctx, runId, event, options));
    } catch (error) {
      if (refused(error, DELIVERY_SEEN)) return NOT_APPLIED;
      if (!refused(error, RUN_CHANGED)) throw error;
      // Another writer won: what this process holds of the run is old.
      ctx.runs.delete(runId);
      if (attempt >= MAX_CONFLICT_RETRIES)
        throw new VersionConflict(`run ${runId} changed under us`);
    }
  }
}

async function applyOnce(
  ctx: TransitionContext,
  runId: string,
  event: RunEvent,
  options: ApplyOptions,
): Promise<Outcome> {
  const { db } = ctx;
  const now = ctx.now();
  const write = statementFor(options, runId, now);
  // A run this process holds is taken as held, without a look (RunCache).
  const unchecked = ctx.runs.latest(runId) !== undefined;
  const current = await ctx.loadForTransition(runId);
  if (current === undefined) {
    await write.run(db);
    return { result: NOT_APPLIED };
  }
  if (options.effectId !== undefined)
    write.write(effectCompletion(options.effectId, now));
  const next = await transitionWithSpend(current, event, ctx.spend);
  if (next.state === current) {
    // Nothing to save, so nothing checks the version: a run taken from the
    // cache, or read before what is written now, is checked here, its row
    // locked until the commit (the event may change what another writer
    // made).
    if (unchecked || !write.empty)
      write.require(versionHeld(runId, current.version), RUN_CHANGED);
    await write.run(db);
    return { result: { applied: true, state: ownCopy(current), effects: [] } };
  }
  const saved = await saveRun(
    db,
    write,
    current.version,
    next,
    now,
    storedFrom(current),
  );
  recordRunEvents(write, {
    before: current,
    after: next.state,
    at: event.at,
    now,
  });
  const { lastEventId } = await write.run(db);
  return {
    result: { applied: true, state: next.state, effects: next.effects },
    note: noteOf(runId, lastEventId),
    stored: asStored(next.state, saved.attemptIds, saved.row, saved.kept),
  };
}

/** A transition's statement, its delivery recorded (refused if seen before). */
function statementFor(
  options: ApplyOptions,
  runId: string,
  now: string,
): OneStatement {
  const write = new OneStatement();
  if (options.delivery)
    write.require(
      deliveryInsert({ ...options.delivery, runId, receivedAt: now }),
      DELIVERY_SEEN,
    );
  return write;
}

/** The run's row if it is at `version`, locked until the statement commits. */
function versionHeld(runId: string, version: number): PlainSql {
  return plainSql`select "id" from "runs" where ("runs"."id" = ${runId} and "runs"."version" = ${version}) for update`;
}

function noteOf(
  runId: string,
  lastEventId: number | null,
): RunEventNote | undefined {
  return lastEventId === null ? undefined : { runId, id: lastEventId };
}

function refused(error: unknown, refusal: string): boolean {
  return error instanceof Refused && error.refusal === refusal;
}

function committed(ctx: TransitionContext, outcome: Outcome): ApplyResult {
  if (outcome.stored) {
    ctx.runs.set(outcome.stored);
    ctx.saved(outcome.stored.state);
  }
  if (outcome.note) ctx.committed(outcome.note);
  return outcome.result;
}
