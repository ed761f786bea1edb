import { createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { DashboardAuthConfig } from "./config-from-env.js";
import { createGitHubUserApi, type GitHubUserApi } from "./github-user-api.js";
import { createSealer, deriveKey, type Sealer } from "./seal.js";
import type { Session } from "./session-cookie.js";
import { TtlCache } from "./ttl-cache.js";

/** Everything the sign-in's functions share, made once per App. */
export interface AuthState {
  config: DashboardAuthConfig;
  sealer: Sealer;
  now: () => Date;
  fetch: typeof fetch;
  api: GitHubUserApi;
  /** Cookies are `Secure`: the public URL is https. */
  secure: boolean;
  /** The token inside each session read, kept off the session object so it cannot be logged or serialised with it. */
  tokens: WeakMap<Session, string>;
  /** Ids of tokens GitHub refused (in this process): their sessions read as signed out. */
  refused: TtlCache<true>;
  /** A keyed hash of a token: what caches key on, never the token itself. */
  tokenId(token: string): string;
}

export interface AuthOptions {
  now?: () => Date;
  fetch?: typeof fetch;
  /** Items per page of GitHub's lists (100, GitHub's most; tests page with fewer). */
  perPage?: number;
}

/** A user token lives at most 8 hours; a refusal need not be remembered longer. */
const REFUSED_MS = 8 * 3600_000;

export function createAuthState(
  config: DashboardAuthConfig,
  options: AuthOptions = {},
): AuthState {
  if (config.sessionSecret.length < 32) {
    throw new Error(
      "specwright: the dashboard's session secret must be at least 32 characters long.",
    );
  }
  const now = options.now ?? (() => new Date());
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const cacheKey = deriveKey(config.sessionSecret, "token-cache");
  return {
    config,
    sealer: createSealer(deriveKey(config.sessionSecret, "cookie-seal")),
    now,
    fetch: fetchImpl,
    api: createGitHubUserApi({
      apiUrl: config.githubApiUrl,
      fetch: fetchImpl,
      perPage: options.perPage ?? 100,
    }),
    secure: config.publicUrl?.startsWith("https:") ?? false,
    tokens: new WeakMap(),
    refused: new TtlCache(REFUSED_MS, 10_000, () => now().getTime()),
    tokenId: (token) =>
      createHmac("sha256", cacheKey).update(token).digest("base64url"),
  };
}

/**
 * The dashboard's origin: the public URL, else what the request was sent
 * to (`Host`, and `X-Forwarded-Proto` for the scheme behind a TLS proxy;
 * GitHub only accepts a callback on the App's registered callback URLs, so
 * a forged header gains nothing). Undefined for a `Host` that is not one.
 */
export function dashboardOrigin(
  state: AuthState,
  req: IncomingMessage,
): string | undefined {
  if (state.config.publicUrl) return state.config.publicUrl;
  const host = req.headers.host ?? "";
  if (
    !/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)
  ) {
    return undefined;
  }
  const forwarded = String(req.headers["x-forwarded-proto"] ?? "")
    .split(",")[0]
    ?.trim();
  return `${forwarded === "https" ? "https" : "http"}://${host}`;
}

/**
 * Whether cookies must be `Secure`: the public URL is https, or (without
 * one) the request came over https, as a TLS proxy's `X-Forwarded-Proto`
 * says — the same origin the callback is built on.
 */
export function isSecure(state: AuthState, req: IncomingMessage): boolean {
  return (
    state.secure || (dashboardOrigin(state, req)?.startsWith("https:") ?? false)
  );
}
