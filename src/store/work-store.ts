import type { Effect } from "../engine/effects.js";
import type { Database } from "./database.js";
import * as lookups from "./effect-lookups.js";
import * as outbox from "./effect-outbox.js";
import * as leases from "./leases.js";
import { deferEffect } from "./pacing-outbox.js";

/**
 * The store's work queue: the effect outbox the effect runner claims from,
 * and the leases that say which worker holds what (its heartbeat, the
 * reconciler's lock). `Store` is one of these, with the runs besides.
 */
export class WorkStore {
  constructor(
    readonly db: Database,
    protected readonly clock: () => Date = () => new Date(),
  ) {}

  protected now(): string {
    return this.clock().toISOString();
  }

  // --- The effect outbox -----------------------------------------------------

  /**
   * Claims the pending effects that are due, oldest first, one run at a time
   * in order. Claimed effects are leased for `leaseMs`.
   */
  claimEffects(
    limit: number,
    leaseMs: number,
    runId?: string,
    holder?: string,
    holdMs?: number,
  ): Promise<outbox.StoredEffect[]> {
    return outbox.claimEffects(
      this.db,
      { limit, leaseMs, runId, holder, holdMs },
      this.clock(),
    );
  }

  /** A later pending effect of `kind` (else its own) for the run, and its attempt. */
  hasLaterPending(
    effect: outbox.StoredEffect,
    kind?: Effect["kind"],
  ): Promise<boolean> {
    return lookups.hasLaterPending(this.db, effect, kind);
  }

  completeEffect(id: number, superseded = false): Promise<void> {
    return outbox.completeEffectIn(this.db, id, this.now(), superseded);
  }

  /** Puts an effect back to be tried again at `retryAt`. */
  retryEffect(id: number, error: string, retryAt: Date): Promise<void> {
    return outbox.retryEffect(this.db, id, error, retryAt);
  }

  /** Puts a claimed effect back until `at`, the claim not counted as a try (pacing). */
  deferEffect(id: number, at: Date): Promise<void> {
    return deferEffect(this.db, id, at);
  }

  /** Gives up on an effect. */
  failEffect(id: number, error: string): Promise<void> {
    return outbox.failEffect(this.db, id, error, this.now());
  }

  /** When the next effect becomes due, if any is waiting. */
  nextEffectDue(holdMs?: number): Promise<Date | undefined> {
    return outbox.nextEffectDue(this.db, holdMs, this.clock());
  }

  /** The ids of runs with effects still to perform. */
  runsWithPendingEffects(): Promise<string[]> {
    return lookups.runsWithPendingEffects(this.db, this.now());
  }

  /** Whether an effect of `kind` for the stage attempt is still to be performed. */
  hasPendingEffect(
    runId: string,
    kind: Effect["kind"],
    stage: string,
    attempt: number,
  ): Promise<boolean> {
    return lookups.hasPendingEffect(this.db, runId, kind, { stage, attempt });
  }

  // --- The reconciler --------------------------------------------------------

  /**
   * Takes (or keeps) the named lease for `ttlMs` if nobody else holds it:
   * the lock that lets one replica at a time run the reconciler.
   */
  acquireLease(
    name: string,
    holder: string,
    ttlMs: number,
    now: Date = this.clock(),
  ): Promise<boolean> {
    return leases.acquireLease(this.db, { name, holder, ttlMs }, now);
  }

  /**
   * A worker says it is alive, until `ttlMs` from now: the effects it holds
   * stay its own. When it stops (a crash), they are free once this runs out.
   */
  heartbeat(holder: string, ttlMs: number, now?: Date): Promise<boolean> {
    return this.acquireLease(`worker:${holder}`, holder, ttlMs, now);
  }

  /** Gives the lease up, if `holder` has it. */
  releaseLease(name: string, holder: string): Promise<void> {
    return leases.releaseLease(this.db, name, holder);
  }
}
