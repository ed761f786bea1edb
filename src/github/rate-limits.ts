import { ProbotOctokit } from "probot";
import type { GitHubFetch } from "./github-fetch.js";
import { type RetryRequestsOptions, retryRequests } from "./retry-requests.js";

/** How often a request hit by a rate limit is sent again before it fails. */
export const MAX_RATE_LIMIT_RETRIES = 2;
/** A wait longer than this is not waited for in the request: it fails, and the effect runner backs off. */
export const MAX_RATE_LIMIT_WAIT_SECONDS = 60;

/** Rate-limit hits since the process started, for the logs. */
export const rateLimitCounts = { primary: 0, secondary: 0 };

interface LimitLog {
  warn(message: string): void;
}

/**
 * Decides, for a request GitHub answered with a rate limit, whether to send
 * it again after `retryAfter` seconds (as GitHub asks): at most
 * {@link MAX_RATE_LIMIT_RETRIES} times and only for a short wait. Every hit
 * is counted and logged; a request that gives up fails, and its effect is
 * retried later with back-off.
 */
export function onLimit(kind: "primary" | "secondary") {
  return (
    retryAfter: number,
    options: { method: string; url: string },
    octokit: { log: LimitLog },
    retryCount: number,
  ): boolean => {
    rateLimitCounts[kind]++;
    const retry =
      retryCount < MAX_RATE_LIMIT_RETRIES &&
      retryAfter <= MAX_RATE_LIMIT_WAIT_SECONDS;
    octokit.log.warn(
      `specwright: ${kind} rate limit on ${options.method} ${options.url} (hit ${rateLimitCounts[kind]} since start); ${retry ? `retrying in ${retryAfter}s (retry ${retryCount + 1} of ${MAX_RATE_LIMIT_RETRIES})` : "giving up on this request for now"}`,
    );
    return retry;
  };
}

/**
 * Probot's Octokit with bounded rate-limit retries, and server errors
 * retried by `retryRequests` instead of Octokit's retry plugin (same policy,
 * same `retry` options, far less CPU). A function, so that our handlers win
 * over the throttle options Probot passes every client it makes (an object
 * of defaults would lose to them). With `fetch`, requests go through it
 * (the App: github-fetch.ts) unless a client is given its own.
 */
export function specwrightOctokit(
  settings: { fetch?: GitHubFetch } = {},
): typeof ProbotOctokit {
  const { fetch } = settings;
  return ProbotOctokit.plugin(retryRequests).defaults(
    (options: {
      throttle?: object;
      retry?: RetryRequestsOptions;
      request?: object;
    }) => ({
      ...options,
      ...(fetch ? { request: { fetch, ...options.request } } : {}),
      retry: { enabled: false },
      specwrightRetry: options.retry ?? {},
      throttle:
        process.env.SPECWRIGHT_GITHUB_THROTTLE === "off"
          ? // A local GitHub simulator, which has no limits to respect: no
            // spacing between writes (1s) and new comments (3s) either.
            { enabled: false }
          : {
              enabled: true,
              ...options.throttle,
              onRateLimit: onLimit("primary"),
              onSecondaryRateLimit: onLimit("secondary"),
            },
    }),
  );
}

/** Specwright's Octokit over Node's `fetch` (tests mock that with nock). */
export const SpecwrightOctokit: typeof ProbotOctokit = specwrightOctokit();
