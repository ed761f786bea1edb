import { randomUUID } from "node:crypto";
import type { EffectContext, Logger } from "../github/effect-context.js";
import {
  errorMessage,
  isTransient,
  retryAfterMs,
} from "../github/github-errors.js";
import { GitHubMemory } from "../github/github-memory.js";
import type { Octokit } from "../github/octokit.js";
import {
  giveUpEvent,
  performEffect,
  recoveredEvent,
} from "../github/perform-effect.js";
import { redactSecrets } from "../github/untrusted-text.js";
import type { Store, StoredEffect } from "../store/store.js";

export interface EffectRunnerOptions {
  store: Store;
  /** An installation's client (Probot's `app.auth(id)`). */
  octokitFor: (installationId: number) => Promise<Octokit>;
  log: Logger & { error(object: object, message?: string): void };
  now?: () => Date;
  /** Tries before giving up on a transient failure. */
  maxTries?: number;
  /** How long a claimed effect is held before another worker may take it. */
  leaseMs?: number;
  /** Runs worked on at once. */
  concurrency?: number;
  /** This worker's name on its heartbeat and its leases. */
  holder?: string;
  /** How often the worker says it is alive (and looks for work). */
  heartbeatMs?: number;
}

/** Exponential back-off: 2 s, 4 s, 8 s … capped at 5 minutes. */
function backoffMs(tries: number): number {
  return Math.min(300_000, 2_000 * 2 ** Math.max(0, tries - 1));
}

/**
 * Performs the effects the engine queued (the outbox), in order per run and
 * several runs at once, and feeds what happened back to the engine. Effects
 * survive a restart: a new process picks up what the last one left. A
 * transient failure is retried with back-off; a lasting one is reported to
 * the engine (`effect_failed`), which shows it on the tracking comment and
 * the stage's check run and stops what cannot go on without it.
 */
export class EffectRunner {
  private readonly store: Store;
  private readonly now: () => Date;
  private draining: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private lastBeat = 0;
  private stopped = false;
  private readonly holder: string;
  /** What GitHub told this worker, to not ask again. */
  private readonly memory: GitHubMemory;

  constructor(private readonly options: EffectRunnerOptions) {
    this.store = options.store;
    this.now = options.now ?? (() => new Date());
    this.holder = options.holder ?? randomUUID();
    this.memory = new GitHubMemory({ now: this.now });
  }

  private get heartbeatMs(): number {
    return this.options.heartbeatMs ?? 5_000;
  }

  /**
   * Says this worker is alive (for three heartbeats): the effects it holds
   * stay its own; those of a worker that stopped beating are free.
   */
  private async beat(): Promise<void> {
    const now = this.now().getTime();
    if (now - this.lastBeat < this.heartbeatMs) return;
    this.lastBeat = now;
    await this.store.heartbeat(this.holder, this.heartbeatMs * 3, this.now());
  }

  /** Starts working through the pending effects, if not already. */
  kick(): void {
    if (this.stopped) return;
    if (this.heartbeatTimer === undefined) {
      // Beat, and look for work a crashed worker left, on a steady rhythm.
      this.heartbeatTimer = setInterval(() => this.kick(), this.heartbeatMs);
      this.heartbeatTimer.unref();
    }
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((error) =>
        this.options.log.error(
          { err: error },
          "specwright: the effect runner failed",
        ),
      )
      .finally(() => {
        this.draining = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          this.scheduleNext().catch((error) =>
            this.options.log.error(
              { err: error },
              "specwright: the effect runner could not schedule its next look",
            ),
          );
        }
      });
  }

  /** Resolves once nothing due is left to do (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Stops taking new work; work under way finishes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.idle();
    await this.store.releaseLease(`worker:${this.holder}`, this.holder);
  }

  private async scheduleNext(): Promise<void> {
    if (this.stopped) return;
    const due = await this.store.nextEffectDue();
    if (due === undefined || this.stopped) return;
    // At least a second: a due time in the past means another worker holds it.
    const delay = Math.max(1_000, due.getTime() - this.now().getTime());
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), delay);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    const { concurrency = 8, leaseMs = 300_000 } = this.options;
    for (;;) {
      await this.beat();
      const claimed = await this.store.claimEffects(
        concurrency,
        leaseMs,
        undefined,
        this.holder,
      );
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((effect) => this.perform(effect)));
    }
  }

  private async perform(stored: StoredEffect): Promise<void> {
    const { store, options } = this;
    const { effect } = stored;
    const state = await store.loadRun(stored.runId);
    if (state === undefined) {
      // Nobody follows a run that is gone: the log is the only place.
      options.log.warn(
        `specwright: dropped ${effect.kind} for run ${stored.runId}: the run no longer exists`,
      );
      await store.failEffect(stored.id, "the run no longer exists");
      return;
    }
    if (
      effect.kind === "update_tracking_comment" &&
      (await store.hasLaterPending(stored))
    ) {
      await store.completeEffect(stored.id, true);
      return;
    }
    const log = options.log;
    try {
      const context: EffectContext = {
        octokit: await options.octokitFor(state.installation_id),
        state,
        retries: stored.tries,
        now: this.now,
        log,
        memory: this.memory,
      };
      // One that failed for good before and worked now: the problem goes.
      const event =
        (await performEffect(effect, context)) ??
        recoveredEvent(effect, state, this.now().toISOString());
      if (event)
        await store.apply(stored.runId, event, { effectId: stored.id });
      else await store.completeEffect(stored.id);
    } catch (error) {
      const message = redactSecrets(errorMessage(error));
      const tries = stored.tries + 1;
      const transient = isTransient(error);
      if (transient && tries < (options.maxTries ?? 6)) {
        // GitHub's own wait (rate limits) when it names one, else back-off.
        const wait = Math.max(
          backoffMs(tries),
          retryAfterMs(error, this.now().getTime()) ?? 0,
        );
        log.warn(
          `specwright: ${effect.kind} for run ${stored.runId} failed (try ${tries}), retrying in ${Math.round(wait / 1000)}s: ${message}`,
        );
        await store.retryEffect(
          stored.id,
          message,
          new Date(this.now().getTime() + wait),
        );
        return;
      }
      log.warn(
        `specwright: giving up on ${effect.kind} for run ${stored.runId}: ${message}`,
      );
      await store.failEffect(stored.id, message);
      // The engine shows it where people look, and stops what cannot go on.
      await store.apply(
        stored.runId,
        giveUpEvent(effect, message, transient, this.now().toISOString()),
      );
    }
  }
}
