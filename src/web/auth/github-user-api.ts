import { SignedOutError } from "./signed-out-error.js";

/** Calls to GitHub's REST API with a person's user token. */
export interface GitHubUserApi {
  /** GET `path`: 200, 403 and 404 are answers; 401 throws {@link SignedOutError}. */
  get(token: string, path: string): Promise<{ status: number; body: unknown }>;
  /** Every item of a paginated list: the arrays under `key`, page after page. */
  list(token: string, path: string, key: string): Promise<unknown[]>;
}

/** A list longer than this many pages is cut short (bounded work per person). */
const MAX_PAGES = 50;
const TIMEOUT_MS = 10_000;

/**
 * The client for `apiUrl` (`https://api.github.com` or a GHES `/api/v3`).
 * Errors name the request by method and path only: the token is never in a
 * message, and pages are only followed on GitHub's own origin.
 */
export function createGitHubUserApi(options: {
  apiUrl: string;
  fetch: typeof fetch;
  perPage: number;
}): GitHubUserApi {
  const base = options.apiUrl.replace(/\/+$/, "");
  const origin = new URL(base).origin;

  async function request(token: string, url: string): Promise<Response> {
    const where = `GET ${new URL(url).pathname}`;
    let response: Response;
    try {
      response = await options.fetch(url, {
        headers: {
          accept: "application/vnd.github+json",
          authorization: `Bearer ${token}`,
          "user-agent": "specwright-dashboard",
          "x-github-api-version": "2022-11-28",
        },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new Error(
        `specwright: GitHub could not be reached for ${where} (${error instanceof Error ? error.message : String(error)}).`,
      );
    }
    if (response.status === 401) throw new SignedOutError();
    const limited =
      response.status === 429 ||
      (response.status === 403 &&
        response.headers.get("x-ratelimit-remaining") === "0");
    if (limited) {
      const reset = Number(response.headers.get("x-ratelimit-reset"));
      const until =
        Number.isFinite(reset) && reset > 0
          ? ` until ${new Date(reset * 1000).toISOString()}`
          : "";
      throw new Error(
        `specwright: GitHub's rate limit for this person is spent${until} (${where}); try again later.`,
      );
    }
    if (response.status >= 500) {
      throw new Error(
        `specwright: GitHub answered ${response.status} to ${where}; try again later.`,
      );
    }
    return response;
  }

  return {
    async get(token, path) {
      const response = await request(token, `${base}${path}`);
      if (![200, 403, 404].includes(response.status)) {
        throw new Error(
          `specwright: GitHub answered ${response.status} to GET ${path}, which the dashboard does not expect.`,
        );
      }
      const body: unknown =
        response.status === 200 ? await response.json() : undefined;
      return { status: response.status, body };
    },

    async list(token, path, key) {
      const items: unknown[] = [];
      const separator = path.includes("?") ? "&" : "?";
      let url: string | undefined =
        `${base}${path}${separator}per_page=${options.perPage}`;
      for (let page = 0; url !== undefined && page < MAX_PAGES; page++) {
        const response = await request(token, url);
        if (response.status !== 200) {
          throw new Error(
            `specwright: GitHub answered ${response.status} to GET ${new URL(url).pathname} while listing what this person can read.`,
          );
        }
        const body = (await response.json()) as Record<string, unknown>;
        const pageItems = body[key];
        if (Array.isArray(pageItems)) items.push(...pageItems);
        url = nextPage(response.headers.get("link"), origin);
      }
      return items;
    },
  };
}

/** The `rel="next"` URL of a Link header, if it is on GitHub's origin. */
function nextPage(link: string | null, origin: string): string | undefined {
  if (link === null) return undefined;
  for (const part of link.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="next"/.exec(part);
    if (match?.[1] === undefined) continue;
    try {
      const next = new URL(match[1]);
      return next.origin === origin ? next.href : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
