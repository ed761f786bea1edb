import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDashboardAuth,
  type DashboardAuth,
  type Session,
} from "../../../src/web/auth/index.js";
import { github } from "../../support/github.js";
import { cookiePair } from "./auth-world.js";

// How the sign-in takes GitHub's unusual answers, on github.com itself
// (nock at the HTTP boundary): failures become sentences that name the
// request and never the token, and paging never leaves GitHub.

const TOKEN = "ghu_abcdefghijklmnopqrstuvwxyz0123456789";

describe("the sign-in on github.com, with GitHub misbehaving", () => {
  let server: Server;
  let appUrl = "";
  let auth: DashboardAuth;
  let session: Session | undefined;

  beforeAll(async () => {
    auth = createDashboardAuth(
      {
        clientId: "Iv1.public",
        clientSecret: "client-secret",
        sessionSecret: "another-session-secret-32-characters-long",
        githubWebUrl: "https://github.com",
        githubApiUrl: "https://api.github.com",
      },
      { perPage: 1 },
    );
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", appUrl);
      void auth.handle(req, res, url).then((handled) => {
        if (handled) return;
        session = auth.session(req);
        res.writeHead(204);
        res.end();
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const start = await fetch(`${appUrl}/specwright/auth/sign-in`, {
      redirect: "manual",
    });
    const state = new URL(start.headers.get("location") ?? "").searchParams.get(
      "state",
    );
    const exchange = captureBodies();
    const web = nock("https://github.com")
      .post("/login/oauth/access_token", exchange.match)
      .reply(200, { access_token: TOKEN, token_type: "bearer", scope: "" });
    const api = github()
      .get("/user")
      .matchHeader("authorization", `Bearer ${TOKEN}`)
      .reply(200, { login: "octocat", id: 1, avatar_url: null });
    const callback = await fetch(
      `${appUrl}/specwright/auth/callback?code=c0de&state=${state}`,
      {
        redirect: "manual",
        headers: { cookie: cookiePair(start.headers.getSetCookie()[0] ?? "") },
      },
    );
    expect(callback.status).toBe(302);
    expect(exchange.bodies).toEqual([
      {
        client_id: "Iv1.public",
        client_secret: "client-secret",
        code: "c0de",
        redirect_uri: `${appUrl}/specwright/auth/callback`,
      },
    ]);
    expect(web.isDone() && api.isDone()).toBe(true);
    const cookie = callback.headers
      .getSetCookie()
      .find((c) => c.startsWith("specwright_session="));
    await fetch(`${appUrl}/probe`, {
      headers: { cookie: cookiePair(cookie ?? "") },
    });
    expect(session?.login).toBe("octocat");
    // A token without expiry (the App opted out of expiring tokens): 8 hours still.
    expect(cookie).toContain("Max-Age=28800");
  });
  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => done()));
  });

  /** Captures request bodies for assertions (rule 9). */
  function captureBodies() {
    const bodies: unknown[] = [];
    return {
      bodies,
      match: (body: unknown) => {
        bodies.push(body);
        return true;
      },
    };
  }

  it("shows a 502 page when GitHub fails to trade the code", async () => {
    const start = await fetch(`${appUrl}/specwright/auth/sign-in`, {
      redirect: "manual",
    });
    const state = new URL(start.headers.get("location") ?? "").searchParams.get(
      "state",
    );
    const web = nock("https://github.com")
      .post("/login/oauth/access_token")
      .reply(500, "oops");
    const callback = await fetch(
      `${appUrl}/specwright/auth/callback?code=c0de&state=${state}`,
      {
        redirect: "manual",
        headers: { cookie: cookiePair(start.headers.getSetCookie()[0] ?? "") },
      },
    );
    expect(callback.status).toBe(502);
    const html = await callback.text();
    expect(html).toContain(
      "GitHub answered 500 when the dashboard traded a sign-in code for a token.",
    );
    expect(html).not.toContain("client-secret");
    expect(web.isDone()).toBe(true);
  });

  it("reports a GitHub failure by request, without the token", async () => {
    const scope = github().get("/repos/acme/web").reply(502, "Bad gateway");
    const failure = await auth
      .permission(session as Session, "acme", "web")
      .catch((error: unknown) => error as Error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
      "specwright: GitHub answered 502 to GET /repos/acme/web; try again later.",
    );
    expect(JSON.stringify(failure)).not.toContain(TOKEN);
    expect(scope.isDone()).toBe(true);
  });

  it("reports a spent rate limit, and does not keep the failure", async () => {
    const scope = github()
      .get("/repos/acme/api")
      .reply(
        403,
        { message: "API rate limit exceeded" },
        {
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": "1750000000",
        },
      )
      .get("/repos/acme/api")
      .reply(200, { full_name: "acme/api", permissions: { pull: true } });
    await expect(
      auth.permission(session as Session, "acme", "api"),
    ).rejects.toThrow(
      "specwright: GitHub's rate limit for this person is spent until 2025-06-15T15:06:40.000Z (GET /repos/acme/api); try again later.",
    );
    expect(await auth.permission(session as Session, "acme", "api")).toBe(
      "read",
    );
    expect(scope.isDone()).toBe(true);
  });

  it("takes another 403 (an organization's SSO, say) as no access", async () => {
    const scope = github().get("/repos/acme/sso").reply(403, {
      message: "Resource protected by organization SAML enforcement.",
    });
    expect(await auth.permission(session as Session, "acme", "sso")).toBe(
      "none",
    );
    expect(scope.isDone()).toBe(true);
  });

  it("follows list pages on GitHub only", async () => {
    const scope = github()
      .get("/user/installations")
      .query({ per_page: "1" })
      .reply(
        200,
        { total_count: 2, installations: [{ id: 5 }] },
        {
          link: '<https://evil.example/user/installations?page=2>; rel="next"',
        },
      )
      .get("/user/installations/5/repositories")
      .query({ per_page: "1" })
      .reply(200, {
        total_count: 1,
        repositories: [
          { full_name: "acme/site", permissions: { pull: true, push: true } },
        ],
      });
    const readable = await auth.readableRepositories(session as Session, [
      "acme/site",
    ]);
    expect([...readable]).toEqual(["acme/site"]);
    expect(await auth.permission(session as Session, "acme", "site")).toBe(
      "write",
    );
    expect(scope.isDone()).toBe(true);
  });
});
