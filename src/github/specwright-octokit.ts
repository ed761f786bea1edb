import { Octokit } from "@octokit/core";
import { enterpriseCompatibility } from "@octokit/plugin-enterprise-compatibility";
import { paginateRest } from "@octokit/plugin-paginate-rest";
import { restEndpointMethods } from "@octokit/plugin-rest-endpoint-methods";
import { throttling } from "@octokit/plugin-throttling";
import { config } from "@probot/octokit-plugin-config";
import { createProbotAuth } from "octokit-auth-probot";
import type { ProbotOctokit } from "probot";
import type { GitHubFetch } from "./github-fetch.js";
import { onLimit } from "./rate-limits.js";
import { type RetryRequestsOptions, retryRequests } from "./retry-requests.js";

interface RequestLog {
  debug(fields: object, message: string): void;
  isLevelEnabled?(level: string): boolean;
}

interface LoggedClient {
  log: RequestLog;
  hook: Octokit["hook"];
  request: Octokit["request"];
}

/**
 * Probot's debug line for each GitHub request ("GitHub request: GET /url -
 * 200", with the body), made only when debug lines are kept. Probot's own
 * plugin parses every request's options a second time to make a line the
 * logger then drops.
 */
export function requestLogging(octokit: LoggedClient): void {
  const log = (status: number, options: Parameters<Octokit["request"]>[1]) => {
    if (octokit.log.isLevelEnabled?.("debug") === false) return;
    const { method, url, ...params } = octokit.request.endpoint.parse(
      options as never,
    );
    octokit.log.debug(
      (params.body as object | undefined) ?? {},
      `GitHub request: ${method} ${url} - ${status}`,
    );
  };
  octokit.hook.error("request", (error, options) => {
    if ("status" in error && typeof error.status === "number")
      log(error.status, options);
    throw error;
  });
  octokit.hook.after("request", (result, options) =>
    log(result.status, options),
  );
}

interface ClientOptions {
  throttle?: object;
  retry?: RetryRequestsOptions;
  request?: object;
}

/**
 * The App's GitHub client: Probot's (its authentication, configuration
 * reading, pagination, REST methods, rate-limit throttling) with:
 * - rate-limit retries bounded (`onLimit`);
 * - server errors retried by `retryRequests` instead of Octokit's retry
 *   plugin (same policy, same `retry` options, far less CPU);
 * - Probot's request log made only when kept (`requestLogging`);
 * - with `fetch`, requests sent through it (the App: github-fetch.ts)
 *   unless a client is given its own.
 * Its defaults are a function, so that our limit handlers win over the
 * throttle options Probot passes every client it makes.
 */
export function specwrightOctokit(
  settings: { fetch?: GitHubFetch } = {},
): typeof ProbotOctokit {
  const { fetch } = settings;
  const Client = Octokit.plugin(
    throttling,
    paginateRest,
    restEndpointMethods,
    enterpriseCompatibility,
    requestLogging as never,
    config,
    retryRequests as never,
  ).defaults((options: ClientOptions) => ({
    authStrategy: createProbotAuth,
    userAgent: "specwright",
    ...options,
    ...(fetch ? { request: { fetch, ...options.request } } : {}),
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
  }));
  // The same client API as Probot's, less its retry and logging plugins.
  return Client as unknown as typeof ProbotOctokit;
}

/** Specwright's Octokit over Node's `fetch` (tests mock that with nock). */
export const SpecwrightOctokit: typeof ProbotOctokit = specwrightOctokit();
