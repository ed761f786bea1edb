import { randomUUID } from "node:crypto";
import type { EffectContext } from "../github/effect-context.js";
import {
  errorMessage,
  isTransient,
  retryAfterMs,
} from "../github/github-errors.js";
import { GitHubMemory } from "../github/github-memory.js";
import type { Octokit } from "../github/octokit.js";
import { PacingDeferred } from "../github/pacing/pacing-deferred.js";
import {
  giveUpEvent,
  performEffect,
  recoveredEvent,
} from "../github/perform-effect.js";
import { redactSecrets } from "../github/untrusted-text.js";
import type { Store, StoredEffect } from "../store/store.js";
import { isMoot, isSuperseded } from "./effect-moot.js";
import {
  backoffMs,
  DEFAULT_HOLD_MS,
  type EffectRunnerOptions,
} from "./effect-runner-options.js";

export {
  DEFAULT_HOLD_MS,
  type EffectRunnerOptions,
} from "./effect-runner-options.js";

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
  /** Callers of `idle` waiting: nothing is held meanwhile. */
  private flushing = 0;
  /** Effects may wait that are not yet due (held, or backing off): until a look after the last drain finds none. */
  private waiting = false;
  /** That look, under way. */
  private scheduling: Promise<void> | undefined;
  private readonly holder: string;
  /**
   * What GitHub told this worker, to not ask again; webhook handlers add
   * what deliveries tell (the result bundle a job named).
   */
  readonly memory: GitHubMemory;

  constructor(private readonly options: EffectRunnerOptions) {
    this.store = options.store;
    this.now = options.now ?? (() => new Date());
    this.holder = options.holder ?? randomUUID();
    this.memory = new GitHubMemory({ now: this.now });
  }

  private get heartbeatMs(): number {
    return this.options.heartbeatMs ?? 5_000;
  }

  private get holdMs(): number {
    return this.options.holdMs ?? DEFAULT_HOLD_MS;
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
    this.start();
  }

  private start(): void {
    this.waiting = true;
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
          const scheduling = this.scheduleNext()
            .catch((error) =>
              this.options.log.error(
                { err: error },
                "specwright: the effect runner could not schedule its next look",
              ),
            )
            .finally(() => {
              if (this.scheduling === scheduling) this.scheduling = undefined;
            });
          this.scheduling = scheduling;
        }
      });
  }

  /**
   * Resolves once nothing due is left to do (for tests): what is held is
   * performed now, as nobody waits for a later edit any more.
   */
  async idle(): Promise<void> {
    this.flushing += 1;
    try {
      await this.settled();
      if (this.stopped || this.holdMs === 0 || !this.waiting) return;
      this.start();
      await this.settled();
    } finally {
      this.flushing -= 1;
    }
  }

  /** Resolves once the work under way is done; what is held stays held. */
  async settled(): Promise<void> {
    while (this.draining || this.scheduling) {
      await this.draining;
      await this.scheduling;
    }
  }

  /**
   * Stops taking new work; work under way finishes. What is held stays in
   * the outbox for the next worker.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.settled();
    await this.store.releaseLease(`worker:${this.holder}`, this.holder);
  }

  private async scheduleNext(): Promise<void> {
    if (this.stopped) return;
    const due = await this.store.nextEffectDue(this.holdMs);
    this.waiting = due !== undefined;
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
      const holdMs = this.flushing > 0 ? 0 : this.holdMs;
      const claimed = await this.store.claimEffects(
        concurrency,
        leaseMs,
        undefined,
        this.holder,
        holdMs,
      );
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((effect) => this.perform(effect)));
    }
  }

  private async perform(stored: StoredEffect): Promise<void> {
    const { store, options } = this;
    const { effect } = stored;
    if (await isSuperseded(store, stored)) {
      await store.completeEffect(stored.id, true);
      return;
    }
    const state = await store.viewRun(stored.runId, stored.runVersion);
    if (state === undefined) {
      // Nobody follows a run that is gone: the log is the only place.
      options.log.warn(
        `specwright: dropped ${effect.kind} for run ${stored.runId}: the run no longer exists`,
      );
      await store.failEffect(stored.id, "the run no longer exists");
      return;
    }
    if (await isMoot(store, stored, state)) {
      await store.completeEffect(stored.id, true);
      return;
    }
    const log = options.log;
    let octokit: Octokit | undefined;
    try {
      octokit = await options.octokitFor(state.installation_id);
      const context: EffectContext = {
        octokit,
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
      if (error instanceof PacingDeferred) {
        // Held back by the installation's budget: not a failed try.
        await store.deferEffect(stored.id, error.retryAt);
        return;
      }
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
    } finally {
      if (octokit) options.releaseOctokit?.(state.installation_id, octokit);
    }
  }
}
