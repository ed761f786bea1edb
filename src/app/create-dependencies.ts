import type { Probot } from "probot";
import type { Octokit } from "../github/octokit.js";
import { openStoreFromEnv } from "../store/open-store.js";
import type { Store } from "../store/store.js";
import { type Dependencies, defaultIds } from "./dependencies.js";
import { EffectRunner } from "./effect-runner.js";

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
  const runner = new EffectRunner({
    store,
    octokitFor:
      options.octokitFor ??
      (async (installationId) =>
        (await app.auth(installationId)) as unknown as Octokit),
    log: app.log,
    now,
  });
  return { store, runner, now, ...defaultIds };
}
