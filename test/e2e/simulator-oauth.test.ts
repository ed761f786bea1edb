import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ProbotOctokit } from "probot";
import githubAppJwt from "universal-github-app-jwt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CODE_LIFETIME_MS,
  USER_TOKEN_SECONDS,
} from "../support/simulator/oauth.js";
import { GitHubSimulator } from "../support/simulator/simulator.js";

// GitHub's web application flow for a GitHub App and what a user token
// reaches, as the simulator plays them: the dashboard's sign-in is tested
// against this, so it must behave as GitHub does.

const PRIVATE_KEY = readFileSync("test/fixtures/mock-cert.pem", "utf8");
const CLIENT = { clientId: "Iv1.0123456789abcdef", clientSecret: "s3cret" };
const CALLBACK = "http://127.0.0.1:9/specwright/auth/callback";

describe("the GitHub simulator's sign-in and user tokens", () => {
  let sim: GitHubSimulator;
  let dir: string;
  let clock = Date.parse("2025-06-01T10:00:00Z");
  const asUser = (token: string) =>
    new ProbotOctokit({
      baseUrl: `${sim.url}/api/v3`,
      auth: { token },
      throttle: { enabled: false },
      retry: { enabled: false },
    });

  /** Signs `login` in through the form and returns the code GitHub hands back. */
  async function code(login: string, state = "st"): Promise<string> {
    const answer = await fetch(`${sim.url}/login/oauth/authorize`, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams({
        client_id: CLIENT.clientId,
        redirect_uri: CALLBACK,
        state,
        login,
        decision: "allow",
      }),
    });
    expect(answer.status).toBe(302);
    const back = new URL(answer.headers.get("location") ?? "");
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    expect(back.searchParams.get("state")).toBe(state);
    return back.searchParams.get("code") ?? "";
  }

  async function exchange(
    params: Record<string, string>,
    accept = "application/json",
  ): Promise<Response> {
    return fetch(`${sim.url}/login/oauth/access_token`, {
      method: "POST",
      headers: { accept, "content-type": "application/json" },
      body: JSON.stringify(params),
    });
  }

  async function tokenFor(login: string): Promise<string> {
    const body = (await (
      await exchange({ ...wire(CLIENT), code: await code(login) })
    ).json()) as { access_token: string };
    return body.access_token;
  }

  const wire = (c: typeof CLIENT) => ({
    client_id: c.clientId,
    client_secret: c.clientSecret,
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sim-oauth-"));
    sim = new GitHubSimulator({
      appId: 123,
      privateKey: PRIVATE_KEY,
      webhookSecret: "s",
      dataDir: dir,
      actionDir: resolve("action"),
      agentPath: [],
      now: () => new Date(clock),
      oauth: { ...CLIENT, callbackUrls: [CALLBACK] },
    });
    await sim.start();
    await sim.createRepository("acme/web", {
      files: { "README.md": "# Web\n" },
      roles: { alice: "admin", bob: "write", carol: "triage" },
    });
    await sim.createRepository("acme/docs", {
      files: { "README.md": "# Docs\n" },
      roles: { alice: "maintain" },
    });
    await sim.createRepository("acme/vault", {
      files: { "README.md": "# Vault\n" },
      roles: { alice: "read" },
      private: true,
    });
    await sim.createRepository("umbrella/tools", {
      files: { "README.md": "# Tools\n" },
      installation: 7,
      roles: { alice: "write" },
    });
  });
  afterEach(() => {
    // Every answer matched GitHub's response schemas; every request its REST description.
    expect(sim.problems).toEqual([]);
  });
  afterAll(async () => {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("shows a sign-in form for the App's client, and an error page for any other", async () => {
    const page = await fetch(
      `${sim.url}/login/oauth/authorize?${new URLSearchParams({
        client_id: CLIENT.clientId,
        redirect_uri: CALLBACK,
        state: "xyz",
      })}`,
    );
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Sign in to GitHub");
    expect(html).toContain('name="login"');
    expect(html).toContain('name="state" value="xyz"');

    const stranger = await fetch(
      `${sim.url}/login/oauth/authorize?client_id=Iv1.unknown`,
    );
    expect(stranger.status).toBe(404);
    expect(await stranger.text()).toContain("client_id is not valid");

    const elsewhere = await fetch(
      `${sim.url}/login/oauth/authorize?client_id=${CLIENT.clientId}&redirect_uri=${encodeURIComponent("https://evil.example/cb")}`,
    );
    expect(elsewhere.status).toBe(400);
  });

  it("sends a refusal back to the callback as access_denied", async () => {
    const answer = await fetch(`${sim.url}/login/oauth/authorize`, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams({
        client_id: CLIENT.clientId,
        redirect_uri: CALLBACK,
        state: "st",
        decision: "deny",
      }),
    });
    const back = new URL(answer.headers.get("location") ?? "");
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("state")).toBe("st");
    expect(back.searchParams.has("code")).toBe(false);
  });

  it("trades a code once for an 8-hour ghu_ token with a refresh token", async () => {
    const once = await code("alice");
    const answer = await exchange({
      ...wire(CLIENT),
      code: once,
      redirect_uri: CALLBACK,
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      access_token: expect.stringMatching(/^ghu_[A-Za-z0-9]{36}$/),
      expires_in: USER_TOKEN_SECONDS,
      refresh_token: expect.stringMatching(/^ghr_[A-Za-z0-9]{76}$/),
      refresh_token_expires_in: 15_897_600,
      scope: "",
      token_type: "bearer",
    });
    const again = await exchange({ ...wire(CLIENT), code: once });
    expect(await again.json()).toMatchObject({
      error: "bad_verification_code",
    });
  });

  it("answers in form encoding unless JSON is asked for, and reads a form body", async () => {
    const answer = await fetch(`${sim.url}/login/oauth/access_token`, {
      method: "POST",
      body: new URLSearchParams({ ...wire(CLIENT), code: await code("bob") }),
    });
    expect(answer.headers.get("content-type")).toContain(
      "application/x-www-form-urlencoded",
    );
    const fields = new URLSearchParams(await answer.text());
    expect(fields.get("access_token")).toMatch(/^ghu_/);
    expect(fields.get("token_type")).toBe("bearer");
  });

  it.each([
    {
      what: "a wrong client secret",
      params: () => ({ ...wire({ ...CLIENT, clientSecret: "nope" }) }),
      error: "incorrect_client_credentials",
    },
    {
      what: "an unknown code",
      params: () => ({ ...wire(CLIENT), code: "0123456789abcdef0123" }),
      error: "bad_verification_code",
    },
    {
      what: "another callback than the authorized one",
      params: async () => ({
        ...wire(CLIENT),
        code: await code("alice"),
        redirect_uri: `${CALLBACK}/elsewhere`,
      }),
      error: "redirect_uri_mismatch",
    },
  ])(
    "refuses $what with status 200 and GitHub's error",
    async ({ params, error }) => {
      const answer = await exchange(await params());
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({
        error,
        error_description: expect.any(String),
        error_uri: expect.any(String),
      });
    },
  );

  it("lets a code expire after 10 minutes", async () => {
    const late = await code("alice");
    clock += CODE_LIFETIME_MS + 1000;
    expect(
      await (await exchange({ ...wire(CLIENT), code: late })).json(),
    ).toMatchObject({ error: "bad_verification_code" });
  });

  it("trades a refresh token once for a new pair", async () => {
    const first = (await (
      await exchange({ ...wire(CLIENT), code: await code("bob") })
    ).json()) as { refresh_token: string };
    const refresh = {
      ...wire(CLIENT),
      grant_type: "refresh_token",
      refresh_token: first.refresh_token,
    };
    expect(await (await exchange(refresh)).json()).toMatchObject({
      access_token: expect.stringMatching(/^ghu_/),
    });
    expect(await (await exchange(refresh)).json()).toMatchObject({
      error: "bad_refresh_token",
    });
  });

  it("answers GET /user for the token's person", async () => {
    const token = await tokenFor("alice");
    const { data } = await asUser(token).rest.users.getAuthenticated();
    expect(data).toMatchObject({
      login: "alice",
      id: sim.user("alice").id,
      avatar_url: expect.stringContaining(sim.url),
    });
    const avatar = await fetch(data.avatar_url);
    expect(avatar.headers.get("content-type")).toBe("image/svg+xml");
  });

  it("lists the installations and repositories the person has a role on, page by page", async () => {
    const octokit = asUser(await tokenFor("alice"));
    const installations = await octokit.paginate(
      octokit.rest.apps.listInstallationsForAuthenticatedUser,
      { per_page: 1 },
    );
    expect(
      installations.map((i) => [
        i.id,
        i.account && "login" in i.account ? i.account.login : undefined,
      ]),
    ).toEqual([
      [2, "acme"],
      [7, "umbrella"],
    ]);
    const repositories = await octokit.paginate(
      octokit.rest.apps.listInstallationReposForAuthenticatedUser,
      { installation_id: 2, per_page: 2 },
    );
    expect(
      repositories.map((r) => [r.full_name, r.private, r.permissions]),
    ).toEqual([
      [
        "acme/web",
        false,
        { admin: true, maintain: true, push: true, triage: true, pull: true },
      ],
      [
        "acme/docs",
        false,
        { admin: false, maintain: true, push: true, triage: true, pull: true },
      ],
      [
        "acme/vault",
        true,
        {
          admin: false,
          maintain: false,
          push: false,
          triage: false,
          pull: true,
        },
      ],
    ]);
    // carol has no role on umbrella/tools: that installation is not hers.
    await expect(
      asUser(
        await tokenFor("carol"),
      ).rest.apps.listInstallationReposForAuthenticatedUser({
        installation_id: 7,
      }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it.each([
    {
      login: "alice",
      repo: "web",
      flags: { admin: true, push: true, pull: true },
    },
    {
      login: "bob",
      repo: "web",
      flags: { admin: false, maintain: false, push: true, pull: true },
    },
    {
      login: "carol",
      repo: "web",
      flags: { push: false, triage: true, pull: true },
    },
    { login: "dave", repo: "web", flags: { triage: false, pull: true } },
    { login: "alice", repo: "vault", flags: { push: false, pull: true } },
  ])(
    "shows $login's permissions on acme/$repo",
    async ({ login, repo, flags }) => {
      const { data } = await asUser(await tokenFor(login)).rest.repos.get({
        owner: "acme",
        repo,
      });
      expect(data.full_name).toBe(`acme/${repo}`);
      expect(data.permissions).toMatchObject(flags);
    },
  );

  it("hides a private repository from a person without a role, and says none for them", async () => {
    await expect(
      asUser(await tokenFor("dave")).rest.repos.get({
        owner: "acme",
        repo: "vault",
      }),
    ).rejects.toMatchObject({ status: 404 });
    const { token: jwt } = await githubAppJwt({
      id: 123,
      privateKey: PRIVATE_KEY,
    });
    const { token } = (await (
      await fetch(`${sim.url}/api/v3/app/installations/2/access_tokens`, {
        method: "POST",
        headers: { authorization: `bearer ${jwt}` },
      })
    ).json()) as { token: string };
    const { data } = await asUser(
      token,
    ).rest.repos.getCollaboratorPermissionLevel({
      owner: "acme",
      repo: "vault",
      username: "dave",
    });
    expect(data.permission).toBe("none");
    // An installation token is not a person: GitHub refuses it on /user.
    await expect(
      asUser(token).rest.users.getAuthenticated(),
    ).rejects.toMatchObject({
      status: 403,
    });
  });

  it("answers 401 Bad credentials to an unknown, expired or revoked token", async () => {
    await expect(
      asUser("ghu_unknown").rest.users.getAuthenticated(),
    ).rejects.toMatchObject({
      status: 401,
      response: { data: { message: "Bad credentials" } },
    });
    const expiring = await tokenFor("bob");
    clock += USER_TOKEN_SECONDS * 1000;
    await expect(
      asUser(expiring).rest.repos.get({ owner: "acme", repo: "web" }),
    ).rejects.toMatchObject({ status: 401 });

    const revoked = await tokenFor("carol");
    sim.oauth.revoke("carol");
    await expect(
      asUser(revoked).rest.users.getAuthenticated(),
    ).rejects.toMatchObject({ status: 401 });
  });

  it("revokes a token for the App's client (DELETE /applications/{client_id}/token)", async () => {
    const token = await tokenFor("alice");
    const basic = (c: typeof CLIENT) =>
      `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString("base64")}`;
    const revoke = (authorization: string) =>
      fetch(`${sim.url}/api/v3/applications/${CLIENT.clientId}/token`, {
        method: "DELETE",
        headers: { authorization, "content-type": "application/json" },
        body: JSON.stringify({ access_token: token }),
      });
    expect((await revoke(basic({ ...CLIENT, clientSecret: "x" }))).status).toBe(
      404,
    );
    expect(sim.oauth.tokensOf("alice")).toContain(token);
    expect((await revoke(basic(CLIENT))).status).toBe(204);
    expect(sim.oauth.tokensOf("alice")).not.toContain(token);
  });
});
