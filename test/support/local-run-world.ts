import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { loadConfig } from "../../src/config/load-config.js";
import type {
  RunMetadata,
  RunPaths,
} from "../../src/local/run-folder/index.js";
import { startLocalRun } from "../../src/local/start/start-local-run.js";

const run = promisify(execFile);
const ENTRY = resolve("test/support/specwright-from-source.ts");
/** tsx, found from here: the CLI runs in the test repository. */
const TSX = pathToFileURL(resolve("node_modules/tsx/dist/loader.mjs")).href;
const SCRIPTED_AGENT = resolve("test/e2e/agent/speckit-agent.mjs");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * A repository on disk with one commit, and the scripted Spec Kit agent
 * (test/e2e/agent/speckit-agent.mjs) first on PATH as `claude`: the
 * built-in workflow runs through with it. `specwright(...)` runs the real
 * CLI (from source) in the repository as its own process.
 */
export class LocalRunWorld {
  private constructor(
    readonly dir: string,
    readonly repo: string,
    readonly bin: string,
  ) {}

  static async create(
    files: Record<string, string> = { "README.md": "# A project\n" },
  ): Promise<LocalRunWorld> {
    const dir = await mkdtemp(join(tmpdir(), "specwright-local-"));
    const repo = join(dir, "repo");
    const bin = join(dir, "bin");
    await mkdir(repo);
    await mkdir(bin);
    for (const name of ["claude", "codex", "gemini", "copilot"])
      await symlink(SCRIPTED_AGENT, join(bin, name));
    const world = new LocalRunWorld(dir, repo, bin);
    await world.git("init", "--quiet", "--initial-branch=main");
    await world.git("config", "user.name", "Test Person");
    await world.git("config", "user.email", "person@example.com");
    for (const [path, content] of Object.entries(files))
      await world.write(path, content);
    await world.commit("Initial commit");
    // How the scripted agent misbehaves, per `local/repo:<stage>`.
    await world.behave({});
    return world;
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Makes stages of the scripted agent misbehave: `{ plan: "fail" }`. */
  async behave(stages: Record<string, string>): Promise<void> {
    await writeFile(
      join(this.dir, "agent.json"),
      JSON.stringify(
        Object.fromEntries(
          Object.entries(stages).map(([stage, how]) => [
            `local/repo:${stage}`,
            how,
          ]),
        ),
      ),
    );
  }

  /** A program first on PATH, e.g. a command agent: `name` runs `script` with sh. */
  async program(name: string, script: string): Promise<string> {
    const path = join(this.bin, name);
    await writeFile(path, `#!/bin/sh\n${script}\n`);
    await chmod(path, 0o755);
    return path;
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PATH: `${this.bin}:${process.env.PATH ?? ""}`,
      ANTHROPIC_API_KEY: "sk-ant-local-test",
      SPECWRIGHT_E2E_AGENT: join(this.dir, "agent.json"),
      NO_COLOR: "1",
      ...extra,
    };
  }

  async write(path: string, content: string): Promise<void> {
    const full = join(this.repo, path);
    await mkdir(join(full, ".."), { recursive: true });
    await writeFile(full, content);
  }

  async git(...args: string[]): Promise<string> {
    const { stdout } = await run("git", args, { cwd: this.repo });
    return stdout;
  }

  async commit(message: string): Promise<void> {
    await this.git("add", "--all");
    await this.git("commit", "--quiet", "-m", message);
  }

  /** Starts the CLI; the caller waits for it (or signals it). */
  start(
    args: string[],
    options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ): Running {
    const child = spawn(process.execPath, ["--import", TSX, ENTRY, ...args], {
      cwd: options.cwd ?? this.repo,
      env: this.env(options.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new Running(child);
  }

  /**
   * Starts the CLI on a terminal of its own: util-linux `script` gives it a
   * pseudo-terminal as stdin, stdout and stderr (the live view, gates that
   * ask). Everything it writes arrives on `stdout`, with CRLF line ends.
   * stdin stays open, so the terminal never reads an end of file.
   */
  startInTerminal(
    args: string[],
    options: { env?: NodeJS.ProcessEnv } = {},
  ): Running {
    const command = [process.execPath, "--import", TSX, ENTRY, ...args]
      .map(shellQuote)
      .join(" ");
    const child = spawn(
      "script",
      ["--quiet", "--flush", "--return", "--command", command, "/dev/null"],
      {
        cwd: this.repo,
        env: this.env(options.env),
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    return new Running(child);
  }

  /** Runs the CLI to its end. */
  specwright(
    args: string[],
    options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ): Promise<CliResult> {
    return this.start(args, options).done;
  }

  /**
   * Starts a run of the repository's committed `.github/specwright.yml` in
   * this process, as `specwright run` does before driving it (for tests
   * that drive it themselves).
   */
  async startRun(
    feature: string,
  ): Promise<{ paths: RunPaths; metadata: RunMetadata }> {
    const text = await readFile(
      join(this.repo, ".github/specwright.yml"),
      "utf8",
    );
    const checked = loadConfig(text);
    if (!checked.ok) throw new Error("the test's workflow is invalid");
    return startLocalRun({
      repoRoot: this.repo,
      config: checked.config,
      workflow: checked.workflow,
      workflowText: text,
      feature,
      parameters: {},
      by: "tester",
      now: new Date(),
    });
  }

  /** The run folder's metadata.json of a run (by full id). */
  async metadata(id: string): Promise<RunMetadata> {
    return JSON.parse(
      await readFile(
        join(this.repo, ".specwright/runs", id, "metadata.json"),
        "utf8",
      ),
    ) as RunMetadata;
  }

  /** The id of the run a `specwright run` started (from its stderr). */
  static runId(stderr: string): string {
    const id = /specwright: run ([0-9a-f-]{36}) in /.exec(stderr)?.[1];
    if (id === undefined) throw new Error(`no run id in: ${stderr}`);
    return id;
  }

  /** The commits of the run's branch after the initial one, oldest first, with their trailers. */
  async runCommits(
    id: string,
  ): Promise<{ subject: string; stage: string; attempt: string }[]> {
    const workspace = join(this.repo, ".specwright/runs", id, "workspace");
    const { stdout } = await run(
      "git",
      [
        "log",
        "--reverse",
        "--format=%s%x1f%(trailers:key=Specwright-Stage,valueonly)%x1f%(trailers:key=Specwright-Attempt,valueonly)%x1e",
        "HEAD",
        "^main",
      ],
      { cwd: workspace },
    );
    return stdout
      .split("\x1e")
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => {
        const [subject = "", stage = "", attempt = ""] = entry.split("\x1f");
        return { subject, stage: stage.trim(), attempt: attempt.trim() };
      });
  }
}

/** One argument for `sh -c`, quoted. */
function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** A CLI process under way: its output so far, and its end. */
export class Running {
  stdout = "";
  stderr = "";
  readonly done: Promise<CliResult>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    this.done = new Promise((resolve) => {
      child.on("close", (code, signal) =>
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }),
      );
    });
  }

  /** Resolves once the output holds `text` (or rejects when the process ends first). */
  async waitFor(
    text: string | RegExp,
    stream: "stdout" | "stderr" = "stdout",
  ): Promise<void> {
    const found = () =>
      typeof text === "string"
        ? this[stream].includes(text)
        : text.test(this[stream]);
    let ended = false;
    this.done.then(() => {
      ended = true;
    });
    while (!found()) {
      if (ended)
        throw new Error(
          `ended without ${String(text)}:\n${this.stdout}\n${this.stderr}`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
