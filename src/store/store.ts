import type { PGlite } from "@electric-sql/pglite";
import type { Spend } from "../engine/budgets.js";
import type { RunEvent } from "../engine/events.js";
import type { RunState } from "../engine/run-state.js";
import type { Database, Tx } from "./database.js";
import { DeliveryStore } from "./delivery-store.js";
import {
  distinctRepositories,
  listRuns,
  type RunListFilter,
  type RunListPage,
  type RunListRow,
} from "./list-runs.js";
import { repositorySpend } from "./repository-spend.js";
import { handOut, lend, RunCache } from "./run-cache.js";
import type { RunEventNote } from "./run-event-note.js";
import {
  latestRunEventId,
  runEventsAfter,
  type StoredRunEvent,
} from "./run-events.js";
import * as queries from "./run-queries.js";
import {
  type AgentSnapshot,
  type ApplyOptions,
  type ApplyResult,
  applyEvent,
  createRun,
  type TransitionContext,
} from "./run-transitions.js";
import { RunTurns } from "./run-turns.js";
import {
  type FoundAttempt,
  WorkflowRunAttempts,
} from "./workflow-run-attempts.js";

export type { Database } from "./database.js";
export type { StoredEffect } from "./effect-outbox.js";
export type { RunListFilter, RunListPage, RunListRow } from "./list-runs.js";
export type { RunEventNote } from "./run-event-note.js";
export type { StoredRunEvent } from "./run-events.js";
export type { ApplyOptions, ApplyResult } from "./run-transitions.js";
export { VersionConflict } from "./save-run.js";
export type { FoundAttempt } from "./workflow-run-attempts.js";

/** What the store keeps a handle on besides `db`. */
export interface StoreHandles {
  /** The embedded PGlite under `db`: its LISTEN feeds the dashboard in one process. */
  pglite?: PGlite | undefined;
}

/**
 * Runs, stage attempts, artifacts, agent configurations, run events,
 * processed webhook deliveries and the effect outbox, on PostgreSQL or
 * PGlite. Every transition is one statement (`OneStatement`): the run
 * taken as this process holds it (else read), the engine applied, and the
 * new version written only if nobody else wrote first, with the effects
 * and progress events queued and the delivery recorded in the same
 * statement. Each job lives in
 * its own module; this class holds the database and the clock, the
 * outbox and leases come from `WorkStore`, the deliveries from
 * `DeliveryStore`.
 */
export class Store extends DeliveryStore {
  readonly pglite: PGlite | undefined;
  private readonly committedListeners = new Set<(note: RunEventNote) => void>();
  private readonly transitions: TransitionContext;
  /** The runs this process last read or committed (see `RunCache`). */
  private readonly runs: RunCache;
  /** One transition of a run at a time here (see `RunTurns`). */
  private readonly turns = new RunTurns();
  /** Workflow runs found to be stage attempts' (see `WorkflowRunAttempts`). */
  private readonly workflowRuns = new WorkflowRunAttempts();

  constructor(
    db: Database,
    clock: () => Date = () => new Date(),
    private readonly onClose: () => Promise<void> = async () => {},
    handles: StoreHandles = {},
  ) {
    super(db, clock);
    this.pglite = handles.pglite;
    this.runs = new RunCache(1000);
    this.transitions = {
      db,
      now: () => this.now(),
      // Through the method, so that a test can make it read a stale state.
      loadForTransition: (runId) => this.loadForTransition(runId),
      runs: this.runs,
      spend: {
        repositorySpend: (owner, repo, since) =>
          this.repositorySpend(owner, repo, since),
      },
      committed: (note) => {
        for (const listener of this.committedListeners) listener(note);
      },
      saved: (state) => this.workflowRuns.rememberAttempts(state),
    };
  }

  async close(): Promise<void> {
    await this.onClose();
  }

  /**
   * Tells `listener` of every transition this store committed that wrote
   * run events, right after the commit (feeds that cannot be told inside
   * the transaction, like Redis, publish from here). It must not throw.
   */
  onEventsCommitted(listener: (note: RunEventNote) => void): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  // --- Transitions -----------------------------------------------------------

  /**
   * Creates a run and applies its first event in one transaction, with its
   * agent configuration snapshot. Not applied if the delivery was seen before.
   */
  createRun(
    state: RunState,
    event: RunEvent,
    options: ApplyOptions & { agent: AgentSnapshot },
  ): Promise<ApplyResult> {
    return createRun(this.transitions, state, event, options);
  }

  /**
   * Applies an event to a run, one at a time per run in this process:
   * load, transition, save with a version check, queue the effects.
   * Retries from a fresh read when another writer won.
   */
  apply(
    runId: string,
    event: RunEvent,
    options: ApplyOptions = {},
  ): Promise<ApplyResult> {
    return this.turns.take(runId, () =>
      applyEvent(this.transitions, runId, event, options),
    );
  }

  // --- Runs ------------------------------------------------------------------

  /** A run's state, or undefined. With `lock`, the row is locked until the transaction ends. */
  async loadRun(
    runId: string,
    tx: Tx | Database = this.db,
    lock = false,
  ): Promise<RunState | undefined> {
    const stored = await queries.loadStoredRun(tx, runId, lock, this.runs);
    return stored && handOut(stored);
  }

  /**
   * A run's state as stored, shared with the store's cache (no copy), for
   * a reader that does not change it: the effect runner renders from it.
   * With `atLeast`, the run this process holds is taken without a look if
   * it is at that version or later (an effect is performed from the run as
   * it was queued, or later: see `StoredEffect.runVersion`).
   */
  async viewRun(
    runId: string,
    atLeast?: number | null,
  ): Promise<RunState | undefined> {
    const held = this.runs.latest(runId);
    if (held && atLeast != null && held.state.version >= atLeast)
      return lend(held);
    const stored = await queries.loadStoredRun(
      this.db,
      runId,
      false,
      this.runs,
    );
    return stored && lend(stored);
  }

  /**
   * A run's state for a transition: the one this process holds, else read.
   * Nothing is locked (the save writes only at its version). Shared with
   * the store's cache, so not to be changed.
   */
  async loadForTransition(runId: string): Promise<RunState | undefined> {
    const stored = await queries.loadStoredRun(
      this.db,
      runId,
      false,
      this.runs,
      true,
    );
    return stored && lend(stored);
  }

  /** A run's state and its latest event's id (a stream opened after it misses nothing). */
  loadRunWithEventId(
    runId: string,
  ): Promise<{ state: RunState; lastEventId: number | null } | undefined> {
    return queries.loadRunWithEventId(this.db, runId);
  }

  /**
   * Forgets what this process remembers of the database (runs, workflow
   * runs): for a database emptied or rewritten under it, as tests do.
   */
  forgetRemembered(): void {
    this.runs.clear();
    this.workflowRuns.clear();
  }

  /** The run and stage attempt a workflow run belongs to, if it is ours. */
  findAttemptByWorkflowRun(
    workflowRunId: number,
  ): Promise<FoundAttempt | undefined> {
    return this.workflowRuns.find(this.db, workflowRunId);
  }

  /** Runs for an issue or pull request, newest first. */
  findRunsFor(
    owner: string,
    repo: string,
    number: number,
  ): Promise<RunState[]> {
    return queries.findRunsFor(this.db, { owner, repo, number });
  }

  listArtifacts(runId: string) {
    return queries.listArtifacts(this.db, runId);
  }

  agentConfiguration(runId: string) {
    return queries.agentConfiguration(this.db, runId);
  }

  /** Runs newest first, a page at a time, filtered (the dashboard's list). */
  listRuns(
    filter: RunListFilter,
    page: RunListPage,
  ): Promise<{ rows: RunListRow[]; hasMore: boolean }> {
    return listRuns(this.db, filter, page);
  }

  /**
   * What a repository's runs spent (tokens, cost) in attempts completed at
   * or after `since`: its daily and monthly budgets' measure.
   */
  repositorySpend(
    owner: string,
    repo: string,
    since: Date,
    tx: Tx | Database = this.db,
  ): Promise<Spend> {
    return repositorySpend(tx, { owner, repo, since });
  }

  /** Every repository with runs, as `owner/repo`, sorted. */
  distinctRepositories(): Promise<string[]> {
    return distinctRepositories(this.db);
  }

  // --- Run events ------------------------------------------------------------

  /** A run's progress events after `afterId` (all with null), oldest first. */
  runEventsAfter(
    runId: string,
    afterId: number | null,
    limit?: number,
  ): Promise<StoredRunEvent[]> {
    return runEventsAfter(this.db, runId, afterId, limit);
  }

  /** The id of a run's latest event, or null when it has none. */
  latestRunEventId(runId: string): Promise<number | null> {
    return latestRunEventId(this.db, runId);
  }

  /** Runs still going that something is due in by `now` (a retry, a time limit). */
  runsDue(now: Date): Promise<string[]> {
    return queries.runsDue(this.db, now);
  }

  /** The ids of the runs still going, oldest first. */
  liveRuns(): Promise<string[]> {
    return queries.liveRuns(this.db);
  }
}
