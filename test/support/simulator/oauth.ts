import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { renderAuthorizePage, renderOAuthErrorPage } from "./oauth-pages.js";
import { validateRestResponse } from "./rest-schemas.js";
import type { Repository, Role, User } from "./state.js";
import {
  installationPayload,
  privateUser,
  repositoryPayload,
} from "./user-payloads.js";

/** The GitHub App's OAuth client, as its settings page holds it. */
export interface OAuthAppOptions {
  clientId: string;
  clientSecret: string;
  /** Registered callback URLs; a `redirect_uri` must start with one. Any is accepted when absent. */
  callbackUrls?: string[];
}

/** What the OAuth side needs of the simulated GitHub. */
export interface OAuthWorld {
  url(): string;
  now(): Date;
  appId: number;
  user(login: string): User;
  repositories: ReadonlyMap<string, Repository>;
  problems: string[];
  isInstallationToken(token: string): boolean;
}

/** An answer, in the simulator's shape. */
export interface OAuthReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: Buffer | string;
}

interface Grant {
  login: string;
  clientId: string;
  redirectUri: string;
  expiresAt: number;
}

/** GitHub's lifetimes: a code 10 minutes, a user token 8 hours, its refresh token 6 months. */
export const CODE_LIFETIME_MS = 10 * 60_000;
export const USER_TOKEN_SECONDS = 28_800;
const REFRESH_TOKEN_SECONDS = 15_897_600;
const ERROR_DOCS = "https://docs.github.com/apps/managing-oauth-apps";

function alphanumeric(length: number): string {
  const alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(length)].map((b) => alphabet[b % 62]).join("");
}

/**
 * GitHub's web application flow for a GitHub App, and the REST endpoints a
 * user token reaches: `/login/oauth/authorize` (a sign-in form),
 * `/login/oauth/access_token`, `GET /user`, `GET /user/installations`,
 * `GET /user/installations/{id}/repositories`, `GET /repos/{owner}/{repo}`
 * with the person's `permissions`, and `DELETE
 * /applications/{client_id}/token`. Codes are single-use and expire;
 * tokens expire; a private repository is not found by a person without a
 * role. Every REST answer is checked against GitHub's response schema.
 */
export class OAuthSimulator {
  private readonly codes = new Map<string, Grant>();
  private readonly tokens = new Map<string, Grant>();
  private readonly refreshTokens = new Map<string, Grant>();

  constructor(
    private readonly world: OAuthWorld,
    private readonly app: OAuthAppOptions | undefined,
  ) {}

  /** The user tokens issued to `login` that still work. */
  tokensOf(login: string): string[] {
    const now = this.world.now().getTime();
    return [...this.tokens]
      .filter(([, g]) => g.login === login && g.expiresAt > now)
      .map(([token]) => token);
  }

  /** The person revokes the App's authorization: their tokens stop working. */
  revoke(login: string): void {
    for (const map of [this.tokens, this.refreshTokens]) {
      for (const [token, grant] of map) {
        if (grant.login === login) map.delete(token);
      }
    }
  }

  /** True for the paths of GitHub's web side this class serves. */
  servesWeb(pathname: string): boolean {
    return (
      pathname.startsWith("/login/oauth/") || pathname.startsWith("/avatars/")
    );
  }

  /** GitHub's web side: the sign-in pages, the token exchange, avatars. */
  web(
    method: string,
    url: URL,
    payload: Buffer,
    headers: IncomingMessage["headers"],
  ): OAuthReply {
    if (url.pathname.startsWith("/avatars/") && method === "GET") {
      return {
        status: 200,
        headers: { "content-type": "image/svg+xml" },
        raw: '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#8250df"/></svg>',
      };
    }
    const params = parseParams(url, payload, headers);
    if (url.pathname === "/login/oauth/authorize") {
      if (method === "GET") return this.authorizePage(params);
      if (method === "POST") return this.authorize(params);
    }
    if (url.pathname === "/login/oauth/access_token" && method === "POST") {
      return this.accessToken(params, String(headers.accept ?? ""));
    }
    return { status: 404, raw: "Not Found" };
  }

  private client(clientId: string | null): OAuthAppOptions | undefined {
    return this.app !== undefined && clientId === this.app.clientId
      ? this.app
      : undefined;
  }

  /** The callback to use, or a reply refusing the request. */
  private callback(
    app: OAuthAppOptions,
    requested: string | null,
  ): string | { refusal: string } {
    const registered = app.callbackUrls ?? [];
    if (requested === null || requested === "") {
      return registered[0] ?? { refusal: "This app has no callback URL." };
    }
    if (
      registered.length > 0 &&
      !registered.some((u) => requested.startsWith(u))
    ) {
      return {
        refusal: "The redirect_uri is not associated with this application.",
      };
    }
    return requested;
  }

  private authorizePage(params: URLSearchParams): OAuthReply {
    const app = this.client(params.get("client_id"));
    if (app === undefined) {
      return html(404, renderOAuthErrorPage("This client_id is not valid."));
    }
    const callback = this.callback(app, params.get("redirect_uri"));
    if (typeof callback !== "string") {
      return html(400, renderOAuthErrorPage(callback.refusal));
    }
    return html(
      200,
      renderAuthorizePage({
        clientId: app.clientId,
        redirectUri: callback,
        state: params.get("state") ?? "",
        login: params.get("login") ?? "",
      }),
    );
  }

  /** The form's answer: a code for the person, or their refusal, back at the callback. */
  private authorize(params: URLSearchParams): OAuthReply {
    const app = this.client(params.get("client_id"));
    if (app === undefined) {
      return html(404, renderOAuthErrorPage("This client_id is not valid."));
    }
    const callback = this.callback(app, params.get("redirect_uri"));
    if (typeof callback !== "string") {
      return html(400, renderOAuthErrorPage(callback.refusal));
    }
    const back = new URL(callback);
    const state = params.get("state");
    if (params.get("decision") === "deny") {
      back.searchParams.set("error", "access_denied");
      back.searchParams.set(
        "error_description",
        "The user has denied your application access.",
      );
    } else {
      const login = params.get("login")?.trim() ?? "";
      if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(login)) {
        return html(
          422,
          renderAuthorizePage({
            clientId: app.clientId,
            redirectUri: callback,
            state: state ?? "",
            login,
            problem: "Incorrect username or password.",
          }),
        );
      }
      const code = randomBytes(10).toString("hex");
      this.codes.set(code, {
        login: this.world.user(login).login,
        clientId: app.clientId,
        redirectUri: callback,
        expiresAt: this.world.now().getTime() + CODE_LIFETIME_MS,
      });
      back.searchParams.set("code", code);
    }
    if (state !== null) back.searchParams.set("state", state);
    return { status: 302, headers: { location: back.href } };
  }

  private accessToken(params: URLSearchParams, accept: string): OAuthReply {
    const answer = (body: Record<string, string | number>): OAuthReply =>
      accept.includes("application/json")
        ? { status: 200, body }
        : {
            status: 200,
            headers: {
              "content-type":
                "application/x-www-form-urlencoded; charset=utf-8",
            },
            raw: new URLSearchParams(
              Object.entries(body).map(([k, v]): [string, string] => [
                k,
                String(v),
              ]),
            ).toString(),
          };
    const refuse = (error: string, description: string, anchor: string) =>
      answer({
        error,
        error_description: description,
        error_uri: `${ERROR_DOCS}/troubleshooting-oauth-app-access-token-request-errors/#${anchor}`,
      });
    const app = this.client(params.get("client_id"));
    if (app === undefined || params.get("client_secret") !== app.clientSecret) {
      return refuse(
        "incorrect_client_credentials",
        "The client_id and/or client_secret passed are incorrect.",
        "incorrect-client-credentials",
      );
    }
    const now = this.world.now().getTime();
    let grant: Grant | undefined;
    if (params.get("grant_type") === "refresh_token") {
      const refresh = params.get("refresh_token") ?? "";
      grant = this.refreshTokens.get(refresh);
      this.refreshTokens.delete(refresh);
      if (grant === undefined || grant.expiresAt <= now) {
        return refuse(
          "bad_refresh_token",
          "The refresh token passed is incorrect or expired.",
          "bad-refresh-token",
        );
      }
    } else {
      const code = params.get("code") ?? "";
      grant = this.codes.get(code);
      // A code is good for one exchange, even a failed one.
      this.codes.delete(code);
      if (
        grant === undefined ||
        grant.expiresAt <= now ||
        grant.clientId !== app.clientId
      ) {
        return refuse(
          "bad_verification_code",
          "The code passed is incorrect or expired.",
          "bad-verification-code",
        );
      }
      const redirectUri = params.get("redirect_uri");
      if (redirectUri && redirectUri !== grant.redirectUri) {
        return refuse(
          "redirect_uri_mismatch",
          "The redirect_uri MUST match the registered callback URL for this application.",
          "redirect-uri-mismatch2",
        );
      }
    }
    const token = `ghu_${alphanumeric(36)}`;
    const refresh = `ghr_${alphanumeric(76)}`;
    this.tokens.set(token, {
      ...grant,
      expiresAt: now + USER_TOKEN_SECONDS * 1000,
    });
    this.refreshTokens.set(refresh, {
      ...grant,
      expiresAt: now + REFRESH_TOKEN_SECONDS * 1000,
    });
    return answer({
      access_token: token,
      expires_in: USER_TOKEN_SECONDS,
      refresh_token: refresh,
      refresh_token_expires_in: REFRESH_TOKEN_SECONDS,
      scope: "",
      token_type: "bearer",
    });
  }

  /**
   * The REST requests this class answers (a user token's, and the App's
   * token revocation), or undefined for the simulator's other routes.
   */
  rest(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Record<string, unknown>,
    authorization: string | undefined,
  ): OAuthReply | undefined {
    const revoke = /^\/applications\/([^/]+)\/token$/.exec(path);
    if (revoke && method === "DELETE") {
      return this.revokeToken(
        decodeURIComponent(revoke[1] ?? ""),
        body,
        authorization,
      );
    }
    const token = (authorization ?? "").replace(/^(token|bearer) /i, "");
    const repo = /^\/repos\/([^/]+)\/([^/]+)$/.exec(path);
    const forUser =
      path === "/user" ||
      path.startsWith("/user/") ||
      (repo !== null && method === "GET" && token.startsWith("ghu_"));
    if (!forUser) return undefined;
    const grant = this.tokens.get(token);
    if (grant === undefined || grant.expiresAt <= this.world.now().getTime()) {
      return this.world.isInstallationToken(token)
        ? failure(403, "Resource not accessible by integration")
        : failure(401, "Bad credentials");
    }
    const user = this.world.user(grant.login);
    const base = this.world.url();
    if (method === "GET" && path === "/user") {
      return this.checked("/user", privateUser(base, user));
    }
    if (method === "GET" && path === "/user/installations") {
      const installations = this.installationsOf(user.login).map(
        ([id, account]) =>
          installationPayload(
            base,
            id,
            this.world.appId,
            this.world.user(account),
          ),
      );
      const page = paginate(installations, query, `${base}/api/v3${path}`);
      return this.checked(
        "/user/installations",
        { total_count: installations.length, installations: page.items },
        page.link,
      );
    }
    const listed = /^\/user\/installations\/(\d+)\/repositories$/.exec(path);
    if (method === "GET" && listed) {
      const id = Number(listed[1]);
      if (!this.installationsOf(user.login).some(([i]) => i === id)) {
        return failure(404, "Not Found");
      }
      const repositories = [...this.world.repositories.values()]
        .filter((r) => r.installation === id && r.roles.has(user.login))
        .map((r) =>
          repositoryPayload(
            base,
            r,
            this.world.user(r.owner),
            r.roles.get(user.login),
            false,
          ),
        );
      const page = paginate(repositories, query, `${base}/api/v3${path}`);
      return this.checked(
        "/user/installations/{installation_id}/repositories",
        {
          total_count: repositories.length,
          repository_selection: "all",
          repositories: page.items,
        },
        page.link,
      );
    }
    if (method === "GET" && repo) {
      const found = this.world.repositories.get(`${repo[1]}/${repo[2]}`);
      const role = found === undefined ? undefined : roleOf(found, user.login);
      if (found === undefined || role === undefined) {
        return failure(404, "Not Found");
      }
      return this.checked(
        "/repos/{owner}/{repo}",
        repositoryPayload(
          base,
          found,
          this.world.user(found.owner),
          role,
          true,
        ),
      );
    }
    return failure(
      404,
      `the simulator does not serve ${method} ${path} for a user token`,
    );
  }

  /** `DELETE /applications/{client_id}/token`, with the client's id and secret as Basic auth. */
  private revokeToken(
    clientId: string,
    body: Record<string, unknown>,
    authorization: string | undefined,
  ): OAuthReply {
    const basic = /^basic (.+)$/i.exec(authorization ?? "");
    const [id, secret] = Buffer.from(basic?.[1] ?? "", "base64")
      .toString("utf8")
      .split(":");
    const app = this.client(clientId);
    if (
      app === undefined ||
      id !== app.clientId ||
      secret !== app.clientSecret
    ) {
      return failure(404, "Not Found");
    }
    const token = String(body.access_token ?? "");
    if (!this.tokens.delete(token)) return failure(404, "Not Found");
    return { status: 204 };
  }

  /** Installations (id, account) on which `login` has a role on some repository. */
  private installationsOf(login: string): [number, string][] {
    const found = new Map<number, string>();
    for (const repo of this.world.repositories.values()) {
      if (repo.roles.has(login) && !found.has(repo.installation)) {
        found.set(repo.installation, repo.owner);
      }
    }
    return [...found].sort(([a], [b]) => a - b);
  }

  private checked(path: string, body: unknown, link?: string): OAuthReply {
    for (const problem of validateRestResponse("GET", path, 200, body)) {
      this.world.problems.push(`response ${problem}`);
    }
    return { status: 200, body, ...(link ? { headers: { link } } : {}) };
  }
}

/** A person's role on a repository: theirs, else read on a public one, else none. */
function roleOf(repo: Repository, login: string): Role | undefined {
  return repo.roles.get(login) ?? (repo.private ? undefined : "read");
}

function failure(status: number, message: string): OAuthReply {
  return {
    status,
    body: {
      message,
      documentation_url: "https://docs.github.com/rest",
      status: String(status),
    },
  };
}

function html(status: number, page: string): OAuthReply {
  return {
    status,
    headers: { "content-type": "text/html; charset=utf-8" },
    raw: page,
  };
}

/** Query, then a form or JSON body: GitHub reads the OAuth parameters from either. */
function parseParams(
  url: URL,
  payload: Buffer,
  headers: IncomingMessage["headers"],
): URLSearchParams {
  const params = new URLSearchParams(url.searchParams);
  if (payload.length === 0) return params;
  const type = String(headers["content-type"] ?? "");
  if (type.includes("application/json")) {
    try {
      const json = JSON.parse(payload.toString("utf8")) as Record<
        string,
        unknown
      >;
      for (const [key, value] of Object.entries(json)) {
        if (value !== null && value !== undefined)
          params.set(key, String(value));
      }
    } catch {
      // GitHub ignores a body it cannot read: the parameters are missing.
    }
    return params;
  }
  for (const [key, value] of new URLSearchParams(payload.toString("utf8"))) {
    params.set(key, value);
  }
  return params;
}

/** GitHub's `per_page`/`page` paging, with its Link header. */
function paginate<T>(
  items: T[],
  query: URLSearchParams,
  url: string,
): { items: T[]; link: string | undefined } {
  const perPage = Math.min(
    Math.max(Number(query.get("per_page") ?? 30) || 30, 1),
    100,
  );
  const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const at = (n: number) => {
    const params = new URLSearchParams(query);
    params.set("per_page", String(perPage));
    params.set("page", String(n));
    return `${url}?${params}`;
  };
  const links: string[] = [];
  if (page > 1)
    links.push(`<${at(page - 1)}>; rel="prev"`, `<${at(1)}>; rel="first"`);
  if (page < last)
    links.push(`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    link: links.length > 0 ? links.join(", ") : undefined,
  };
}
