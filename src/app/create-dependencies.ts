import type { Probot } from "probot";
import type { Octokit } from "../github/octokit.js";
import { budgetsFor } from "../github/pacing/budgets.js";
import {
  beginEffect,
  type PacingMode,
  paceOctokit,
} from "../github/pacing/pace-octokit.js";
import { Pacer } from "../github/pacing/pacer.js";
import { pacingFromEnv } from "../github/pacing/pacing-config.js";
import { Reconciler } from "../reconcile/reconciler.js";
import { Redeliverer } from "../reconcile/redeliverer.js";
import { openStoreFromEnv } from "../store/open-store.js";
import { storePacingLedger } from "../store/pacing-ledger.js";
import { redisPacingLedger } from "../store/pacing-redis.js";
import type { Store } from "../store/store.js";
import { ClientPool } from "./client-pool.js";
import { type Dependencies, defaultIds } from "./dependencies.js";
import { EffectRunner } from "./effect-runner.js";

/** A number of seconds from the environment, in milliseconds. */
function seconds(
  env: NodeJS.ProcessEnv,
  name: string,
  fallbackSeconds: number,
  what: string,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallbackSeconds * 1000;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(
      `${name} must be a number of seconds (${what}), not '${raw}'`,
    );
  }
  return value * 1000;
}

/** Seconds between reconciler sweeps: SPECWRIGHT_RECONCILE_INTERVAL, 0 to turn it off. */
export function reconcileIntervalMs(env: NodeJS.ProcessEnv): number {
  return seconds(
    env,
    "SPECWRIGHT_RECONCILE_INTERVAL",
    60,
    "0 turns the reconciler off",
  );
}

/** How the reconciler looks at live attempts, from the environment. */
export function reconcileThresholds(env: NodeJS.ProcessEnv): {
  pollMs: number;
  lostMs: number;
} {
  return {
    pollMs: seconds(
      env,
      "SPECWRIGHT_RECONCILE_POLL",
      300,
      "how often a live attempt's workflow run is asked after",
    ),
    lostMs: seconds(
      env,
      "SPECWRIGHT_RECONCILE_LOST_AFTER",
      600,
      "after how long a dispatch with no workflow run is sent again",
    ),
  };
}

/**
 * How far back failed webhook deliveries are asked again:
 * SPECWRIGHT_REDELIVER_WITHIN, 0 to never ask.
 */
export function redeliverWithinMs(env: NodeJS.ProcessEnv): number {
  return seconds(
    env,
    "SPECWRIGHT_REDELIVER_WITHIN",
    6 * 3600,
    "how old a failed webhook delivery may be to be asked again; 0 turns it off",
  );
}

/**
 * The pacer the environment asks for (docs/deployment.md, "Pacing"): its
 * counts in Redis when `REDIS_URL` is set, else in the store; none when
 * `SPECWRIGHT_PACING=off`.
 */
export function createPacer(
  env: NodeJS.ProcessEnv,
  store: Store,
  now: () => Date,
): { pacer: Pacer; maxWaitMs: number } | undefined {
  const config = pacingFromEnv(env);
  if (!config.enabled) return undefined;
  const ledger = env.REDIS_URL
    ? redisPacingLedger(env.REDIS_URL, { now })
    : storePacingLedger(store.db, now);
  const budgets = budgetsFor(config.limits);
  return {
    pacer: new Pacer({ ledger, budgets, now }),
    maxWaitMs: config.maxWaitMs,
  };
}

/**
 * The App's dependencies in production: the store from the environment
 * (`DATABASE_URL`, else PGlite in `SPECWRIGHT_DATA_DIR`) and an effect runner
 * that authenticates as each installation.
 */
export async function createDependencies(
  app: Probot,
  options: {
    store?: Store;
    now?: () => Date;
    /** Overrides Probot's installation authentication (tests). */
    octokitFor?: (installationId: number) => Promise<Octokit>;
    /** Overrides SPECWRIGHT_RECONCILE_INTERVAL (milliseconds; 0: none). */
    reconcileIntervalMs?: number;
    /** Overrides SPECWRIGHT_REDELIVER_WITHIN (milliseconds; 0: none). */
    redeliverWithinMs?: number;
    /** False: no pacing, whatever SPECWRIGHT_PACING says (tests). */
    pacing?: false;
  } = {},
): Promise<Dependencies> {
  const store =
    options.store ??
    (await openStoreFromEnv(process.env, (error) =>
      app.log.warn(
        `specwright: PostgreSQL ended an idle connection: ${error.message}`,
      ),
    ));
  const now = options.now ?? (() => new Date());
  // As an installation, or (no id) as the App itself.
  const auth = (installationId?: number): Promise<Octokit> =>
    app.auth(installationId);
  const pacing =
    options.pacing === false ? undefined : createPacer(process.env, store, now);
  const pace = <T extends object>(
    octokit: T,
    installationId: number,
    mode: PacingMode,
  ): T =>
    pacing
      ? paceOctokit(octokit, { ...pacing, installationId, mode })
      : octokit;
  const unpaced = options.octokitFor ?? auth;
  const pacedFor =
    (mode: PacingMode) =>
    async (installationId: number): Promise<Octokit> =>
      pace(await unpaced(installationId), installationId, mode);
  const clients = new ClientPool({
    make: pacedFor("effect"),
    reuse: beginEffect,
  });
  const runner = new EffectRunner({
    store,
    octokitFor: (installationId) => clients.acquire(installationId),
    releaseOctokit: (installationId, octokit) =>
      clients.release(installationId, octokit),
    log: app.log,
    now,
  });
  const intervalMs =
    options.reconcileIntervalMs ?? reconcileIntervalMs(process.env);
  const within = options.redeliverWithinMs ?? redeliverWithinMs(process.env);
  const redeliverer =
    within > 0
      ? new Redeliverer({
          appOctokit: () => auth(),
          log: app.log,
          withinMs: within,
        })
      : undefined;
  const reconciler =
    intervalMs > 0
      ? new Reconciler({
          store,
          octokitFor: pacedFor("sweep"),
          log: app.log,
          now,
          intervalMs,
          ...reconcileThresholds(process.env),
          kick: () => runner.kick(),
          ...(redeliverer ? { redeliverer } : {}),
        })
      : undefined;
  return {
    store,
    runner,
    now,
    ...(reconciler ? { reconciler } : {}),
    ...(pacing
      ? {
          paceHandler: (octokit: object, installationId: number) =>
            pace(octokit, installationId, "handler"),
        }
      : {}),
    ...defaultIds,
  };
}
