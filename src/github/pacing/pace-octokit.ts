import { setTimeout as sleep } from "node:timers/promises";
import { isWrite } from "./is-write.js";
import type { Pacer } from "./pacer.js";
import { PacingDeferred } from "./pacing-deferred.js";

/**
 * Who makes the requests, which decides what a request without room does:
 * - `effect`: the effect runner. The effect's first request is not sent
 *   (the effect is put back until there is room); a later one waits for
 *   room up to `maxWaitMs`, so that half an effect is not done twice.
 * - `handler`: a webhook handler answering a person. Its writes wait up to
 *   `maxWaitMs` (Probot answers GitHub after 9 s and lets the handler go
 *   on); its reads are counted but never held back, because a handler
 *   cannot do without them and they are few.
 * - `sweep`: the reconciler; it tries again at its next sweep.
 */
export type PacingMode = "effect" | "handler" | "sweep";

export interface PaceOptions {
  pacer: Pacer;
  installationId: number;
  mode: PacingMode;
  maxWaitMs: number;
  now?: () => Date;
  wait?: (ms: number) => Promise<unknown>;
}

/** The hooks of an Octokit instance, as far as the pacer uses them. */
interface Hookable {
  hook: {
    before(
      name: "request",
      hook: (options: { method: string; url: string }) => Promise<void>,
    ): void;
  };
}

const PACED = Symbol("specwright paced");

/** Requests a paced client sent since its effect began, by client. */
const sentBy = new WeakMap<object, { sent: number }>();

/**
 * Says a paced client starts a new effect (it is reused from one effect to
 * the next): its next request is the effect's first again.
 */
export function beginEffect(octokit: object): void {
  const count = sentBy.get(octokit);
  if (count) count.sent = 0;
}

/** Requests authenticated as the App (installation tokens), not as an installation. */
function isAppRoute(url: string): boolean {
  return /^(https?:\/\/[^/]+(\/api\/v3)?)?\/app(\/|$)/.test(url);
}

/**
 * Makes every request of this installation client take room in the
 * installation's budgets first (see {@link PacingMode}); once per client.
 */
export function paceOctokit<T extends object>(
  octokit: T,
  options: PaceOptions,
): T {
  const target = octokit as T & Hookable & { [PACED]?: true };
  if (target[PACED]) return octokit;
  target[PACED] = true;
  const { pacer, installationId, mode, maxWaitMs } = options;
  const now = options.now ?? (() => new Date());
  const wait = options.wait ?? sleep;
  const count = { sent: 0 };
  sentBy.set(target, count);
  target.hook.before("request", async (request) => {
    if (isAppRoute(request.url)) return;
    const force = mode === "handler" && !isWrite(request.method);
    let deadline: number | undefined;
    for (;;) {
      const answer = await pacer.take(installationId, request.method, {
        force,
      });
      if (answer.taken) {
        count.sent++;
        return;
      }
      const at = answer.retryAt.getTime();
      deadline ??= now().getTime() + maxWaitMs;
      const patient =
        (mode === "handler" || (mode === "effect" && count.sent > 0)) &&
        at <= deadline;
      if (!patient)
        throw new PacingDeferred(installationId, answer.budget, answer.retryAt);
      await wait(Math.max(0, at - now().getTime()));
    }
  });
  return octokit;
}
