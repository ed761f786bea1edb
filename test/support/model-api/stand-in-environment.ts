import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { chownTree, type UserIds } from "./run-cli.js";
import type { Backend } from "./script.js";

/**
 * What points a real agent CLI at the model-API stand-in instead of its
 * vendor's API: test-only settings, never the action's (docs/agents.md
 * says what the action itself sets). Config homes are made under `dir`,
 * owned by `user`, and shared by every run of one test world.
 */
export async function standInEnvironment(options: {
  backend: Backend;
  url: string;
  dir: string;
  user?: UserIds | undefined;
}): Promise<Record<string, string>> {
  const { backend, url, dir, user } = options;
  // codex sets up its sandbox helper only outside TMPDIR; gemini-cli writes
  // its error reports there.
  const tmp = join(dir, "agent-tmp");
  await mkdir(tmp, { recursive: true });
  const env: Record<string, string> = { TMPDIR: tmp };
  switch (backend) {
    case "claude":
      env.ANTHROPIC_BASE_URL = url;
      break;
    case "codex": {
      // codex 0.171 ignores OPENAI_BASE_URL. A provider of its own without
      // WebSockets spares the seven tries before HTTPS; the key still comes
      // from CODEX_API_KEY, as the action sets it.
      const home = join(dir, "codex-home");
      await mkdir(home, { recursive: true });
      await writeFile(
        join(home, "config.toml"),
        [
          'model_provider = "stand-in"',
          "",
          "[model_providers.stand-in]",
          'name = "Specwright model-API stand-in"',
          `base_url = "${url}/v1"`,
          'env_key = "CODEX_API_KEY"',
          'wire_api = "responses"',
          "supports_websockets = false",
          "",
        ].join("\n"),
      );
      env.CODEX_HOME = home;
      // Not read by codex 0.171: the upstream of the action's credential
      // proxy, whose provider then wins over this one (docs/agents.md).
      env.OPENAI_BASE_URL = `${url}/v1`;
      break;
    }
    case "gemini": {
      // The base URL alone selects "gateway" auth, which headless mode
      // refuses (exit 41): select the API key, and send no statistics.
      const home = join(dir, "gemini-home");
      await mkdir(join(home, ".gemini"), { recursive: true });
      await writeFile(
        join(home, ".gemini", "settings.json"),
        JSON.stringify({
          security: { auth: { selectedType: "gemini-api-key" } },
          privacy: { usageStatisticsEnabled: false },
        }),
      );
      env.GEMINI_CLI_HOME = home;
      env.GOOGLE_GEMINI_BASE_URL = url;
      break;
    }
    case "copilot": {
      // Copilot CLI reaches a custom endpoint only offline, as a
      // bring-your-own-key provider; the key it sends is the token the
      // action gave it, so the stand-in sees which credential arrived.
      const cache = join(dir, "copilot-cache");
      await mkdir(cache, { recursive: true });
      Object.assign(env, {
        COPILOT_OFFLINE: "true",
        COPILOT_PROVIDER_BASE_URL: `${url}/v1`,
        COPILOT_PROVIDER_API_KEY_COMMAND: "printenv COPILOT_GITHUB_TOKEN",
        COPILOT_PKG_CACHE_HOME: cache,
        COPILOT_AUTO_UPDATE: "false",
      });
      break;
    }
  }
  for (const made of [
    "agent-tmp",
    "codex-home",
    "gemini-home",
    "copilot-cache",
  ]) {
    chownTree(join(dir, made), user);
    // The agent may run as its own user (agent-isolation: user): these
    // test-only homes are everyone's.
    if (existsSync(join(dir, made)))
      execFileSync("chmod", ["-R", "a+rwX", join(dir, made)]);
  }
  return env;
}
