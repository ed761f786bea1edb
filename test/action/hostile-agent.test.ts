import { execFileSync, spawn } from "node:child_process";
import { chmod, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { unzipSync } from "fflate";
import { afterEach, describe, expect, it } from "vitest";
import type { StageRequest } from "../../src/contracts/stage-request.js";
import {
  type ArtifactService,
  startArtifactService,
} from "../support/artifact-service.js";
import {
  chownTree,
  runnerUser,
  type UserIds,
} from "../support/model-api/run-cli.js";
import { createHarness } from "./harness.js";

const DIST = resolve("action/dist/index.js");
const HOSTILE = resolve("test/fixtures/hostile-agent.sh");

/** What the runner holds, none of which the agent may reach. */
const WITHHELD = {
  GITHUB_TOKEN: "ghs_hostileGithubToken0123456789",
  "INPUT_ANTHROPIC-API-KEY": "sk-ant-hostile-anthropic-key-0123",
  "INPUT_OPENAI-API-KEY": "sk-openai-hostile-openai-key-0123",
};

interface Attack {
  code: number | null;
  log: string;
  /** Everything the agent found, as it wrote it for the test. */
  loot: string;
  /** Every file of the uploaded bundle, the step's outputs and summary, as text. */
  bundle: string;
  /** The credentials the agent must not reach: the keys, the tokens. */
  secrets: string[];
  repo: string;
}

/**
 * Runs the committed action (action/dist) as the runner runs it — a process
 * whose own environment holds the runner's tokens and every key input —
 * with the hostile agent as its `command` backend.
 */
async function attack(options: {
  isolation: "user" | "none";
  /** Runs the action as this user (GitHub-hosted: `runner`, with passwordless sudo). */
  as?: UserIds | undefined;
  service: ArtifactService;
}): Promise<Attack> {
  const h = await createHarness();
  const lootDir = join(h.root, "loot");
  await mkdir(lootDir);
  await chmod(lootDir, 0o1777);
  const output = join(h.root, "github-output");
  const summary = join(h.root, "step-summary");
  const envFile = join(h.root, "github-env");
  for (const file of [output, summary, envFile]) await writeFile(file, "");
  const request: StageRequest = h.request({
    agent: {
      backend: "command",
      command: HOSTILE,
      args: [],
      timeout_minutes: 2,
      prompt_via: "stdin",
    },
    skill: {
      id: "none",
      is_speckit: false,
      allowlisted: false,
      fallback: false,
      health_check: null,
    },
    env: { LOOT_DIR: lootDir },
  });
  chownTree(h.root, options.as);
  const child = spawn(process.execPath, [DIST], {
    cwd: h.repo,
    ...(options.as ? { uid: options.as.uid, gid: options.as.gid } : {}),
    env: {
      PATH: process.env.PATH,
      HOME: h.root,
      RUNNER_TEMP: h.temp,
      GITHUB_OUTPUT: output,
      GITHUB_ENV: envFile,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_WORKSPACE: h.repo,
      GITHUB_EVENT_NAME: "workflow_dispatch",
      GITHUB_REF_NAME: request.branch,
      INPUT_REQUEST: JSON.stringify(request),
      "INPUT_WORKING-DIRECTORY": h.repo,
      "INPUT_AGENT-ISOLATION": options.isolation,
      ACTIONS_RESULTS_URL: options.service.url,
      ...WITHHELD,
      ACTIONS_RUNTIME_TOKEN: options.service.runtimeToken,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  const code = await new Promise<number | null>((done) =>
    child.on("close", done),
  );
  // The runner consumes mask commands; the job log never shows them.
  log = log.replace(/^::add-mask::.*\n/gm, "");
  let loot = "";
  for (const name of await readdir(lootDir))
    loot += await readFile(join(lootDir, name), "utf8");
  let bundle = "";
  for (const artifact of options.service.artifacts) {
    for (const [name, bytes] of Object.entries(
      unzipSync(new Uint8Array(artifact.zip ?? [])),
    )) {
      const text = Buffer.from(bytes).toString("utf8");
      bundle += `== ${name}\n${text}\n`;
      // Base64 inside the bundle, decoded: encoding is no way out.
      for (const chunk of text.match(/[A-Za-z0-9+/=]{16,}/g) ?? [])
        bundle += `${Buffer.from(chunk, "base64").toString("latin1")}\n`;
    }
  }
  bundle += await readFile(output, "utf8");
  bundle += await readFile(summary, "utf8");
  bundle += await readFile(envFile, "utf8");
  const secrets = [...Object.values(WITHHELD), options.service.runtimeToken];
  return { code, log, loot, bundle, secrets, repo: h.repo };
}

function leaked(found: Attack, text: string): string[] {
  return found.secrets.filter((secret) => text.includes(secret));
}

/** GitHub-hosted runners: the job's user with passwordless sudo. */
function sudoRunner(): UserIds | undefined {
  const user = runnerUser();
  if (user === undefined) return undefined;
  try {
    execFileSync("sudo", ["-n", "-u", "runner", "sudo", "-n", "true"]);
    return user;
  } catch {
    return undefined;
  }
}

describe("a hostile agent", () => {
  let service: ArtifactService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it("as the runner's user (agent-isolation: none) reads the runner's tokens and the other keys — the attack works", async () => {
    service = await startArtifactService({ firstId: 6100 });
    const found = await attack({ isolation: "none", service });
    expect(leaked(found, found.loot)).toEqual(found.secrets);
  }, 180_000);

  it("isolated, with the action run as root (a container job), reaches no credential and cannot use sudo", async () => {
    if (process.getuid?.() !== 0) return;
    service = await startArtifactService({ firstId: 6200 });
    const found = await attack({ isolation: "user", service });
    expect(found.code, found.log).toBe(0);
    expect(found.loot).toContain("uid=");
    expect(found.loot).toContain("specwright-agent");
    expect(found.loot).toContain("SUDO: no");
    expect(leaked(found, found.loot)).toEqual([]);
    expect(leaked(found, found.bundle)).toEqual([]);
    expect(leaked(found, found.log)).toEqual([]);
  }, 120_000);

  it("isolated, with the action run as a user with passwordless sudo (a GitHub-hosted runner), reaches no credential and cannot use sudo", async () => {
    const runner = sudoRunner();
    expect(
      runner,
      "the tests need a user `runner` with passwordless sudo, as on GitHub-hosted runners (.ci/run makes one)",
    ).toBeDefined();
    service = await startArtifactService({ firstId: 6300 });
    const found = await attack({ isolation: "user", as: runner, service });
    expect(found.code, found.log).toBe(0);
    expect(found.loot).toContain("specwright-agent");
    expect(found.loot).toContain("SUDO: no");
    expect(leaked(found, found.loot)).toEqual([]);
    expect(leaked(found, found.bundle)).toEqual([]);
    expect(leaked(found, found.log)).toEqual([]);
    // The workspace is the runner's again, and no one else may write it.
    const spec = join(found.repo, "specs/001-dark-mode/spec.md");
    expect(
      execFileSync("stat", ["-c", "%u %A", spec], { encoding: "utf8" }),
    ).toBe(`${runner?.uid} -rw-r--r--\n`);
  });
});
