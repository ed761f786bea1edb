import { execFileSync } from "node:child_process";
import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { vi } from "vitest";
import type { ArtifactUploader } from "../../action/src/bundle.js";
import { run } from "../../action/src/run.js";
import type { StageRequest } from "../../src/contracts/stage-request.js";

export const RUN_ID = "22222222-2222-4222-8222-222222222222";
export const SECRET = "sk-ant-test-0123456789abcdef";
const FAKE_AGENT = resolve("test/fixtures/fake-agent.mjs");

export interface Invocation {
  name: string;
  args: string[];
  stdin: string;
  prompt: string;
  env: Record<string, string>;
}

export interface PlanStep {
  /** Applies when the prompt contains this (a step without it applies otherwise). */
  when?: string;
  write?: Record<string, string>;
  writeBase64?: Record<string, string>;
  executable?: string[];
  symlink?: Record<string, string>;
  delete?: string[];
  sleepMs?: number;
  message?: string;
  stdout?: string;
  stderr?: string;
  exit?: number;
}

export interface Upload {
  name: string;
  rootDirectory: string;
  retentionDays: number;
  files: Map<string, Buffer>;
}

export interface ActionRun {
  outputs: Record<string, string>;
  /** The message of `core.setFailed`, if the step failed. */
  failed: string | undefined;
  /**
   * The job log as the runner shows it: `::add-mask::` commands are consumed
   * (their values are in `masks`), nothing else is masked for the action.
   */
  log: string;
  /** The values the action asked the runner to mask. */
  masks: string[];
  summary: string;
  upload: Upload | undefined;
  invocations: Invocation[];
}

function sh(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
}

/**
 * A real git repository with `files` committed, a directory of fake agents
 * first on PATH, and a runner's environment, for driving the action's run().
 */
export async function createHarness(
  files: Record<string, string> = { "README.md": "# Web\n" },
) {
  const root = await mkdtemp(join(tmpdir(), "specwright-action-"));
  // As a runner's work directory: others may pass (an isolated agent must).
  await chmod(root, 0o755);
  const repo = join(root, "repo");
  const bin = join(root, "bin");
  const temp = join(root, "runner-temp");
  await mkdir(repo);
  await mkdir(bin);
  await mkdir(temp);
  for (const name of ["claude", "codex", "gemini", "copilot", "my-agent"]) {
    await symlink(FAKE_AGENT, join(bin, name));
  }
  sh(repo, "init", "-q", "-b", "main");
  sh(repo, "config", "user.email", "test@example.com");
  sh(repo, "config", "user.name", "Test");
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), content);
  }
  sh(repo, "add", "-A");
  sh(repo, "commit", "-q", "-m", "base");
  const baseSha = sh(repo, "rev-parse", "HEAD");

  const request = (patch: Partial<StageRequest> = {}): StageRequest => ({
    version: 1,
    run_id: RUN_ID,
    stage: "specify",
    stage_name: "Specify",
    attempt: 1,
    repository: "acme/web",
    base_branch: "main",
    branch: "speckit/20261121/abc123",
    base_sha: baseSha,
    feature: {
      text: "Add a dark mode toggle",
      issue: {
        number: 42,
        title: "Dark mode",
        body: "Users want it.",
        url: "https://github.com/acme/web/issues/42",
      },
    },
    spec_dir: null,
    agent: {
      backend: "claude",
      args: [],
      timeout_minutes: 1,
      prompt_via: "stdin",
    },
    job_timeout_minutes: 16,
    skill: {
      id: "speckit",
      is_speckit: true,
      allowlisted: true,
      fallback: true,
      health_check: null,
    },
    prompt_pack_version: "1",
    prompt: null,
    outputs: [
      {
        name: "spec",
        type: "file",
        path: "specs/*/spec.md",
        must_change: true,
        required: true,
      },
    ],
    inputs: {},
    parameters: {},
    env: {},
    artifact: { name: `specwright-${RUN_ID}-specify-1`, retention_days: 30 },
    ...patch,
  });

  async function runAction(
    stageRequest: StageRequest | string,
    options: {
      plan?: PlanStep[];
      inputs?: Record<string, string>;
      env?: Record<string, string>;
    } = {},
  ): Promise<ActionRun> {
    const planFile = join(root, `plan-${Math.random()}.json`);
    const logFile = join(root, `log-${Math.random()}.jsonl`);
    const outputFile = join(root, `output-${Math.random()}`);
    const summaryFile = join(root, `summary-${Math.random()}.md`);
    await writeFile(planFile, JSON.stringify({ steps: options.plan ?? [] }));
    await writeFile(logFile, "");
    await writeFile(outputFile, "");
    await writeFile(summaryFile, "");
    const inputs: Record<string, string> = {
      request:
        typeof stageRequest === "string"
          ? stageRequest
          : JSON.stringify(stageRequest),
      "anthropic-api-key": SECRET,
      "working-directory": repo,
      // The agent as the action's user, unless a test isolates it.
      "agent-isolation": "none",
      ...options.inputs,
    };
    for (const [name, value] of Object.entries(inputs))
      vi.stubEnv(`INPUT_${name.toUpperCase()}`, value);
    const env: Record<string, string> = {
      PATH: `${bin}:${process.env.PATH}`,
      RUNNER_TEMP: temp,
      RUNNER_NAME: "GitHub Actions 7",
      RUNNER_OS: "Linux",
      RUNNER_ARCH: "X64",
      RUNNER_ENVIRONMENT: "github-hosted",
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ACTIONS_RUNTIME_TOKEN: "runtime-token-must-not-leak",
      GITHUB_TOKEN: "ghs_must_not_leak",
      GITHUB_EVENT_NAME: "workflow_dispatch",
      GITHUB_REF_NAME: "speckit/20261121/abc123",
      FAKE_AGENT_PLAN: planFile,
      FAKE_AGENT_LOG: logFile,
      ...options.env,
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);

    let log = "";
    const write = vi
      .spyOn(process.stdout, "write")
      .mockImplementation((chunk: string | Uint8Array) => {
        log +=
          typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
        return true;
      });
    let upload: Upload | undefined;
    const uploader: ArtifactUploader = {
      async upload(name, paths, rootDirectory, retentionDays) {
        const files = new Map<string, Buffer>();
        for (const path of paths)
          files.set(basename(path), await readFile(path));
        upload = { name, rootDirectory, retentionDays, files };
        return { id: 4242, size: 1 };
      },
    };
    try {
      await run(uploader);
    } finally {
      write.mockRestore();
      vi.unstubAllEnvs();
    }
    process.exitCode = undefined;
    const outputs: Record<string, string> = {};
    const text = await readFile(outputFile, "utf8");
    for (const match of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) {
      outputs[match[1] ?? ""] = match[3] ?? "";
    }
    const invocations = (await readFile(logFile, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Invocation);
    const masks = [...log.matchAll(/^::add-mask::(.*)$/gm)].map(
      (m) => m[1] ?? "",
    );
    const shown = log.replace(/^::add-mask::.*\n?/gm, "");
    return {
      outputs,
      failed: /::error::(.*)/.exec(shown)?.[1],
      log: shown,
      masks,
      summary: await readFile(summaryFile, "utf8"),
      upload,
      invocations,
    };
  }

  return {
    root,
    repo,
    bin,
    temp,
    baseSha,
    request,
    runAction,
    git: (...args: string[]) => sh(repo, ...args),
  };
}

/** A result bundle's JSON file. */
export function json<T = Record<string, unknown>>(
  upload: Upload | undefined,
  name: string,
): T {
  const bytes = upload?.files.get(name);
  if (bytes === undefined) throw new Error(`the bundle has no ${name}`);
  return JSON.parse(bytes.toString("utf8")) as T;
}

/** Spec Kit set up for Claude Code's skills layout, with the given stages' skills. */
export function speckitFiles(
  stages: string[] = ["specify", "plan", "tasks", "analyze", "implement"],
): Record<string, string> {
  const files: Record<string, string> = {
    ".specify/memory/constitution.md": "# Constitution\n",
    ".specify/integration.json": JSON.stringify({
      integration: "claude",
      integration_settings: { claude: { invoke_separator: "-" } },
    }),
    "README.md": "# Web\n",
  };
  for (const stage of stages)
    files[`.claude/skills/speckit-${stage}/SKILL.md`] = `# speckit-${stage}\n`;
  return files;
}
