import type { AgentBackend } from "../../../../src/workflow/schema.js";
import { BACKENDS, type Credential } from "../backends.js";
import type { HeldKey, KeyLocation } from "./swap-credential.js";

type Input = Credential["input"];

/** How one backend's CLI is put behind the credential proxy. */
export interface BackendProxy {
  /**
   * The runner variable a workflow sets to send the CLI to another
   * endpoint (a gateway, a regional API); it becomes the proxy's upstream,
   * and the agent gets the proxy's URL in it instead.
   */
  upstreamVariable: string;
  /** The vendor's API, when the workflow sets none. */
  defaultUpstream: string;
  /** The credential inputs the proxy can hold, each with where the CLI sends it. */
  keys: Partial<Record<Input, readonly KeyLocation[]>>;
  /** Arguments that point the CLI at the proxy, when a variable does not. */
  args?(proxyUrl: string): string[];
  /** Why the action does not proxy it (yet): then the agent holds the key. */
  unproxied?: string;
}

/** The provider codex is given: the proxy, by HTTP only. */
export const CODEX_PROVIDER = "specwright-proxy";

/**
 * codex 0.171 ignores OPENAI_BASE_URL, so the proxy is a provider of its
 * own, given with `-c` overrides (they win over config.toml), appended
 * to the command line backends.ts builds. The key comes from
 * CODEX_API_KEY, which holds the placeholder; no WebSocket (the proxy
 * carries HTTP only). The organization and project headers are the
 * built-in provider's.
 */
function codexProviderArgs(proxyUrl: string): string[] {
  const table = `model_providers.${CODEX_PROVIDER}`;
  const settings = [
    `model_provider=${JSON.stringify(CODEX_PROVIDER)}`,
    `${table}.name="Specwright credential proxy"`,
    `${table}.base_url=${JSON.stringify(proxyUrl)}`,
    `${table}.env_key="CODEX_API_KEY"`,
    `${table}.wire_api="responses"`,
    `${table}.supports_websockets=false`,
    `${table}.env_http_headers={ "OpenAI-Organization" = "OPENAI_ORGANIZATION", "OpenAI-Project" = "OPENAI_PROJECT" }`,
  ];
  return settings.flatMap((setting) => ["-c", setting]);
}

/** Per backend: how it is proxied, or why it is not. */
export const PROXIES: Readonly<
  Record<AgentBackend, BackendProxy | { unproxied: string }>
> = {
  claude: {
    upstreamVariable: "ANTHROPIC_BASE_URL",
    defaultUpstream: "https://api.anthropic.com",
    keys: {
      "anthropic-api-key": [{ header: "x-api-key" }],
      // With CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC (the action sets it)
      // Claude Code sends the OAuth token only to the base URL.
      "claude-code-oauth-token": [
        { header: "authorization", scheme: "Bearer" },
      ],
    },
  },
  codex: {
    upstreamVariable: "OPENAI_BASE_URL",
    defaultUpstream: "https://api.openai.com/v1",
    keys: { "openai-api-key": [{ header: "authorization", scheme: "Bearer" }] },
    args: codexProviderArgs,
  },
  gemini: {
    upstreamVariable: "GOOGLE_GEMINI_BASE_URL",
    defaultUpstream: "https://generativelanguage.googleapis.com",
    keys: {
      "gemini-api-key": [{ header: "x-goog-api-key" }, { query: "key" }],
    },
    unproxied:
      "with GOOGLE_GEMINI_BASE_URL set, Gemini CLI 0.61 picks the 'gateway' auth type, which headless mode refuses (exit 41), unless a settings file selects security.auth.selectedType gemini-api-key: the runner's own ~/.gemini/settings.json, or a system settings file it reads only when root owns it and every folder above it",
  },
  copilot: {
    unproxied:
      "Copilot CLI uses the GitHub token with two hosts: GitHub's API (sign-in, the user's Copilot endpoints, its built-in GitHub MCP server) and the Copilot API that GitHub's answer names; only a debug variable (COPILOT_DEBUG_GITHUB_API_URL) moves the first, and its one custom endpoint (COPILOT_PROVIDER_BASE_URL) is an offline bring-your-own-key mode, not Copilot",
  },
  command: { unproxied: "the action gives a command no credential" },
};

/** What the proxy holds and forwards to, and what the agent gets instead. */
export interface ProxyPlan {
  upstream: string;
  keys: HeldKey[];
  /** The credential values the agent no longer gets. */
  withheld: string[];
  /** The agent's variables and extra arguments, once the proxy listens. */
  agent(proxy: { url: string; placeholder: string }): {
    env: Record<string, string>;
    args: string[];
  };
}

function upstreamOf(wiring: BackendProxy, env: NodeJS.ProcessEnv): string {
  const set = env[wiring.upstreamVariable]?.trim();
  if (!set) return wiring.defaultUpstream;
  let url: URL | undefined;
  try {
    url = new URL(set);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "https:" && url?.protocol !== "http:")
    throw new Error(
      `specwright: ${wiring.upstreamVariable} is set to ${JSON.stringify(set)}, which is not an http(s) URL: set it to the API's base URL, or leave it unset for ${wiring.defaultUpstream}`,
    );
  return set;
}

interface PlanOptions {
  backend: AgentBackend;
  credentials: Partial<Record<Input, string>>;
  /** The runner's environment (the workflow's base URL). */
  env: NodeJS.ProcessEnv;
}

/**
 * Variables that send a runner's traffic through an egress proxy. The
 * CLIs honour them; the credential proxy's own requests (node:http) do
 * not, so on such a runner it could not reach the API.
 */
const EGRESS_PROXY = [
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "ALL_PROXY",
  "all_proxy",
];

/**
 * How the stage's credential is proxied: undefined when the backend is not
 * proxied, has no credential given, or the runner sends its traffic
 * through an egress proxy. Every credential given that the backend reads
 * is held (Claude Code's API key and OAuth token alike); the agent gets
 * the placeholder under every variable its CLI reads them from.
 */
export function planProxy(options: PlanOptions): ProxyPlan | undefined {
  const wiring = PROXIES[options.backend];
  if (!("keys" in wiring) || wiring.unproxied !== undefined) return undefined;
  if (EGRESS_PROXY.some((name) => options.env[name]?.trim())) return undefined;
  return planWith(wiring, options);
}

/** {@link planProxy} for the given wiring, whether the action uses it or not. */
export function planWith(
  wiring: BackendProxy,
  options: PlanOptions,
): ProxyPlan | undefined {
  const held = BACKENDS[options.backend].credentials.filter(
    (credential) =>
      options.credentials[credential.input] &&
      wiring.keys[credential.input] !== undefined,
  );
  if (held.length === 0) return undefined;
  const keyOf = (credential: Credential) =>
    options.credentials[credential.input] ?? "";
  return {
    upstream: upstreamOf(wiring, options.env),
    keys: held.flatMap((credential) =>
      (wiring.keys[credential.input] ?? []).map((location) => ({
        location,
        value: keyOf(credential),
      })),
    ),
    withheld: [...new Set(held.map(keyOf))],
    agent: ({ url, placeholder }) => ({
      env: {
        [wiring.upstreamVariable]: url,
        ...Object.fromEntries(
          held.flatMap((credential) =>
            credential.env.map((name) => [name, placeholder]),
          ),
        ),
      },
      args: wiring.args?.(url) ?? [],
    }),
  };
}
