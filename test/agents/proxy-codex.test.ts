import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BACKENDS } from "../../action/src/agents/backends.js";
import {
  type ProxiedCredentials,
  proxyCredentials,
} from "../../action/src/agents/proxy/proxy-credentials.js";
import { openaiResponsesAdapter } from "../support/model-api/openai-responses.js";
import { lookAround, tempDirs } from "../support/model-api/proxy-test-kit.js";
import { chownTree, runCli, runnerUser } from "../support/model-api/run-cli.js";
import { ModelApi } from "../support/model-api/server.js";

/**
 * The real codex (0.171.0) behind the credential proxy, the model-API
 * stand-in as its upstream. codex ignores OPENAI_BASE_URL: the proxy is a
 * provider of its own, given by `-c` arguments appended to the command
 * line backends.ts builds; they win over the user's config.toml.
 */

const KEY = "sk-proj-the-real-key-0123456789";
const user = runnerUser();

/** What the agent's commands can see: their environment, and every one they may read (codex's own). */
const LOOK = lookAround(["CODEX_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"]);

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

/**
 * A checkout, a HOME whose ~/.codex/config.toml names another provider
 * (the `-c` arguments win over it), and a TMPDIR outside it.
 */
async function workspace(): Promise<{
  dir: string;
  home: string;
  tmp: string;
}> {
  const dir = await dirs.make("proxy-codex-repo-");
  const home = await dirs.make("proxy-codex-home-");
  const tmp = await dirs.make("proxy-codex-tmp-");
  await mkdir(join(home, ".codex"));
  await writeFile(
    join(home, ".codex", "config.toml"),
    'model_provider = "openai"\nopenai_base_url = "http://127.0.0.1:9/v1"\n',
  );
  await writeFile(join(dir, "README.md"), "# Demo\n");
  execFileSync("git", ["init", "-q"], { cwd: dir });
  chownTree(dir, user);
  chownTree(home, user);
  return { dir, home, tmp };
}

describe("codex behind the credential proxy", () => {
  it("sends the real key upstream as its bearer token, while the agent holds only the placeholder", {
    timeout: 120_000,
  }, async () => {
    api = await new ModelApi([openaiResponsesAdapter]).start();
    api.use(({ turn }) =>
      turn === 0 ? [{ shell: LOOK }] : [{ say: "Looked around." }],
    );
    proxied = await proxyCredentials({
      backend: "codex",
      credentials: { "openai-api-key": KEY },
      // The workflow's base URL is the upstream.
      env: { OPENAI_BASE_URL: `${api.url}/v1` },
    });
    if (!proxied) throw new Error("codex was not proxied");
    const placeholder = proxied.env.CODEX_API_KEY ?? "";
    const { dir, home, tmp } = await workspace();
    const invocation = BACKENDS.codex.build("Look around.", {
      backend: "codex",
      args: [],
      model: "gpt-5.5",
      timeout_minutes: 5,
      prompt_via: "stdin",
    });
    const run = await runCli({
      executable: invocation.executable,
      args: [...invocation.args, ...proxied.args],
      cwd: dir,
      // As agent-environment.ts sets them, then the proxy's over them.
      env: {
        HOME: home,
        TMPDIR: tmp,
        CODEX_API_KEY: KEY,
        OPENAI_API_KEY: KEY,
        ...proxied.env,
      },
      user,
      timeoutMs: 90_000,
    });

    expect(run.code, run.stderr).toBe(0);
    expect(proxied.withheld).toEqual([KEY]);
    expect(placeholder).toMatch(/^specwright-proxy-/);
    const turns = api.turns("codex");
    expect(turns.map((t) => t.turn)).toEqual([0, 1]);
    for (const request of turns) {
      expect(request.credential).toBe(KEY);
      expect(request.path).toBe("/v1/responses");
      expect(request.headers.host).toBe(new URL(api.url).host);
      expect(request.stream).toBe(true);
      expect(JSON.stringify(request.headers)).not.toContain(placeholder);
    }
    // No WebSocket was tried, none refused: HTTP from the first request.
    expect(api.unanswered).toEqual([]);
    expect(run.stdout).not.toContain('"type":"error"');

    // The agent's `env` and the environments it could read, as its tool
    // output went back to the model through the proxy.
    const shown = turns[1]?.text ?? "";
    const [own = "", readable = ""] = shown.split("--- readable environments");
    expect(own).toContain(`CODEX_API_KEY=${placeholder}`);
    expect(own).toContain(`OPENAI_API_KEY=${placeholder}`);
    expect(own).toContain(`OPENAI_BASE_URL=${proxied.env.OPENAI_BASE_URL}`);
    expect(readable).toContain(`CODEX_API_KEY=${placeholder}`);
    expect(shown).not.toContain(KEY);
    expect(run.stdout + run.stderr).not.toContain(KEY);
  });
});
