import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AuthWorld, CLIENT_ID, cookiePair } from "./auth-world.js";

// The dashboard's GitHub sign-in, end to end: the real auth module served
// over HTTP, against the simulated GitHub's OAuth flow.

describe("the dashboard's GitHub sign-in", () => {
  let world: AuthWorld;

  beforeAll(async () => {
    world = await AuthWorld.start();
    await world.sim.createRepository("acme/web", {
      files: { "README.md": "# Web\n" },
      roles: { alice: "write" },
    });
  });
  afterEach(() => {
    expect(world.sim.problems).toEqual([]);
  });
  afterAll(async () => {
    await world.stop();
  });

  it("sends the browser to GitHub's authorize page with a state bound to a short-lived cookie", async () => {
    const start = await world.get(
      "/specwright/auth/sign-in?return_to=%2Fspecwright%2Fruns%2Fabc",
    );
    expect(start.status).toBe(302);
    const location = new URL(start.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(
      `${world.sim.url}/login/oauth/authorize`,
    );
    expect(Object.fromEntries(location.searchParams)).toEqual({
      client_id: CLIENT_ID,
      redirect_uri: `${world.appUrl}/specwright/auth/callback`,
      state: expect.stringMatching(/^[\w-]{32}$/),
      allow_signup: "false",
    });
    const [cookie = ""] = start.headers.getSetCookie();
    expect(cookie).toMatch(/^specwright_sign_in=v1\./);
    expect(cookie).toContain("Path=/specwright/auth");
    expect(cookie).toContain("Max-Age=600");
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).not.toContain("Secure");
    // The state is sealed in the cookie, not written in it.
    expect(cookie).not.toContain(location.searchParams.get("state"));
  });

  it("signs a person in: a sealed session cookie and back to the page they wanted", async () => {
    const { cookie, setCookie, callback } = await world.signIn(
      "alice",
      "/specwright/runs/abc?tab=log",
    );
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe(
      "/specwright/runs/abc?tab=log",
    );
    const session = setCookie.find((c) => c.startsWith("specwright_session="));
    expect(session).toMatch(
      /^specwright_session=v1\.[\w-]+; Path=\/specwright; Max-Age=28800; HttpOnly; SameSite=Lax$/,
    );
    // The sign-in cookie is spent.
    expect(setCookie).toContainEqual(
      expect.stringMatching(
        /^specwright_sign_in=; Path=\/specwright\/auth; Max-Age=0/,
      ),
    );

    const { session: read, csrf } = await world.probe(cookie);
    expect(read).toEqual({
      login: "alice",
      userId: world.sim.user("alice").id,
      avatarUrl: expect.stringContaining(world.sim.url),
      csrfToken: expect.stringMatching(/^[\w-]{43}$/),
      expiresAt: new Date(world.clock + 8 * 3600_000).toISOString(),
    });
    // No CSRF token on this request: not a state-changing one of ours.
    expect(csrf).toBe(false);
  });

  it("never puts the user token in a cookie, or anywhere in the session, in plain text", async () => {
    const { setCookie, cookie } = await world.signIn("alice");
    const tokens = world.sim.oauth.tokensOf("alice");
    expect(tokens.length).toBeGreaterThan(0);
    const sealed = cookie.slice(cookie.indexOf("v1.") + 3);
    const decoded = Buffer.from(sealed, "base64url").toString("latin1");
    for (const token of tokens) {
      for (const header of setCookie) expect(header).not.toContain(token);
      expect(decoded).not.toContain(token);
      expect(decoded).not.toContain(token.slice(4, 20));
    }
    const { session } = await world.probe(cookie);
    expect(JSON.stringify(session)).not.toMatch(/ghu_/);
  });

  it("refuses a tampered cookie, and a sign-in cookie used as a session", async () => {
    const { cookie } = await world.signIn("alice");
    const value = cookie.slice("specwright_session=".length);
    const last = value.at(-5) === "A" ? "B" : "A";
    const tampered = `specwright_session=${value.slice(0, -5)}${last}${value.slice(-4)}`;
    expect((await world.probe(tampered)).session).toBeNull();
    expect(
      (await world.probe("specwright_session=v1.bm90LWEtc2Vzc2lvbg")).session,
    ).toBeNull();

    const start = await world.get("/specwright/auth/sign-in");
    const signInValue = cookiePair(start.headers.getSetCookie()[0] ?? "").split(
      "=",
    )[1];
    expect(
      (await world.probe(`specwright_session=${signInValue}`)).session,
    ).toBeNull();
  });

  it("ends the session after 8 hours, when GitHub's user token expires", async () => {
    const { cookie } = await world.signIn("alice");
    world.clock += 8 * 3600_000 - 1000;
    expect((await world.probe(cookie)).session?.login).toBe("alice");
    world.clock += 1000;
    expect((await world.probe(cookie)).session).toBeNull();
  });

  it("checks CSRF: the session's token in X-CSRF-Token, and the dashboard's own origin", async () => {
    const { cookie } = await world.signIn("alice");
    const { session } = await world.probe(cookie);
    const token = session?.csrfToken ?? "";
    const check = async (headers: Record<string, string>) =>
      (await world.probe(cookie, headers)).csrf;
    expect(await check({})).toBe(false);
    expect(await check({ "x-csrf-token": `${token.slice(0, -1)}x` })).toBe(
      false,
    );
    expect(await check({ "x-csrf-token": token.slice(0, 10) })).toBe(false);
    expect(await check({ "x-csrf-token": token })).toBe(true);
    expect(await check({ "x-csrf-token": token, origin: world.appUrl })).toBe(
      true,
    );
    expect(
      await check({ "x-csrf-token": token, origin: "https://evil.example" }),
    ).toBe(false);
    expect(await check({ "x-csrf-token": token, origin: "null" })).toBe(false);
    expect(
      await check({ "x-csrf-token": token, "sec-fetch-site": "cross-site" }),
    ).toBe(false);
    expect(
      await check({ "x-csrf-token": token, "sec-fetch-site": "same-origin" }),
    ).toBe(true);
    // Another person's token does not pass for this session.
    const other = await world.signIn("bob");
    const otherToken = (await world.probe(other.cookie)).session?.csrfToken;
    expect(await check({ "x-csrf-token": otherToken ?? "" })).toBe(false);
  });

  it.each([
    ["//evil.example/specwright/", "/specwright/"],
    ["https://evil.example/specwright/", "/specwright/"],
    ["/\\evil.example", "/specwright/"],
    ["/elsewhere", "/specwright/"],
    ["/specwright/../admin", "/specwright/"],
    ["/specwright/auth/sign-out", "/specwright/"],
    ["/specwright/runs?status=failed", "/specwright/runs?status=failed"],
  ])("returns a sign-in asked to go to %s to %s", async (returnTo, landing) => {
    const { callback } = await world.signIn("alice", returnTo);
    expect(callback.headers.get("location")).toBe(landing);
  });

  describe("a callback that cannot be trusted", () => {
    async function problem(response: Response, status: number) {
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toBe(
        "text/html; charset=utf-8",
      );
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.getSetCookie().join()).not.toContain(
        "specwright_session=v1",
      );
      const html = await response.text();
      expect(html).toContain('href="/specwright/auth/sign-in?return_to=');
      expect(html).not.toMatch(/\bat \S+ \(|node:|Error:/);
      return html;
    }

    async function started(): Promise<{ cookie: string; state: string }> {
      const start = await world.get("/specwright/auth/sign-in");
      const location = new URL(start.headers.get("location") ?? "");
      return {
        cookie: cookiePair(start.headers.getSetCookie()[0] ?? ""),
        state: location.searchParams.get("state") ?? "",
      };
    }

    async function codeFor(login: string, state: string): Promise<string> {
      const form = await fetch(`${world.sim.url}/login/oauth/authorize`, {
        method: "POST",
        redirect: "manual",
        body: new URLSearchParams({
          client_id: CLIENT_ID,
          redirect_uri: `${world.appUrl}/specwright/auth/callback`,
          state,
          login,
        }),
      });
      return (
        new URL(form.headers.get("location") ?? "").searchParams.get("code") ??
        ""
      );
    }

    it("is refused without the sign-in cookie", async () => {
      const { state } = await started();
      const code = await codeFor("alice", state);
      const html = await problem(
        await world.get(
          `/specwright/auth/callback?code=${code}&state=${state}`,
        ),
        400,
      );
      expect(html).toContain("expired or was started in another browser");
    });

    it("is refused with another state than the one sent", async () => {
      const { cookie, state } = await started();
      const code = await codeFor("alice", state);
      const html = await problem(
        await world.get(`/specwright/auth/callback?code=${code}&state=forged`, {
          cookie,
        }),
        400,
      );
      expect(html).toContain("does not belong to the sign-in");
      await problem(
        await world.get(`/specwright/auth/callback?code=${code}`, { cookie }),
        400,
      );
    });

    it("is refused without a code", async () => {
      const { cookie, state } = await started();
      const html = await problem(
        await world.get(`/specwright/auth/callback?state=${state}`, { cookie }),
        400,
      );
      expect(html).toContain("carried no sign-in code");
    });

    it("is refused when GitHub refuses the code (a code is good once)", async () => {
      const { cookie, state } = await started();
      const code = await codeFor("alice", state);
      const first = await world.get(
        `/specwright/auth/callback?code=${code}&state=${state}`,
        { cookie },
      );
      expect(first.status).toBe(302);
      const html = await problem(
        await world.get(
          `/specwright/auth/callback?code=${code}&state=${state}`,
          {
            cookie,
          },
        ),
        400,
      );
      expect(html).toContain(
        "GitHub refused the sign-in code (bad_verification_code).",
      );
    });

    it("is refused when the person cancelled at GitHub", async () => {
      const { cookie, state } = await started();
      const html = await problem(
        await world.get(
          `/specwright/auth/callback?error=access_denied&error_description=%3Cscript%3E&state=${state}`,
          { cookie },
        ),
        400,
      );
      expect(html).toContain("GitHub did not sign you in (access_denied).");
      expect(html).not.toContain("<script>");
    });

    it("is a 502 page, not a stack trace, when GitHub cannot be reached", async () => {
      const offline = await AuthWorld.start({
        githubWebUrl: "http://127.0.0.1:9",
      });
      try {
        const start = await offline.get("/specwright/auth/sign-in");
        const state =
          new URL(start.headers.get("location") ?? "").searchParams.get(
            "state",
          ) ?? "";
        const html = await problem(
          await offline.get(
            `/specwright/auth/callback?code=abc&state=${state}`,
            { cookie: cookiePair(start.headers.getSetCookie()[0] ?? "") },
          ),
          502,
        );
        expect(html).toContain("GitHub could not be reached");
        expect(html).not.toContain("dashboard-client-secret");
      } finally {
        await offline.stop();
      }
    });
  });

  describe("sign-out", () => {
    it("answers POST only", async () => {
      const response = await world.get("/specwright/auth/sign-out");
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
    });

    it("refuses a sign-out without the CSRF token, and changes nothing", async () => {
      const { cookie } = await world.signIn("carol");
      const response = await fetch(`${world.appUrl}/specwright/auth/sign-out`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, origin: "https://evil.example" },
      });
      expect(response.status).toBe(403);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect((await world.probe(cookie)).session?.login).toBe("carol");
    });

    it("clears the cookie and revokes the token at GitHub", async () => {
      const { cookie } = await world.signIn("dave");
      const csrf = (await world.probe(cookie)).session?.csrfToken ?? "";
      expect(world.sim.oauth.tokensOf("dave")).toHaveLength(1);
      const response = await fetch(`${world.appUrl}/specwright/auth/sign-out`, {
        method: "POST",
        redirect: "manual",
        headers: {
          cookie,
          origin: world.appUrl,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ csrf_token: csrf }),
      });
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/specwright/");
      expect(response.headers.getSetCookie()).toEqual([
        "specwright_session=; Path=/specwright; Max-Age=0; HttpOnly; SameSite=Lax",
      ]);
      expect(world.sim.oauth.tokensOf("dave")).toEqual([]);
      // A copy of the old cookie signs in nobody.
      expect((await world.probe(cookie)).session).toBeNull();
    });
  });
});

describe("the sign-in behind an https public URL", () => {
  let world: AuthWorld;
  beforeAll(async () => {
    world = await AuthWorld.start({ publicUrl: "https://specwright.example" });
  });
  afterAll(async () => {
    await world.stop();
  });

  it("names the public callback, marks cookies Secure and checks Origin against it", async () => {
    const start = await world.get("/specwright/auth/sign-in");
    expect(
      new URL(start.headers.get("location") ?? "").searchParams.get(
        "redirect_uri",
      ),
    ).toBe("https://specwright.example/specwright/auth/callback");
    expect(start.headers.getSetCookie()[0]).toMatch(/; Secure$/);

    const { cookie, setCookie } = await world.signIn("alice");
    expect(setCookie.find((c) => c.startsWith("specwright_session="))).toMatch(
      /; Secure$/,
    );
    const token = (await world.probe(cookie)).session?.csrfToken ?? "";
    const check = async (origin: string) =>
      (await world.probe(cookie, { "x-csrf-token": token, origin })).csrf;
    expect(await check("https://specwright.example")).toBe(true);
    expect(await check(world.appUrl)).toBe(false);
    expect(await check("http://specwright.example")).toBe(false);
  });
});
