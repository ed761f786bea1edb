import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { preflight } from "../../action/src/preflight.js";
import type { StageRequest } from "../../src/contracts/stage-request.js";

let root: string;
let repo: string;
let bin: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "specwright-preflight-"));
  repo = join(root, "repo");
  bin = join(root, "bin");
  await mkdir(repo);
  await mkdir(bin);
  vi.stubEnv("RUNNER_NAME", "GitHub Actions 3");
  vi.stubEnv("RUNNER_OS", "Linux");
  vi.stubEnv("RUNNER_ARCH", "ARM64");
  vi.stubEnv("RUNNER_ENVIRONMENT", "self-hosted");
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(root, { recursive: true, force: true });
});

/** An executable shell script at `path` (under the temporary root). */
async function script(path: string, body: string, mode = 0o755) {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, mode);
}

async function files(entries: Record<string, string>) {
  for (const [path, content] of Object.entries(entries)) {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), content);
  }
}

type Request = Pick<StageRequest, "stage" | "agent" | "skill">;

const request = (
  agent: Partial<Request["agent"]> = {},
  skill: Partial<Request["skill"]> = {},
): Request => ({
  stage: "plan",
  agent: {
    backend: "claude",
    args: [],
    timeout_minutes: 30,
    prompt_via: "stdin",
    ...agent,
  },
  skill: {
    id: "speckit",
    is_speckit: true,
    allowlisted: true,
    fallback: true,
    health_check: null,
    ...skill,
  },
});

const env = (extra: Record<string, string> = {}) => ({
  PATH: `${bin}:/usr/bin:/bin`,
  ...extra,
});

describe("preflight", () => {
  it("is ready with the agent CLI, its credential, Spec Kit and the skill, and records it all", async () => {
    await script(join(bin, "claude"), 'echo "2.1.3 (Claude Code)"');
    await script(join(bin, "specify"), "printf '\\n   specify-cli 1.0.1  \\n'");
    await files({
      ".specify/integration.json": JSON.stringify({
        integration: "claude",
        integration_settings: { claude: { invoke_separator: "-" } },
      }),
      ".claude/skills/speckit-plan/SKILL.md": "# plan\n",
    });
    expect(
      await preflight({
        request: request(),
        cwd: repo,
        env: env({ ANTHROPIC_API_KEY: "sk-ant-x" }),
      }),
    ).toEqual({
      worker_id: "GitHub Actions 3",
      runner: {
        name: "GitHub Actions 3",
        os: "Linux",
        arch: "ARM64",
        environment: "self-hosted",
        labels: ["Linux", "ARM64", "self-hosted"],
      },
      agent: {
        backend: "claude",
        executable: "claude",
        path: join(bin, "claude"),
        version: "2.1.3 (Claude Code)",
      },
      speckit: {
        available: true,
        integration: "claude",
        separator: "-",
        stages: ["plan"],
        files: { plan: ".claude/skills/speckit-plan/SKILL.md" },
        cli_version: "specify-cli 1.0.1",
      },
      credentials: {
        accepted: ["ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN"],
        present: true,
      },
      skill: { id: "speckit", usable: true, reason: null },
      ready: true,
      failure_reason: null,
      warnings: [
        "claude 2.1.3 found; Specwright is tested with claude 2.1.197: install that version (the repository variable SPECWRIGHT_AGENT_VERSION overrides it) if this one misbehaves",
      ],
    });
  });

  it("asks Spec Kit's CLI its version without the agent's credentials or the runner's tokens", async () => {
    await script(join(bin, "claude"), "echo 2.1.3");
    await script(
      join(bin, "specify"),
      'echo "specify-cli 1.0.1 key=${ANTHROPIC_API_KEY:-none} gh=${GITHUB_TOKEN:-none}${GH_TOKEN:-none} home=${HOME:-none}"',
    );
    const profile = await preflight({
      request: request(),
      cwd: repo,
      env: env({
        ANTHROPIC_API_KEY: "sk-ant-x",
        GITHUB_TOKEN: "ghs_x",
        GH_TOKEN: "gho_x",
        HOME: "/home/runner",
      }),
    });
    expect(profile.speckit.cli_version).toBe(
      "specify-cli 1.0.1 key=none gh=nonenone home=/home/runner",
    );
  });

  it("describes a local machine when no runner says otherwise", async () => {
    for (const name of [
      "RUNNER_NAME",
      "RUNNER_OS",
      "RUNNER_ARCH",
      "RUNNER_ENVIRONMENT",
    ])
      vi.stubEnv(name, undefined);
    const profile = await preflight({
      request: request({ backend: "command", command: "true" }),
      cwd: repo,
      env: env(),
    });
    expect(profile.worker_id).toBe("local");
    expect(profile.runner).toEqual({
      name: "local",
      os: process.platform,
      arch: process.arch,
      environment: "unknown",
      labels: [process.platform, process.arch],
    });
  });

  it.each<[string, string, string | null]>([
    ["on standard error", 'echo "codex-cli 0.50.0" >&2', "codex-cli 0.50.0"],
    ["failing", 'echo "unknown flag" >&2; exit 2', null],
    ["printing nothing", "exit 0", null],
    ["on a very long line", `printf 'v%.0s' $(seq 1 300)`, "v".repeat(200)],
  ])(
    "records the version of a CLI that answers --version %s",
    async (_, body, version) => {
      await script(join(bin, "codex"), body);
      const profile = await preflight({
        request: request({ backend: "codex" }),
        cwd: repo,
        env: env({ OPENAI_API_KEY: "sk-x" }),
      });
      expect(profile.agent.version).toBe(version);
      expect(profile.ready).toBe(true);
    },
  );

  it.each<[string, Record<string, string>, boolean]>([
    ["an API key", { ANTHROPIC_API_KEY: "sk-ant-x" }, true],
    ["an OAuth token alone", { CLAUDE_CODE_OAUTH_TOKEN: "oat-x" }, true],
    ["an empty API key", { ANTHROPIC_API_KEY: "" }, false],
    ["another backend's key", { OPENAI_API_KEY: "sk-x" }, false],
  ])(
    "takes %s as Claude Code's credential: %s",
    async (_, credentials, present) => {
      await script(join(bin, "claude"), "echo 2.1.3");
      const profile = await preflight({
        request: request(),
        cwd: repo,
        env: env(credentials),
      });
      expect(profile.credentials.present).toBe(present);
      expect(profile.failure_reason).toBe(
        present
          ? null
          : "claude 2.1.3 found; ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN missing: add the repository secret ANTHROPIC_API_KEY and pass it to the action's anthropic-api-key input, or add the repository secret CLAUDE_CODE_OAUTH_TOKEN and pass it to the action's claude-code-oauth-token input (Settings → Secrets and variables → Actions)",
      );
    },
  );

  it.each<[string, Partial<Request["agent"]>, Record<string, string>, string]>([
    [
      "an agent CLI not on PATH (before the credential)",
      { backend: "gemini" },
      {},
      "the gemini agent CLI (gemini) is not on PATH; the stage workflow must install it (npm install --global @google/gemini-cli@0.61.0)",
    ],
    [
      "Copilot without its token",
      { backend: "copilot" },
      {},
      "copilot 0.0.330 found; COPILOT_GITHUB_TOKEN missing: add the repository secret COPILOT_GITHUB_TOKEN and pass it to the action's copilot-token input (Settings → Secrets and variables → Actions)",
    ],
    [
      "a command backend without a command",
      { backend: "command" },
      {},
      "the command backend needs agent.command in .github/specwright.yml",
    ],
    [
      "a command that is not a command line",
      { backend: "command", command: "my-agent 'unclosed" },
      {},
      "agent.command in .github/specwright.yml is not a command line: unterminated ' in `my-agent 'unclosed`",
    ],
    [
      "a command that is a directory",
      { backend: "command", command: "./tools --run" },
      {},
      "the command agent CLI (./tools) is not on PATH; the stage workflow must install it",
    ],
  ])("is not ready with %s", async (_, agent, extra, reason) => {
    await script(join(bin, "copilot"), "echo 0.0.330");
    await mkdir(join(repo, "tools"));
    const profile = await preflight({
      request: request(agent),
      cwd: repo,
      env: env(extra),
    });
    expect(profile).toMatchObject({ ready: false, failure_reason: reason });
  });

  it("does not take a file it cannot execute for the CLI", async () => {
    const elsewhere = join(root, "elsewhere");
    await script(join(elsewhere, "claude"), "echo 1", 0o644);
    await script(join(bin, "claude"), "echo 2");
    const profile = await preflight({
      request: request(),
      cwd: repo,
      env: { PATH: `${elsewhere}::${bin}:/usr/bin:/bin` },
    });
    expect(profile.agent).toMatchObject({
      path: join(bin, "claude"),
      version: "2",
    });
  });

  it("finds a command agent by its path in the repository, and asks it for no version", async () => {
    await script(join(repo, "tools/agent.sh"), "echo should-not-run");
    const profile = await preflight({
      request: request({
        backend: "command",
        command: "./tools/agent.sh --fast",
      }),
      // The action itself runs elsewhere; the path is the repository's.
      cwd: repo,
      env: env(),
    });
    expect(profile).toMatchObject({
      agent: {
        backend: "command",
        executable: "./tools/agent.sh",
        path: join(repo, "tools/agent.sh"),
        version: null,
      },
      credentials: { accepted: [], present: true },
      ready: true,
    });
  });
});

describe("preflight: the skill", () => {
  const claude = async () => {
    await script(join(bin, "claude"), "echo 2.1.3");
    return env({ ANTHROPIC_API_KEY: "sk-ant-x" });
  };
  const planSkill = {
    ".specify/memory/constitution.md": "# C\n",
    ".claude/skills/speckit-plan/SKILL.md": "# plan\n",
  };

  it.each<[string, Partial<Request["skill"]>, Record<string, string>, string]>([
    [
      "no skill",
      { id: "none", is_speckit: false },
      planSkill,
      "the stage runs no skill",
    ],
    [
      "a skill not allowlisted",
      { allowlisted: false },
      planSkill,
      "it is not allowlisted",
    ],
    [
      "Spec Kit not set up",
      {},
      { ".claude/skills/speckit-plan/SKILL.md": "# plan\n" },
      "Spec Kit is not set up in the repository (no .specify/)",
    ],
    [
      "Spec Kit without the stage's command",
      {},
      {
        ".specify/memory/constitution.md": "# C\n",
        ".claude/skills/speckit-tasks/SKILL.md": "# tasks\n",
      },
      "Spec Kit has no command for 'plan' for the claude agent here",
    ],
    [
      "a failing health check, with the first line it printed",
      {
        id: "bmad",
        is_speckit: false,
        health_check:
          "sh -c 'echo \"bmad: not installed\" >&2; echo more >&2; exit 3'",
      },
      {},
      "its health check `sh -c 'echo \"bmad: not installed\" >&2; echo more >&2; exit 3'` failed: bmad: not installed",
    ],
    [
      "a failing health check that prints nothing",
      { id: "bmad", is_speckit: false, health_check: "false" },
      {},
      "its health check `false` failed",
    ],
    [
      "a health check that is not installed",
      { id: "bmad", is_speckit: false, health_check: "bmad-check --quiet" },
      {},
      "its health check `bmad-check --quiet` failed: bmad-check: command not found",
    ],
    [
      "a health check that is not a command line",
      { id: "bmad", is_speckit: false, health_check: 'bmad "doctor' },
      {},
      'its health check `bmad "doctor` is not a command line (unterminated " in `bmad "doctor`)',
    ],
    [
      "a health check that names no command",
      { id: "bmad", is_speckit: false, health_check: "''" },
      {},
      "its health check names no command",
    ],
  ])(
    "is not usable with %s, and the stage can still run",
    async (_, skill, repoFiles, reason) => {
      await files(repoFiles);
      const profile = await preflight({
        request: request({}, skill),
        cwd: repo,
        env: await claude(),
      });
      expect(profile.skill).toEqual({
        id: skill.id ?? "speckit",
        usable: false,
        reason,
      });
      expect(profile.ready).toBe(true);
    },
  );

  it("runs the health check in the repository with the agent's environment", async () => {
    await files({ "bmad.yaml": "version: 6\n" });
    const profile = await preflight({
      request: request(
        {},
        {
          id: "bmad",
          is_speckit: false,
          health_check:
            "sh -c 'test -f bmad.yaml && test \"$BMAD_HOME\" = /opt/bmad'",
        },
      ),
      cwd: repo,
      env: { ...(await claude()), BMAD_HOME: "/opt/bmad" },
    });
    expect(profile.skill).toEqual({ id: "bmad", usable: true, reason: null });
  });

  it("checks a Spec Kit skill's health check too", async () => {
    await files(planSkill);
    const profile = await preflight({
      request: request({}, { health_check: "false" }),
      cwd: repo,
      env: await claude(),
    });
    expect(profile.skill).toEqual({
      id: "speckit",
      usable: false,
      reason: "its health check `false` failed",
    });
  });
});
