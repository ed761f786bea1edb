import { chmod, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allModelApis, TEST_MODELS } from "../support/model-api/index.js";
import { CLI_BIN, ownedTempDir } from "../support/model-api/run-cli.js";
import { oneTurn } from "../support/model-api/script.js";
import type { ModelApi } from "../support/model-api/server.js";
import { standInEnvironment } from "../support/model-api/stand-in-environment.js";
import { createHarness } from "./harness.js";

// The hostile agent of hostile-agent.test.ts, run by the real Claude Code
// as its model tells it to: the agent is isolated and its key stays in the
// action's proxy, so it finds not even its own key — while the "API" (the
// stand-in) receives the real one.

const HOSTILE = resolve("test/fixtures/hostile-agent.sh");
const OWN_KEY = "sk-ant-own-key-held-by-the-proxy-0123";
const OTHER_KEY = "sk-openai-another-backends-key-0123";

let api: ModelApi;
let scratch: string;
beforeAll(async () => {
  api = await allModelApis().start();
  scratch = await ownedTempDir("specwright-hostile-proxy-");
  await chmod(scratch, 0o755);
});
afterAll(async () => {
  await api.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe("a hostile agent behind the credential proxy (claude, isolated)", () => {
  it("finds no credential, not even its own backend's, while the API gets the real key", async () => {
    const h = await createHarness();
    const loot = join(h.root, "loot");
    await mkdir(loot);
    await chmod(loot, 0o1777);
    api.use(
      oneTurn([{ shell: `LOOT_DIR=${loot} bash ${HOSTILE} </dev/null` }]),
    );
    const before = api.requests.length;
    const run = await h.runAction(
      h.request({
        agent: {
          backend: "claude",
          model: TEST_MODELS.claude,
          args: [],
          timeout_minutes: 3,
          prompt_via: "stdin",
        },
        skill: {
          id: "none",
          is_speckit: false,
          allowlisted: false,
          fallback: false,
          health_check: null,
        },
      }),
      {
        inputs: {
          "anthropic-api-key": OWN_KEY,
          "openai-api-key": OTHER_KEY,
          "agent-isolation": "user",
        },
        env: {
          PATH: `${CLI_BIN}:${process.env.PATH}`,
          ...(await standInEnvironment({
            backend: "claude",
            url: api.url,
            dir: join(scratch, "claude"),
          })),
        },
      },
    );
    let found = "";
    for (const name of await readdir(loot))
      found += await readFile(join(loot, name), "utf8");
    expect(found, run.log).toContain("specwright-agent");
    // The agent held the proxy's placeholder, and its model calls went
    // through the proxy with the real key.
    expect(found).toMatch(/ANTHROPIC_API_KEY=specwright-proxy-/);
    const calls = api.requests.slice(before).filter((r) => !r.auxiliary);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((r) => r.credential === OWN_KEY)).toBe(true);
    for (const secret of [
      OWN_KEY,
      OTHER_KEY,
      "runtime-token-must-not-leak",
      "ghs_must_not_leak",
    ]) {
      expect(found).not.toContain(secret);
      expect(run.log).not.toContain(secret);
      for (const [name, bytes] of run.upload?.files ?? [])
        expect(bytes.toString("utf8"), name).not.toContain(secret);
    }
  }, 180_000);
});
