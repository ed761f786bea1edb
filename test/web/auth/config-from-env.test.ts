import { describe, expect, it } from "vitest";
import { dashboardAuthConfigFromEnv } from "../../../src/web/auth/index.js";

const CLIENT = {
  GITHUB_CLIENT_ID: "Iv1.abc",
  GITHUB_CLIENT_SECRET: "client-secret",
};
const SECRET = "s".repeat(32);
const noFile = (path: string): string => {
  throw new Error(`no file ${path}`);
};

describe("the dashboard's sign-in configuration from the environment", () => {
  it("reads GitHub.com's defaults with an explicit session secret", () => {
    expect(
      dashboardAuthConfigFromEnv({
        ...CLIENT,
        SPECWRIGHT_SESSION_SECRET: SECRET,
        SPECWRIGHT_PUBLIC_URL: "https://specwright.example.com/",
      }),
    ).toEqual({
      config: {
        clientId: "Iv1.abc",
        clientSecret: "client-secret",
        sessionSecret: SECRET,
        publicUrl: "https://specwright.example.com",
        githubWebUrl: "https://github.com",
        githubApiUrl: "https://api.github.com",
      },
    });
  });

  it("follows Probot's GHE_HOST and GHE_PROTOCOL", () => {
    const { config } = dashboardAuthConfigFromEnv({
      ...CLIENT,
      SPECWRIGHT_SESSION_SECRET: SECRET,
      GHE_HOST: "127.0.0.1:4321",
      GHE_PROTOCOL: "http",
    });
    expect(config).toMatchObject({
      githubWebUrl: "http://127.0.0.1:4321",
      githubApiUrl: "http://127.0.0.1:4321/api/v3",
    });
    expect(config?.publicUrl).toBeUndefined();
    expect(
      dashboardAuthConfigFromEnv({
        ...CLIENT,
        SPECWRIGHT_SESSION_SECRET: SECRET,
        GHE_HOST: "ghe.example.com",
      }).config?.githubApiUrl,
    ).toBe("https://ghe.example.com/api/v3");
  });

  it("derives the same session secret on every replica from the webhook secret and private key", () => {
    const env = {
      ...CLIENT,
      WEBHOOK_SECRET: "hook",
      PRIVATE_KEY:
        "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----",
    };
    const one = dashboardAuthConfigFromEnv(env).config?.sessionSecret ?? "";
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(dashboardAuthConfigFromEnv(env).config?.sessionSecret).toBe(one);
    expect(one).not.toContain("hook");
    expect(
      dashboardAuthConfigFromEnv({ ...env, WEBHOOK_SECRET: "other" }).config
        ?.sessionSecret,
    ).not.toBe(one);
    const fromPath = dashboardAuthConfigFromEnv(
      { ...CLIENT, WEBHOOK_SECRET: "hook", PRIVATE_KEY_PATH: "/keys/app.pem" },
      (path) => (path === "/keys/app.pem" ? env.PRIVATE_KEY : noFile(path)),
    );
    expect(fromPath.config?.sessionSecret).toBe(one);
  });

  it.each([
    {
      what: "no client id or secret",
      env: {},
      problem:
        /^The dashboard is off: GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are not set\. .*\/specwright\/auth\/callback/,
    },
    {
      what: "no client secret",
      env: { GITHUB_CLIENT_ID: "Iv1.abc" },
      problem: /^The dashboard is off: GITHUB_CLIENT_SECRET is not set\./,
    },
    {
      what: "a short session secret",
      env: { ...CLIENT, SPECWRIGHT_SESSION_SECRET: "short" },
      problem:
        /SPECWRIGHT_SESSION_SECRET must be at least 32 characters long \(it has 5\); `openssl rand -hex 32` makes one\.$/,
    },
    {
      what: "nothing to derive a session secret from",
      env: { ...CLIENT, WEBHOOK_SECRET: "hook" },
      problem:
        /set SPECWRIGHT_SESSION_SECRET .* or set WEBHOOK_SECRET and PRIVATE_KEY \(or PRIVATE_KEY_PATH\) to derive one from\.$/,
    },
    {
      what: "an unreadable PRIVATE_KEY_PATH",
      env: { ...CLIENT, WEBHOOK_SECRET: "hook", PRIVATE_KEY_PATH: "/nope.pem" },
      problem:
        /the private key at PRIVATE_KEY_PATH \(\/nope\.pem\) could not be read/,
    },
    {
      what: "a public URL with a path",
      env: {
        ...CLIENT,
        SPECWRIGHT_SESSION_SECRET: SECRET,
        SPECWRIGHT_PUBLIC_URL: "https://example.com/specwright",
      },
      problem:
        /SPECWRIGHT_PUBLIC_URL must be the origin .* not 'https:\/\/example\.com\/specwright'\.$/,
    },
    {
      what: "a public URL that is not one",
      env: {
        ...CLIENT,
        SPECWRIGHT_SESSION_SECRET: SECRET,
        SPECWRIGHT_PUBLIC_URL: "specwright.example.com",
      },
      problem: /SPECWRIGHT_PUBLIC_URL must be the origin/,
    },
  ])(
    "turns the dashboard off with $what, saying how to turn it on",
    ({ env, problem }) => {
      const result = dashboardAuthConfigFromEnv(env, noFile);
      expect(result.config).toBeUndefined();
      expect(result.problem).toMatch(problem);
    },
  );
});
