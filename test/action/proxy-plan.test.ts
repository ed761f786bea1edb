import { describe, expect, it } from "vitest";
import {
  CODEX_PROVIDER,
  PROXIES,
  planProxy,
} from "../../action/src/agents/proxy/proxy-plan.js";
import type { AgentBackend } from "../../src/workflow/schema.js";

const PROXY = { url: "http://127.0.0.1:4567", placeholder: "ph-123" };

describe("planProxy", () => {
  it("claude with an API key: the key in x-api-key, ANTHROPIC_BASE_URL to the proxy", () => {
    const plan = planProxy({
      backend: "claude",
      credentials: { "anthropic-api-key": "sk-ant-real" },
      env: {},
    });

    expect(plan?.upstream).toBe("https://api.anthropic.com");
    expect(plan?.keys).toEqual([
      { location: { header: "x-api-key" }, value: "sk-ant-real" },
    ]);
    expect(plan?.withheld).toEqual(["sk-ant-real"]);
    expect(plan?.agent(PROXY)).toEqual({
      env: { ANTHROPIC_BASE_URL: PROXY.url, ANTHROPIC_API_KEY: "ph-123" },
      args: [],
    });
  });

  it("claude with an OAuth token: a bearer token; with both, both are held and neither reaches the agent", () => {
    const oauth = planProxy({
      backend: "claude",
      credentials: { "claude-code-oauth-token": "sk-ant-oat01-real" },
      env: {},
    });
    expect(oauth?.keys).toEqual([
      {
        location: { header: "authorization", scheme: "Bearer" },
        value: "sk-ant-oat01-real",
      },
    ]);
    expect(oauth?.agent(PROXY).env).toEqual({
      ANTHROPIC_BASE_URL: PROXY.url,
      CLAUDE_CODE_OAUTH_TOKEN: "ph-123",
    });

    const both = planProxy({
      backend: "claude",
      credentials: {
        "anthropic-api-key": "sk-ant-real",
        "claude-code-oauth-token": "sk-ant-oat01-real",
      },
      env: {},
    });
    expect(both?.withheld).toEqual(["sk-ant-real", "sk-ant-oat01-real"]);
    expect(both?.agent(PROXY).env).toEqual({
      ANTHROPIC_BASE_URL: PROXY.url,
      ANTHROPIC_API_KEY: "ph-123",
      CLAUDE_CODE_OAUTH_TOKEN: "ph-123",
    });
  });

  it("codex: a bearer token, the placeholder in both key variables, its own provider through -c", () => {
    const plan = planProxy({
      backend: "codex",
      credentials: { "openai-api-key": "sk-proj-real" },
      env: {},
    });

    expect(plan?.upstream).toBe("https://api.openai.com/v1");
    expect(plan?.keys).toEqual([
      {
        location: { header: "authorization", scheme: "Bearer" },
        value: "sk-proj-real",
      },
    ]);
    const agent = plan?.agent(PROXY);
    expect(agent?.env).toEqual({
      OPENAI_BASE_URL: PROXY.url,
      CODEX_API_KEY: "ph-123",
      OPENAI_API_KEY: "ph-123",
    });
    const table = `model_providers.${CODEX_PROVIDER}`;
    expect(agent?.args).toEqual([
      "-c",
      `model_provider="${CODEX_PROVIDER}"`,
      "-c",
      `${table}.name="Specwright credential proxy"`,
      "-c",
      `${table}.base_url="${PROXY.url}"`,
      "-c",
      `${table}.env_key="CODEX_API_KEY"`,
      "-c",
      `${table}.wire_api="responses"`,
      "-c",
      `${table}.supports_websockets=false`,
      "-c",
      `${table}.env_http_headers={ "OpenAI-Organization" = "OPENAI_ORGANIZATION", "OpenAI-Project" = "OPENAI_PROJECT" }`,
    ]);
  });

  it.each<[AgentBackend, string, string]>([
    ["claude", "ANTHROPIC_BASE_URL", "https://gateway.example.com/anthropic"],
    ["codex", "OPENAI_BASE_URL", "https://eu.api.openai.com/v1"],
  ])(
    "%s: the workflow's %s is the upstream, and the agent gets the proxy's URL there",
    (backend, variable, url) => {
      const plan = planProxy({
        backend,
        credentials: { "anthropic-api-key": "k1", "openai-api-key": "k2" },
        env: { [variable]: ` ${url} ` },
      });

      expect(plan?.upstream).toBe(url);
      expect(plan?.agent(PROXY).env[variable]).toBe(PROXY.url);
    },
  );

  it("refuses a base URL that is not http(s), naming the variable", () => {
    expect(() =>
      planProxy({
        backend: "claude",
        credentials: { "anthropic-api-key": "k" },
        env: { ANTHROPIC_BASE_URL: "unix:/run/gateway.sock" },
      }),
    ).toThrow(
      'specwright: ANTHROPIC_BASE_URL is set to "unix:/run/gateway.sock", which is not an http(s) URL',
    );
  });

  it.each<[AgentBackend, Record<string, string>]>([
    ["gemini", { "gemini-api-key": "AIza-real" }],
    ["copilot", { "copilot-token": "github_pat_real" }],
    ["command", { "anthropic-api-key": "k" }],
    ["claude", {}],
    ["claude", { "openai-api-key": "another backend's" }],
    ["codex", { "openai-api-key": "" }],
  ])("does not proxy %s with %j", (backend, credentials) => {
    expect(planProxy({ backend, credentials, env: {} })).toBeUndefined();
  });

  it.each(["HTTPS_PROXY", "http_proxy", "ALL_PROXY"])(
    "does not proxy on a runner whose traffic goes through an egress proxy (%s): the proxy's own requests would not",
    (variable) => {
      const options = {
        backend: "claude" as const,
        credentials: { "anthropic-api-key": "k" },
      };
      expect(
        planProxy({ ...options, env: { [variable]: "http://egress:3128" } }),
      ).toBeUndefined();
      expect(planProxy({ ...options, env: { [variable]: "" } })).toBeDefined();
    },
  );

  it("says why each backend it leaves alone is not proxied", () => {
    const reasons = Object.entries(PROXIES).flatMap(([backend, wiring]) =>
      wiring.unproxied === undefined ? [] : [backend],
    );
    expect(reasons).toEqual(["gemini", "copilot", "command"]);
  });
});
