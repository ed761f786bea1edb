import { randomBytes, randomUUID } from "node:crypto";
import type { Reconciler } from "../reconcile/reconciler.js";
import type { Store } from "../store/store.js";
import type { EffectRunner } from "./effect-runner.js";

/** What the handlers share: the store, the effect runner, and sources of time and names. */
export interface Dependencies {
  store: Store;
  runner: EffectRunner;
  /** The periodic sweep for what webhooks missed; absent in tests that drive it by hand. */
  reconciler?: Reconciler;
  now: () => Date;
  /**
   * Makes a webhook handler's installation client take room in the
   * installation's GitHub budgets (src/github/pacing/); absent: not paced.
   */
  paceHandler?: (octokit: object, installationId: number) => void;
  /** A new run id. */
  newRunId: () => string;
  /** A short random token for branch names. */
  newToken: () => string;
}

export const defaultIds = {
  newRunId: () => randomUUID(),
  newToken: () => randomBytes(4).toString("hex").slice(0, 6),
};
