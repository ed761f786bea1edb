import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { BACKENDS } from "../../action/src/agents/backends.js";
import {
  type ProxiedCredentials,
  proxyCredentials,
} from "../../action/src/agents/proxy/proxy-credentials.js";
import { createAnthropicAdapter } from "../support/model-api/anthropic.js";
import { lookAround, tempDirs } from "../support/model-api/proxy-test-kit.js";
import { chownTree, runCli, runnerUser } from "../support/model-api/run-cli.js";
import { ModelApi } from "../support/model-api/server.js";

/**
 * The real Claude Code (2.1.197) behind the credential proxy, the
 * model-API stand-in as its upstream: the key reaches the "API", while the
 * agent, and every command it runs, holds only the placeholder.
 */

const API_KEY = "sk-ant-api03-the-real-key-0123456789";
const OAUTH_TOKEN = "sk-ant-oat01-the-real-token-0123456789";
const MODEL = "claude-sonnet-4-5";
const user = runnerUser();

/**
 * What the agent's commands can see: their own environment, and every
 * process environment they may read (Claude Code's own included: it
 * leaves the OAuth token out of its commands' environment, not its own).
 */
const LOOK = lookAround([
  "ANTHROPIC_API_KEY",
  "CLAUDE_CODE_OAUTH_TOKEN",
  "ANTHROPIC_BASE_URL",
]);

let api: ModelApi | undefined;
let proxied: ProxiedCredentials | undefined;
const dirs = tempDirs(user);

afterEach(async () => {
  await proxied?.close();
  await api?.stop();
  proxied = undefined;
  api = undefined;
  await dirs.removeAll();
});

/** A checkout and a HOME for the user Claude Code runs as. */
async function workspace(): Promise<{ dir: string; home: string }> {
  const dir = await dirs.make("proxy-claude-repo-");
  const home = await dirs.make("proxy-claude-home-");
  await writeFile(`${dir}/README.md`, "# Demo\n");
  execFileSync("git", ["init", "-q"], { cwd: dir });
  chownTree(dir, user);
  return { dir, home };
}

/**
 * One run through the proxy, as the action runs it: the agent's
 * environment holds the credential (as agent-environment.ts sets it), then
 * the proxy's variables go over it. The model looks first ({@link LOOK}).
 */
async function runThroughProxy(
  credentials: {
    "anthropic-api-key"?: string;
    "claude-code-oauth-token"?: string;
  },
  expectedCredential: string,
) {
  api = await new ModelApi([
    createAnthropicAdapter({ expectedCredential }),
  ]).start();
  api.use(({ turn }) =>
    turn === 0 ? [{ shell: LOOK }] : [{ say: "Looked around." }],
  );
  proxied = await proxyCredentials({
    backend: "claude",
    credentials,
    env: { ANTHROPIC_BASE_URL: api.url },
  });
  if (!proxied) throw new Error("claude was not proxied");
  const { dir, home } = await workspace();
  const invocation = BACKENDS.claude.build("Look around.", {
    backend: "claude",
    args: [],
    model: MODEL,
    timeout_minutes: 5,
    prompt_via: "stdin",
  });
  const run = await runCli({
    executable: invocation.executable,
    args: [...invocation.args, ...proxied.args],
    cwd: dir,
    env: {
      HOME: home,
      ...(credentials["anthropic-api-key"]
        ? { ANTHROPIC_API_KEY: credentials["anthropic-api-key"] }
        : {}),
      ...(credentials["claude-code-oauth-token"]
        ? { CLAUDE_CODE_OAUTH_TOKEN: credentials["claude-code-oauth-token"] }
        : {}),
      ...BACKENDS.claude.environment?.({
        root: user === undefined && process.getuid?.() === 0,
      }),
      ...proxied.env,
    },
    user,
    timeoutMs: 90_000,
  });
  return { run, api, proxied };
}

describe("Claude Code behind the credential proxy", () => {
  it("with an API key: the key arrives as x-api-key upstream, the agent's shell sees only the placeholder", {
    timeout: 120_000,
  }, async () => {
    const { run, api, proxied } = await runThroughProxy(
      { "anthropic-api-key": API_KEY },
      API_KEY,
    );
    const placeholder = proxied.env.ANTHROPIC_API_KEY ?? "";

    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      is_error: false,
      result: "Looked around.",
    });
    expect(proxied.withheld).toEqual([API_KEY]);
    expect(placeholder).toMatch(/^specwright-proxy-/);

    const turns = api.turns("claude");
    expect(turns.map((t) => t.turn)).toEqual([0, 1]);
    for (const request of turns) {
      expect(request.headers["x-api-key"]).toBe(API_KEY);
      expect(request.headers.host).toBe(new URL(api.url).host);
      expect(JSON.stringify(request.headers)).not.toContain(placeholder);
    }
    // `env` ran as the agent's own command; its output went back to the
    // model through the proxy.
    const shown = turns[1]?.text ?? "";
    expect(shown).toContain("--- readable environments");
    expect(shown).toContain(`ANTHROPIC_API_KEY=${placeholder}`);
    expect(shown).toContain(
      `ANTHROPIC_BASE_URL=${proxied.env.ANTHROPIC_BASE_URL}`,
    );
    expect(shown).not.toContain(API_KEY);
    expect(run.stdout + run.stderr).not.toContain(API_KEY);
    // Bun's warm-up (HEAD /, no key) was refused by the proxy: only the
    // agent loop reached the upstream.
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/messages",
      "POST /v1/messages",
    ]);
    expect(api.unanswered).toEqual([]);
  });

  it("with an OAuth token: it arrives as the bearer token upstream, and the agent holds the placeholder", {
    timeout: 120_000,
  }, async () => {
    const { run, api, proxied } = await runThroughProxy(
      { "claude-code-oauth-token": OAUTH_TOKEN },
      OAUTH_TOKEN,
    );
    const placeholder = proxied.env.CLAUDE_CODE_OAUTH_TOKEN ?? "";

    expect(run.code, run.stderr).toBe(0);
    const turns = api.turns("claude");
    expect(turns.map((t) => t.turn)).toEqual([0, 1]);
    for (const request of turns) {
      expect(request.headers.authorization).toBe(`Bearer ${OAUTH_TOKEN}`);
      // Claude Code still speaks OAuth to a base URL of the workflow's.
      expect(request.headers["anthropic-beta"]).toContain("oauth-");
    }
    // Claude Code's commands do not get the token at all; Claude Code
    // itself, whose environment they can read, holds the placeholder.
    const [own = "", readable = ""] = (turns[1]?.text ?? "").split(
      "--- readable environments",
    );
    expect(own).not.toContain("CLAUDE_CODE_OAUTH_TOKEN=");
    expect(readable).toContain(`CLAUDE_CODE_OAUTH_TOKEN=${placeholder}`);
    expect(own + readable).not.toContain(OAUTH_TOKEN);
    expect(run.stdout + run.stderr).not.toContain(OAUTH_TOKEN);
  });
});
