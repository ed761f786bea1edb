import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The agent CLIs' own executables, as `npm ci` installs the pinned versions. */
export const CLI_BIN = resolve("node_modules/.bin");

/** The unprivileged user GitHub-hosted runners run jobs as. */
export const RUNNER_USER = "runner";

export interface UserIds {
  uid: number;
  gid: number;
}

/**
 * The ids of `runner` when this process is root and the user exists
 * (.ci/run creates it), so agents run as they do on a hosted runner;
 * undefined otherwise (then the agent runs as this process's user).
 */
export function runnerUser(): UserIds | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(
      execFileSync("id", ["-u", RUNNER_USER], { encoding: "utf8" }),
    );
    const gid = Number(
      execFileSync("id", ["-g", RUNNER_USER], { encoding: "utf8" }),
    );
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** A fresh directory the given user owns (HOME, a checkout). */
export async function ownedTempDir(
  prefix: string,
  user?: UserIds,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  if (user) await chown(dir, user.uid, user.gid);
  return dir;
}

/** Gives a whole tree to `user` (after the test wrote it as root). */
export function chownTree(path: string, user?: UserIds): void {
  if (user && existsSync(path))
    execFileSync("chown", ["-R", `${user.uid}:${user.gid}`, path]);
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a real agent CLI (`claude`, `codex`, `gemini`, `copilot`) with
 * exactly the environment given (plus PATH), as `user` when given.
 */
export function runCli(options: {
  executable: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  user?: UserIds | undefined;
  timeoutMs?: number;
  stdin?: string;
}): Promise<CliRun> {
  return new Promise((done) => {
    const child = spawn(join(CLI_BIN, options.executable), options.args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
      ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.stdin.end(options.stdin ?? "");
    const timer = setTimeout(
      () => child.kill("SIGKILL"),
      options.timeoutMs ?? 120_000,
    );
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
