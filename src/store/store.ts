import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { Effect } from "../engine/effects.js";
import type { RunEvent } from "../engine/events.js";
import type { RunState } from "../engine/run-state.js";
import { type Transition, transition } from "../engine/transition.js";
import { attemptToRow, rowsToRun, runToRow } from "./run-rows.js";
import * as schema from "./schema.js";

/** A drizzle database on PGlite or node-postgres, without a relational schema. */
export type Database = PgDatabase<PgQueryResultHKT, Record<string, never>>;
type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** Another writer changed the run first; the caller retries. */
export class VersionConflict extends Error {
  override name = "VersionConflict";
}

export interface StoredEffect {
  id: number;
  runId: string;
  effect: Effect;
  tries: number;
}

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

const MAX_CONFLICT_RETRIES = 8;

/**
 * Runs, stage attempts, artifacts, agent configurations, processed webhook
 * deliveries and the effect outbox, on PostgreSQL or PGlite. Every
 * transition is one transaction: the run row is locked, the engine applied,
 * the new version written only if nobody else wrote first, and the effects
 * queued with it.
 */
export class Store {
  constructor(
    readonly db: Database,
    private readonly clock: () => Date = () => new Date(),
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  async close(): Promise<void> {
    await this.onClose();
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /** Whether a delivery has already been acted on. */
  async hasDelivery(id: string): Promise<boolean> {
    const rows = await this.db
      .select({ id: schema.webhookDeliveries.deliveryId })
      .from(schema.webhookDeliveries)
      .where(eq(schema.webhookDeliveries.deliveryId, id));
    return rows.length > 0;
  }

  /**
   * A delivery acted on: whether the engine took it (it has a run), and the
   * reply the App gave, if it kept one. Undefined if not seen.
   */
  async findDelivery(
    id: string,
  ): Promise<{ runId: string | null; reply: string | null } | undefined> {
    const [row] = await this.db
      .select({
        runId: schema.webhookDeliveries.runId,
        reply: schema.webhookDeliveries.reply,
      })
      .from(schema.webhookDeliveries)
      .where(eq(schema.webhookDeliveries.deliveryId, id));
    return row;
  }

  /**
   * Records a delivery (with the reply given, to send again instead of
   * deciding again); false if it was already recorded.
   */
  async recordDelivery(
    id: string,
    event: string,
    options: { runId?: string | null; reply?: string | null } = {},
  ): Promise<boolean> {
    return this.db.transaction((tx) =>
      this.insertDelivery(
        tx,
        id,
        event,
        options.runId ?? null,
        options.reply ?? null,
      ),
    );
  }

  /** Forgets a delivery recorded as a claim whose work then failed. */
  async forgetDelivery(id: string): Promise<void> {
    await this.db
      .delete(schema.webhookDeliveries)
      .where(eq(schema.webhookDeliveries.deliveryId, id));
  }

  private async insertDelivery(
    tx: Tx,
    id: string,
    event: string,
    runId: string | null,
    reply: string | null = null,
  ) {
    const inserted = await tx
      .insert(schema.webhookDeliveries)
      .values({ deliveryId: id, event, runId, reply, receivedAt: this.now() })
      .onConflictDoNothing()
      .returning({ id: schema.webhookDeliveries.deliveryId });
    return inserted.length > 0;
  }

  /**
   * Creates a run and applies its first event in one transaction, with its
   * agent configuration snapshot. False if the delivery was seen before.
   */
  async createRun(
    state: RunState,
    event: RunEvent,
    options: ApplyOptions & {
      agent: {
        backend: string;
        version: string | null;
        prompt_pack_version: string;
        runtime_env: Record<string, string>;
      };
    },
  ): Promise<ApplyResult> {
    return this.db.transaction(async (tx) => {
      if (
        options.delivery &&
        !(await this.insertDelivery(
          tx,
          options.delivery.id,
          options.delivery.event,
          state.id,
        ))
      ) {
        return { applied: false, effects: [] };
      }
      await tx
        .insert(schema.runs)
        .values(runToRow({ ...state, version: 0 }, this.now()));
      await tx.insert(schema.agentConfigurations).values({
        id: randomUUID(),
        runId: state.id,
        agentBackend: options.agent.backend,
        agentVersion: options.agent.version,
        promptPackVersion: options.agent.prompt_pack_version,
        runtimeEnv: options.agent.runtime_env,
        createdAt: this.now(),
      });
      const next = transition(state, event);
      await this.save(tx, state.version, next);
      return { applied: true, state: next.state, effects: next.effects };
    });
  }

  /**
   * Applies an event to a run: load under lock, transition, save with a
   * version check, queue the effects. Retries from the start when another
   * writer won.
   */
  async apply(
    runId: string,
    event: RunEvent,
    options: ApplyOptions = {},
  ): Promise<ApplyResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          if (
            options.delivery &&
            !(await this.insertDelivery(
              tx,
              options.delivery.id,
              options.delivery.event,
              runId,
            ))
          ) {
            return { applied: false, effects: [] };
          }
          const current = await this.loadRun(runId, tx, true);
          if (current === undefined) return { applied: false, effects: [] };
          const next = transition(current, event);
          if (options.effectId !== undefined)
            await this.completeEffectIn(tx, options.effectId);
          if (next.state === current)
            return { applied: true, state: current, effects: [] };
          await this.save(tx, current.version, next);
          return { applied: true, state: next.state, effects: next.effects };
        });
      } catch (error) {
        if (
          !(error instanceof VersionConflict) ||
          attempt >= MAX_CONFLICT_RETRIES
        )
          throw error;
      }
    }
  }

  private async save(
    tx: Tx,
    expectedVersion: number,
    next: Transition,
  ): Promise<void> {
    const { state } = next;
    const now = this.now();
    const { id: _, ...row } = runToRow(state, now);
    const updated = await tx
      .update(schema.runs)
      .set(row)
      .where(
        and(
          eq(schema.runs.id, state.id),
          eq(schema.runs.version, expectedVersion),
        ),
      )
      .returning({ id: schema.runs.id });
    if (updated.length === 0)
      throw new VersionConflict(`run ${state.id} changed under us`);

    const existing = await tx
      .select({
        id: schema.stageAttempts.id,
        stage: schema.stageAttempts.stage,
        attempt: schema.stageAttempts.attempt,
      })
      .from(schema.stageAttempts)
      .where(eq(schema.stageAttempts.runId, state.id));
    const ids = new Map(existing.map((e) => [`${e.stage}/${e.attempt}`, e.id]));
    const knownArtifacts = new Set(
      (
        await tx
          .select({ path: schema.artifacts.storagePath })
          .from(schema.artifacts)
          .where(eq(schema.artifacts.runId, state.id))
      ).map((a) => a.path),
    );
    for (const stage of state.stages) {
      for (const attempt of stage.attempts) {
        const key = `${stage.id}/${attempt.attempt}`;
        const id = ids.get(key) ?? randomUUID();
        const attemptRow = attemptToRow(state.id, stage.id, attempt, id);
        if (ids.has(key)) {
          await tx
            .update(schema.stageAttempts)
            .set(attemptRow)
            .where(eq(schema.stageAttempts.id, id));
        } else {
          await tx.insert(schema.stageAttempts).values(attemptRow);
        }
        for (const artifact of attempt.artifacts) {
          if (knownArtifacts.has(artifact.storage_path)) continue;
          await tx.insert(schema.artifacts).values({
            id: randomUUID(),
            runId: state.id,
            stageAttemptId: id,
            name: artifact.name,
            artifactType: artifact.type,
            storagePath: artifact.storage_path,
            contentType: artifact.name.endsWith(".json")
              ? "application/json"
              : "text/plain",
            sizeBytes: artifact.size_bytes,
            expiresAt: artifact.expires_at,
            sourcePhase: stage.id,
            createdAt: now,
          });
        }
      }
    }
    if (next.effects.length > 0) {
      await tx.insert(schema.effects).values(
        next.effects.map((effect) => ({
          runId: state.id,
          kind: effect.kind,
          payload: effect,
          status: "pending",
          availableAt: now,
          createdAt: now,
        })),
      );
    }
  }

  /** A run's state, or undefined. With `lock`, the row is locked until the transaction ends. */
  async loadRun(
    runId: string,
    tx: Tx | Database = this.db,
    lock = false,
  ): Promise<RunState | undefined> {
    const query = tx
      .select()
      .from(schema.runs)
      .where(eq(schema.runs.id, runId));
    const [row] = lock ? await query.for("update") : await query;
    if (row === undefined) return undefined;
    const attempts = await tx
      .select()
      .from(schema.stageAttempts)
      .where(eq(schema.stageAttempts.runId, runId));
    return rowsToRun(row, attempts);
  }

  /** The run and stage attempt a workflow run belongs to, if it is ours. */
  async findAttemptByWorkflowRun(
    workflowRunId: number,
  ): Promise<{ runId: string; stage: string; attempt: number } | undefined> {
    const [row] = await this.db
      .select({
        runId: schema.stageAttempts.runId,
        stage: schema.stageAttempts.stage,
        attempt: schema.stageAttempts.attempt,
      })
      .from(schema.stageAttempts)
      .where(eq(schema.stageAttempts.workflowRunId, workflowRunId));
    return row;
  }

  /** Runs for an issue or pull request, newest first. */
  async findRunsFor(
    owner: string,
    repo: string,
    number: number,
  ): Promise<RunState[]> {
    const rows = await this.db
      .select({ id: schema.runs.id })
      .from(schema.runs)
      .where(
        and(
          eq(schema.runs.owner, owner),
          eq(schema.runs.repo, repo),
          sql`(${schema.runs.issueNumber} = ${number} or ${schema.runs.pullRequestNumber} = ${number})`,
        ),
      )
      .orderBy(sql`${schema.runs.createdAt} desc`);
    const out: RunState[] = [];
    for (const row of rows) {
      const state = await this.loadRun(row.id);
      if (state) out.push(state);
    }
    return out;
  }

  async listArtifacts(runId: string) {
    return this.db
      .select()
      .from(schema.artifacts)
      .where(eq(schema.artifacts.runId, runId))
      .orderBy(asc(schema.artifacts.createdAt));
  }

  async agentConfiguration(runId: string) {
    const [row] = await this.db
      .select()
      .from(schema.agentConfigurations)
      .where(eq(schema.agentConfigurations.runId, runId));
    return row;
  }

  // --- The effect outbox ----------------------------------------------------

  /**
   * Claims the pending effects that are due, oldest first, one run at a time
   * in order: an effect is not handed out while an earlier one of the same
   * run is still pending. Claimed effects are leased for `leaseMs`.
   */
  async claimEffects(
    limit: number,
    leaseMs: number,
    runId?: string,
    holder?: string,
  ): Promise<StoredEffect[]> {
    const now = this.clock();
    return this.db.transaction(async (tx) => {
      // Workers whose heartbeat is current: a lease held by any other worker
      // (one that crashed) is void before its time.
      const alive = new Set(
        (
          await tx
            .select({ holder: schema.leases.holder })
            .from(schema.leases)
            .where(
              and(
                sql`${schema.leases.name} like 'worker:%'`,
                sql`${schema.leases.expiresAt} > ${now.toISOString()}`,
              ),
            )
        ).map((r) => r.holder),
      );
      // Each run's oldest pending effect, then locked. A run whose oldest is
      // locked (being completed elsewhere) is skipped whole: handing out its
      // next effect instead would run them out of order.
      const candidates = await tx
        .select()
        .from(schema.effects)
        .where(
          sql`${schema.effects.id} in (select distinct on (run_id) id from effects where status = 'pending'${
            runId === undefined ? sql`` : sql` and run_id = ${runId}`
          } order by run_id, id)`,
        )
        .orderBy(asc(schema.effects.id))
        .for("update", { skipLocked: true });
      const claimed: StoredEffect[] = [];
      for (const row of candidates) {
        const leased =
          row.leasedUntil !== null &&
          new Date(row.leasedUntil) > now &&
          (row.leasedBy === null || alive.has(row.leasedBy));
        if (leased || new Date(row.availableAt) > now) continue;
        claimed.push({
          id: row.id,
          runId: row.runId,
          effect: row.payload as Effect,
          tries: row.tries,
        });
        if (claimed.length >= limit) break;
      }
      if (claimed.length > 0) {
        await tx
          .update(schema.effects)
          .set({
            leasedUntil: new Date(now.getTime() + leaseMs).toISOString(),
            leasedBy: holder ?? null,
            tries: sql`${schema.effects.tries} + 1`,
          })
          .where(
            inArray(
              schema.effects.id,
              claimed.map((c) => c.id),
            ),
          );
      }
      return claimed;
    });
  }

  /** Later pending effects of the same kind for the run (for coalescing). */
  async hasLaterPending(effect: StoredEffect): Promise<boolean> {
    const rows = await this.db
      .select({ id: schema.effects.id })
      .from(schema.effects)
      .where(
        and(
          eq(schema.effects.runId, effect.runId),
          eq(schema.effects.kind, effect.effect.kind),
          eq(schema.effects.status, "pending"),
          sql`${schema.effects.id} > ${effect.id}`,
        ),
      )
      .limit(1);
    return rows.length > 0;
  }

  async completeEffect(id: number, superseded = false): Promise<void> {
    await this.db.transaction((tx) =>
      this.completeEffectIn(tx, id, superseded),
    );
  }

  private async completeEffectIn(
    tx: Tx,
    id: number,
    superseded = false,
  ): Promise<void> {
    await tx
      .update(schema.effects)
      .set({
        status: "done",
        completedAt: this.now(),
        leasedUntil: null,
        leasedBy: null,
        superseded,
      })
      .where(eq(schema.effects.id, id));
  }

  /** Puts an effect back to be tried again at `retryAt`. */
  async retryEffect(id: number, error: string, retryAt: Date): Promise<void> {
    await this.db
      .update(schema.effects)
      .set({
        lastError: error,
        availableAt: retryAt.toISOString(),
        leasedUntil: null,
        leasedBy: null,
      })
      .where(eq(schema.effects.id, id));
  }

  /** Gives up on an effect. */
  async failEffect(id: number, error: string): Promise<void> {
    await this.db
      .update(schema.effects)
      .set({
        status: "failed",
        lastError: error,
        completedAt: this.now(),
        leasedUntil: null,
        leasedBy: null,
      })
      .where(eq(schema.effects.id, id));
  }

  /**
   * When the next effect becomes due, if any is waiting: the earliest of each
   * run's oldest pending effect, counting its back-off and any lease on it.
   */
  async nextEffectDue(): Promise<Date | undefined> {
    const [row] = await this.db
      .select({
        at: sql<string>`min(greatest(${schema.effects.availableAt}, coalesce(${schema.effects.leasedUntil}, ${schema.effects.availableAt})))`,
      })
      .from(schema.effects)
      .where(
        sql`${schema.effects.id} in (select distinct on (run_id) id from effects where status = 'pending' order by run_id, id)`,
      );
    return row?.at ? new Date(row.at) : undefined;
  }

  /** The ids of runs with effects still to perform. */
  async runsWithPendingEffects(): Promise<string[]> {
    const rows = await this.db
      .selectDistinct({ runId: schema.effects.runId })
      .from(schema.effects)
      .where(
        and(
          eq(schema.effects.status, "pending"),
          lte(schema.effects.availableAt, this.now()),
        ),
      );
    return rows.map((r) => r.runId);
  }

  // --- The reconciler ---------------------------------------------------------

  /**
   * Takes (or keeps) the named lease for `ttlMs` if nobody else holds it:
   * the lock that lets one replica at a time run the reconciler.
   */
  async acquireLease(
    name: string,
    holder: string,
    ttlMs: number,
    now: Date = this.clock(),
  ): Promise<boolean> {
    const expires = new Date(now.getTime() + ttlMs).toISOString();
    const rows = await this.db
      .insert(schema.leases)
      .values({ name, holder, expiresAt: expires })
      .onConflictDoUpdate({
        target: schema.leases.name,
        set: { holder, expiresAt: expires },
        setWhere: sql`${schema.leases.expiresAt} < ${now.toISOString()} or ${schema.leases.holder} = ${holder}`,
      })
      .returning({ name: schema.leases.name });
    return rows.length > 0;
  }

  /**
   * A worker says it is alive, until `ttlMs` from now: the effects it holds
   * stay its own. When it stops (a crash), they are free once this runs out.
   */
  heartbeat(holder: string, ttlMs: number, now?: Date): Promise<boolean> {
    return this.acquireLease(`worker:${holder}`, holder, ttlMs, now);
  }

  /** Gives the lease up, if `holder` has it. */
  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db
      .delete(schema.leases)
      .where(
        and(eq(schema.leases.name, name), eq(schema.leases.holder, holder)),
      );
  }

  /** Runs still going that something is due in by `now` (a retry, a time limit). */
  async runsDue(now: Date): Promise<string[]> {
    const rows = await this.db
      .select({ id: schema.runs.id })
      .from(schema.runs)
      .where(
        and(
          inArray(schema.runs.status, ["queued", "in_progress"]),
          lte(schema.runs.nextWakeAt, now.toISOString()),
        ),
      )
      .orderBy(asc(schema.runs.nextWakeAt));
    return rows.map((r) => r.id);
  }

  /** The ids of the runs still going, oldest first. */
  async liveRuns(): Promise<string[]> {
    const rows = await this.db
      .select({ id: schema.runs.id })
      .from(schema.runs)
      .where(inArray(schema.runs.status, ["queued", "in_progress"]))
      .orderBy(asc(schema.runs.createdAt));
    return rows.map((r) => r.id);
  }

  /** Whether an effect of `kind` for the stage attempt is still to be performed. */
  async hasPendingEffect(
    runId: string,
    kind: Effect["kind"],
    stage: string,
    attempt: number,
  ): Promise<boolean> {
    const rows = await this.db
      .select({ id: schema.effects.id })
      .from(schema.effects)
      .where(
        and(
          eq(schema.effects.runId, runId),
          eq(schema.effects.kind, kind),
          eq(schema.effects.status, "pending"),
          sql`${schema.effects.payload}->>'stage' = ${stage}`,
          sql`(${schema.effects.payload}->>'attempt')::int = ${attempt}`,
        ),
      )
      .limit(1);
    return rows.length > 0;
  }
}
