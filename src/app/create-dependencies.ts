import type { Probot } from "probot";
import type { Octokit } from "../github/octokit.js";
import { openStoreFromEnv } from "../store/open-store.js";
import type { Store } from "../store/store.js";
import { type Dependencies, defaultIds } from "./dependencies.js";
import { EffectRunner } from "./effect-runner.js";
import { Reconciler } from "./reconciler.js";

/** Seconds between reconciler sweeps: SPECWRIGHT_RECONCILE_INTERVAL, 0 to turn it off. */
export function reconcileIntervalMs(env: NodeJS.ProcessEnv): number {
  const raw = env.SPECWRIGHT_RECONCILE_INTERVAL;
  if (raw === undefined || raw.trim() === "") return 60_000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new Error(
      `SPECWRIGHT_RECONCILE_INTERVAL must be a number of seconds (0 turns the reconciler off), not '${raw}'`,
    );
  }
  return seconds * 1000;
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
  const octokitFor =
    options.octokitFor ??
    (async (installationId: number) =>
      (await app.auth(installationId)) as unknown as Octokit);
  const runner = new EffectRunner({ store, octokitFor, log: app.log, now });
  const intervalMs =
    options.reconcileIntervalMs ?? reconcileIntervalMs(process.env);
  const reconciler =
    intervalMs > 0
      ? new Reconciler({
          store,
          octokitFor,
          log: app.log,
          now,
          intervalMs,
          kick: () => runner.kick(),
        })
      : undefined;
  return {
    store,
    runner,
    now,
    ...(reconciler ? { reconciler } : {}),
    ...defaultIds,
  };
}
