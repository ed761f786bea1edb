import { setTimeout as sleep } from "node:timers/promises";
import type { Octokit } from "./octokit.js";

/** What `retryRequests` reads of a client's options (`retry`, as Octokit's retry plugin). */
export interface RetryRequestsOptions {
  enabled?: boolean;
  /** Tries after the first; a request may say otherwise (`request.retries`). */
  retries?: number;
  /** Statuses a retry would not change. */
  doNotRetry?: number[];
  /** The wait before the n-th retry is n² times this, in milliseconds. */
  retryAfterBaseValue?: number;
}

/**
 * Sends a request that failed with a server error (or no answer) again, a
 * few times, after 1, 4, 9 … seconds: the policy of Octokit's retry plugin,
 * which Probot's clients carry, without its cost. That plugin makes a new
 * Bottleneck queue, with its events and timers, for every request, retried
 * or not: measured under `npm run bench:e2e`, about 2 % of the App's CPU.
 * Here a request that works costs one `await`.
 */
export function retryRequests(
  octokit: Pick<Octokit, "hook">,
  octokitOptions: object,
): void {
  const {
    enabled = true,
    retries = 3,
    doNotRetry = [400, 401, 403, 404, 410, 422, 451],
    retryAfterBaseValue = 1000,
  } = (octokitOptions as { specwrightRetry?: RetryRequestsOptions })
    .specwrightRetry ?? {};
  if (!enabled) return;
  octokit.hook.wrap("request", async (request, options) => {
    const asked: unknown = options.request?.retries;
    const allowed = typeof asked === "number" ? asked : retries;
    for (let retry = 0; ; retry++) {
      try {
        return await request(options);
      } catch (error) {
        if (retry >= allowed || !retriable(error, doNotRetry)) throw error;
        await sleep((retry + 1) ** 2 * retryAfterBaseValue);
      }
    }
  });
}

/** A GitHub error (or a request that got no answer, status 500) worth another try. */
function retriable(error: unknown, doNotRetry: readonly number[]): boolean {
  const { status, request } = error as { status?: unknown; request?: unknown };
  return (
    request !== undefined &&
    typeof status === "number" &&
    status >= 400 &&
    !doNotRetry.includes(status)
  );
}
