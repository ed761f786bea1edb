import { randomUUID } from "node:crypto";
import type { Effect } from "../engine/effects.js";
import type { RunEvent } from "../engine/events.js";
import type { RepositorySpendSource } from "../engine/repository-spend.js";
import type { RunState } from "../engine/run-state.js";
import type { Database, Tx } from "./database.js";
import { insertDelivery } from "./deliveries.js";
import { completeEffectIn } from "./effect-outbox.js";
import {
  asStored,
  ownCopy,
  type RunCache,
  type StoredRun,
  storedFrom,
} from "./run-cache.js";
import type { RunEventNote } from "./run-event-note.js";
import { recordRunEvents } from "./run-events.js";
import { runVersion } from "./run-queries.js";
import { runToRow } from "./run-rows.js";
import { saveRun, VersionConflict } from "./save-run.js";
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
   * The run for a transition in `tx`: the one this process holds, else
   * read with its row locked until `tx` ends (see `RunCache`).
   */
  loadForTransition: (runId: string, tx: Tx) => Promise<RunState | undefined>;
  /** The repository spend as read in `tx`, for runs with a repository budget. */
  spend: (tx: Tx) => RepositorySpendSource;
  /** The runs last read or committed, kept once a transaction committed. */
  runs: RunCache;
  /** Told after the commit when the transition wrote run events. */
  committed: (note: RunEventNote) => void;
}

const MAX_CONFLICT_RETRIES = 8;

/** A transaction's result, and the events it wrote (told once it committed). */
interface Outcome {
  result: ApplyResult;
  note?: RunEventNote | undefined;
  /** The run as this transaction stored it, kept once it committed. */
  stored?: StoredRun | undefined;
}

const NOT_APPLIED: Outcome = { result: { applied: false, effects: [] } };

/**
 * Creates a run and applies its first event in one transaction, with its
 * agent configuration snapshot and its first progress events. Not applied
 * if the delivery was seen before.
 */
export async function createRun(
  ctx: TransitionContext,
  state: RunState,
  event: RunEvent,
  options: ApplyOptions & { agent: AgentSnapshot },
): Promise<ApplyResult> {
  const outcome = await ctx.db.transaction(async (tx): Promise<Outcome> => {
    const now = ctx.now();
    if (
      options.delivery &&
      !(await insertDelivery(tx, {
        ...options.delivery,
        runId: state.id,
        receivedAt: now,
      }))
    )
      return NOT_APPLIED;
    await tx
      .insert(schema.runs)
      .values(runToRow({ ...state, version: 0 }, now));
    await tx.insert(schema.agentConfigurations).values({
      id: randomUUID(),
      runId: state.id,
      agentBackend: options.agent.backend,
      agentVersion: options.agent.version,
      promptPackVersion: options.agent.prompt_pack_version,
      runtimeEnv: options.agent.runtime_env,
      createdAt: now,
    });
    const next = await transitionWithSpend(state, event, ctx.spend(tx));
    const attemptIds = await saveRun(tx, state.version, next, now);
    const note = await recordRunEvents(tx, {
      before: state,
      after: next.state,
      at: event.at,
      now,
    });
    return {
      result: { applied: true, state: next.state, effects: next.effects },
      note,
      stored: asStored(next.state, attemptIds),
    };
  });
  return committed(ctx, outcome);
}

/**
 * Applies an event to a run: load (see `loadForTransition`), transition,
 * save with a version check, queue the effects, record the progress
 * events. Retries from a fresh read when another writer won; a lost
 * attempt's writes (its events too) roll back with it.
 */
export async function applyEvent(
  ctx: TransitionContext,
  runId: string,
  event: RunEvent,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      const outcome = await ctx.db.transaction((tx) =>
        applyIn(ctx, tx, runId, event, options),
      );
      return committed(ctx, outcome);
    } catch (error) {
      if (
        !(error instanceof VersionConflict) ||
        attempt >= MAX_CONFLICT_RETRIES
      )
        throw error;
      // Another writer won: what this process holds of the run is old.
      ctx.runs.delete(runId);
    }
  }
}

async function applyIn(
  ctx: TransitionContext,
  tx: Tx,
  runId: string,
  event: RunEvent,
  options: ApplyOptions,
): Promise<Outcome> {
  const now = ctx.now();
  if (
    options.delivery &&
    !(await insertDelivery(tx, { ...options.delivery, runId, receivedAt: now }))
  )
    return NOT_APPLIED;
  // A run this process holds is taken as held, without a look (RunCache).
  const unchecked = ctx.runs.latest(runId) !== undefined;
  const current = await ctx.loadForTransition(runId, tx);
  if (current === undefined) return NOT_APPLIED;
  const next = await transitionWithSpend(current, event, ctx.spend(tx));
  if (options.effectId !== undefined)
    await completeEffectIn(tx, options.effectId, now);
  if (next.state === current) {
    // Nothing to save, so nothing checks the version: a run taken from
    // the cache is checked here (the event may change what another writer
    // made).
    if (unchecked && (await runVersion(tx, runId)) !== current.version)
      throw new VersionConflict();
    return { result: { applied: true, state: ownCopy(current), effects: [] } };
  }
  const attemptIds = await saveRun(
    tx,
    current.version,
    next,
    now,
    storedFrom(current),
  );
  const note = await recordRunEvents(tx, {
    before: current,
    after: next.state,
    at: event.at,
    now,
  });
  return {
    result: { applied: true, state: next.state, effects: next.effects },
    note,
    stored: asStored(next.state, attemptIds),
  };
}

function committed(ctx: TransitionContext, outcome: Outcome): ApplyResult {
  if (outcome.stored) ctx.runs.set(outcome.stored);
  if (outcome.note) ctx.committed(outcome.note);
  return outcome.result;
}
