import { STATUS_CODES } from "node:http";
import { Agent, type Dispatcher } from "undici";

/** What Octokit passes its `fetch` (`@octokit/request`'s fetch wrapper). */
export interface GitHubFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  redirect?: "follow" | "manual" | "error";
  signal?: AbortSignal | null;
  duplex?: "half";
}

/** What Octokit reads of a response: status, headers, and the body once. */
export interface GitHubFetchResponse {
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly ok: boolean;
  readonly headers: Pick<Headers, "get" | "has"> & Iterable<[string, string]>;
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type GitHubFetch = (
  url: string,
  init?: GitHubFetchInit,
) => Promise<GitHubFetchResponse | Response>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * A `fetch` for Octokit's GitHub requests over undici's own request API:
 * the same connection pool and socket handling as Node's `fetch` (undici is
 * what Node's `fetch` is built on), without the WHATWG `Request`, `Response`,
 * `Headers` and web streams that `fetch` makes for every request and that
 * Octokit reads once. Measured under `npm run bench:e2e`: Node's `fetch`
 * with its streams was the largest single part of the App's CPU per stage.
 *
 * Whatever is not an ordinary API call is left to `fallback` (Node's
 * `fetch`): a body that is a stream, and every redirect after the first
 * answer (an artifact's download goes on to blob storage, without the
 * token), which `fallback` follows by the fetch rules.
 */
export function createGitHubFetch(
  options: { dispatcher?: Dispatcher; fallback?: typeof fetch } = {},
): GitHubFetch {
  let dispatcher = options.dispatcher;
  const fallback = options.fallback ?? globalThis.fetch;
  return async (url, init = {}) => {
    if (!plainBody(init.body)) {
      return fallback(url, init as RequestInit);
    }
    dispatcher ??= new Agent();
    const target = new URL(url);
    const method = (init.method ?? "GET").toUpperCase();
    let answer: Dispatcher.ResponseData;
    try {
      answer = await dispatcher.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: method as Dispatcher.HttpMethod,
        headers: init.headers ?? {},
        body: (init.body ?? null) as string | Uint8Array | null,
        signal: init.signal ?? undefined,
      });
    } catch (error) {
      throw asFetchError(error, init.signal);
    }
    const response = new GitHubResponse(target.href, answer);
    if (!REDIRECTS.has(response.status) || init.redirect === "manual") {
      return response;
    }
    await answer.body.dump().catch(() => undefined);
    const location = response.headers.get("location");
    if (init.redirect === "error" || location === null) {
      throw new TypeError("fetch failed", {
        cause: new Error(
          location === null
            ? `a ${response.status} without a Location from ${target.origin}`
            : `redirected from ${target.href} with redirect: "error"`,
        ),
      });
    }
    return fallback(
      new URL(location, target).href,
      redirectInit(init, method, response.status, target, location),
    );
  };
}

/** A body undici sends as it is: none, a string or bytes. */
function plainBody(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === "string" ||
    body instanceof Uint8Array
  );
}

/**
 * The request that follows a redirect, by the fetch rules: a 303, or a 301
 * or 302 answering a POST, becomes a GET without a body; the token is
 * dropped when the redirect leaves the origin.
 */
function redirectInit(
  init: GitHubFetchInit,
  method: string,
  status: number,
  from: URL,
  location: string,
): RequestInit {
  const to = new URL(location, from);
  const toGet =
    status === 303 || ((status === 301 || status === 302) && method === "POST");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    const lower = name.toLowerCase();
    if (to.origin !== from.origin && lower === "authorization") continue;
    if (toGet && (lower === "content-type" || lower === "content-length")) {
      continue;
    }
    headers[name] = value;
  }
  return {
    method: toGet && method !== "HEAD" ? "GET" : method,
    headers,
    ...(toGet ? {} : { body: init.body as string | Uint8Array | null }),
    ...(init.redirect ? { redirect: init.redirect } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  };
}

/** An error as `fetch` gives it: an `AbortError`, else a `TypeError` with the cause. */
function asFetchError(error: unknown, signal: AbortSignal | null | undefined) {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error && reason.name === "AbortError"
      ? reason
      : new DOMException("This operation was aborted", "AbortError");
  }
  return new TypeError("fetch failed", { cause: error });
}

/** A response's headers as `fetch` shows them: lower-case, sorted, repeats joined. */
class ResponseHeaders implements Iterable<[string, string]> {
  constructor(private readonly raw: Dispatcher.ResponseData["headers"]) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  *[Symbol.iterator](): Iterator<[string, string]> {
    for (const name of Object.keys(this.raw).sort()) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }
}

/** An answer from undici, read as Octokit reads a `fetch` response. */
class GitHubResponse implements GitHubFetchResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: ResponseHeaders;

  constructor(
    readonly url: string,
    private readonly answer: Dispatcher.ResponseData,
  ) {
    this.status = answer.statusCode;
    this.statusText = STATUS_CODES[answer.statusCode] ?? "";
    this.headers = new ResponseHeaders(answer.headers);
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get body(): ReadableStream<Uint8Array> {
    // undici's readable makes the web stream when asked (its `body`).
    return (this.answer.body as unknown as { body: ReadableStream<Uint8Array> })
      .body;
  }

  text(): Promise<string> {
    return this.answer.body.text();
  }

  json(): Promise<unknown> {
    return this.answer.body.json();
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.answer.body.arrayBuffer();
  }
}
