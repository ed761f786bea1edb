import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BACKENDS } from "../../action/src/agents/backends.js";
import {
  type CredentialProxy,
  startCredentialProxy,
} from "../../action/src/agents/proxy/credential-proxy.js";
import {
  PROXIES,
  planProxy,
  planWith,
} from "../../action/src/agents/proxy/proxy-plan.js";
import { geminiAdapter } from "../support/model-api/gemini.js";
import { tempDirs } from "../support/model-api/proxy-test-kit.js";
import { chownTree, runCli, runnerUser } from "../support/model-api/run-cli.js";
import { ModelApi } from "../support/model-api/server.js";

/**
 * The real Gemini CLI (0.61.0) and the credential proxy: the proxy carries
 * it, but only a settings file can make it use a base URL headless, which
 * is why the action leaves Gemini unproxied (proxy-plan.ts).
 */

const KEY = "AIza-the-real-key-0123456789";
const MODEL = "gemini-2.5-pro";
const user = runnerUser();
const wiring = PROXIES.gemini;

let api: ModelApi | undefined;
let proxy: CredentialProxy | undefined;
const dirs = tempDirs(user);

afterEach(async () => {
  await proxy?.close();
  await api?.stop();
  proxy = undefined;
  api = undefined;
  await dirs.removeAll();
});

/** A checkout and a HOME, with user settings when given. */
async function workspace(settings?: object) {
  const dir = await dirs.make("proxy-gemini-repo-");
  const home = await dirs.make("proxy-gemini-home-");
  await mkdir(join(home, "tmp"));
  if (settings) {
    await mkdir(join(home, ".gemini"));
    await writeFile(
      join(home, ".gemini", "settings.json"),
      JSON.stringify(settings),
    );
  }
  execFileSync("git", ["init", "-q"], { cwd: dir });
  chownTree(dir, user);
  chownTree(home, user);
  return { dir, home };
}

async function gemini(
  ws: { dir: string; home: string },
  env: Record<string, string>,
) {
  const invocation = BACKENDS.gemini.build("Look around.", {
    backend: "gemini",
    args: [],
    model: MODEL,
    timeout_minutes: 5,
    prompt_via: "stdin",
  });
  return runCli({
    executable: invocation.executable,
    args: invocation.args,
    cwd: ws.dir,
    env: {
      HOME: ws.home,
      TMPDIR: join(ws.home, "tmp"),
      GEMINI_API_KEY: KEY,
      ...BACKENDS.gemini.environment?.({ root: false }),
      ...env,
    },
    user,
    timeoutMs: 90_000,
  });
}

describe("Gemini CLI and the credential proxy", () => {
  it("is not proxied by the action", () => {
    expect(
      planProxy({
        backend: "gemini",
        credentials: { "gemini-api-key": KEY },
        env: {},
      }),
    ).toBeUndefined();
    expect(wiring.unproxied).toContain("security.auth.selectedType");
  });

  it("through the proxy, with settings that select the API key: the key arrives as x-goog-api-key, the agent holds the placeholder", {
    timeout: 120_000,
  }, async () => {
    if (!("keys" in wiring)) throw new Error("no wiring for gemini");
    api = await new ModelApi([geminiAdapter]).start();
    api.use(({ turn }) =>
      turn === 0 ? [{ shell: "env | sort" }] : [{ say: "Looked around." }],
    );
    const plan = planWith(wiring, {
      backend: "gemini",
      credentials: { "gemini-api-key": KEY },
      env: { GOOGLE_GEMINI_BASE_URL: api.url },
    });
    if (!plan) throw new Error("no plan for gemini");
    proxy = await startCredentialProxy(plan);
    const agent = plan.agent(proxy);
    const ws = await workspace({
      security: { auth: { selectedType: "gemini-api-key" } },
      privacy: { usageStatisticsEnabled: false },
    });
    const run = await gemini(ws, agent.env);

    expect(run.code, run.stderr).toBe(0);
    const turns = api.turns("gemini");
    expect(turns.map((t) => t.turn)).toEqual([0, 1]);
    for (const request of turns) {
      expect(request.headers["x-goog-api-key"]).toBe(KEY);
      expect(JSON.stringify(request.headers)).not.toContain(proxy.placeholder);
    }
    const shown = turns[1]?.text ?? "";
    expect(shown).toContain(`GEMINI_API_KEY=${proxy.placeholder}`);
    expect(shown).not.toContain(KEY);
  });

  it("without such settings exits 41, and ignores a system defaults file root does not own all the way up", {
    timeout: 120_000,
  }, async () => {
    api = await new ModelApi([geminiAdapter]).start();
    const bare = await gemini(await workspace(), {
      GOOGLE_GEMINI_BASE_URL: api.url,
    });
    expect(bare.code).toBe(41);
    expect(bare.stderr).toContain("Invalid auth method selected.");

    // What the action could write without touching the runner's settings:
    // a system defaults file of its own. /tmp is writable by all, so
    // Gemini CLI skips it.
    const own = await mkdtemp(join(tmpdir(), "proxy-gemini-defaults-"));
    dirs.adopt(own);
    await chmod(own, 0o755);
    const defaults = join(own, "system-defaults.json");
    await writeFile(
      defaults,
      JSON.stringify({
        security: { auth: { selectedType: "gemini-api-key" } },
      }),
      { mode: 0o644 },
    );
    const skipped = await gemini(await workspace(), {
      GOOGLE_GEMINI_BASE_URL: api.url,
      GEMINI_CLI_SYSTEM_DEFAULTS_PATH: defaults,
    });
    expect(skipped.code).toBe(41);
    expect(skipped.stderr).toContain(
      `Skipping system defaults file '${defaults}'`,
    );
    expect(api.requests).toEqual([]);
  });
});
