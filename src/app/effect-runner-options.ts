import type { Logger } from "../github/effect-context.js";
import type { Octokit } from "../github/octokit.js";
import type { Store } from "../store/store.js";

// What the effect runner is given, and the waits it keeps.

export interface EffectRunnerOptions {
  store: Store;
  /** An installation's client (Probot's `app.auth(id)`), for one effect. */
  octokitFor: (installationId: number) => Promise<Octokit>;
  /** Hands the client back once its effect is done, to be reused (`ClientPool`). */
  releaseOctokit?: (installationId: number, octokit: Octokit) => void;
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
  /**
   * How long an edit that only shows the run (a check run's or the
   * tracking comment's) may wait, by itself, for a later one that makes it
   * moot: 0 performs each at once.
   */
  holdMs?: number;
}

/**
 * Ten seconds: a burst of changes to a run makes one edit, and a stage job
 * that starts and ends within them is shown running no more than it is.
 */
export const DEFAULT_HOLD_MS = 10_000;

/** Exponential back-off: 2 s, 4 s, 8 s … capped at 5 minutes. */
export function backoffMs(tries: number): number {
  return Math.min(300_000, 2_000 * 2 ** Math.max(0, tries - 1));
}
