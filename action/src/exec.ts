import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** Called with each chunk as it arrives (for streaming into the job log). */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Bytes kept of each stream; the rest is dropped (the log keeps the start and the end). */
  maxBytes?: number;
  /** Told the program's process id (also its session's and group's: it is started detached). */
  onSpawn?: (pid: number) => void;
  /** Stops the program's whole process group, as a time limit does (Ctrl+C of a local run). */
  signal?: AbortSignal | undefined;
}

const DEFAULT_MAX = 20 * 1024 * 1024;

function keep(buffer: string, chunk: string, max: number): string {
  const next = buffer + chunk;
  if (next.length <= max) return next;
  const half = Math.floor(max / 2);
  return `${next.slice(0, half)}\n… (output cut) …\n${next.slice(-half)}`;
}

/** How long helpers left behind get to end after SIGTERM. */
const GRACE_MS = 10_000;

/**
 * Runs a program (no shell) and collects what it prints. With `timeoutMs`,
 * its whole process group gets SIGTERM when time is up, then SIGKILL ten
 * seconds later; when the program exits, so do the helpers it left in its
 * group (a server started in the background would otherwise hold the
 * output open until the time limit): an agent that starts helpers cannot
 * outlive its stage.
 */
export function exec(
  file: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const max = options.maxBytes ?? DEFAULT_MAX;
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    let child: ChildProcessByStdio<Writable, Readable, Readable>;
    try {
      child = spawn(file, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ["pipe", "pipe", "pipe"],
        detached: true,
      });
    } catch (error) {
      // An empty or NUL-containing name throws here instead of failing
      // like a missing program.
      resolve({
        code: 127,
        signal: null,
        stdout: "",
        stderr: `${error instanceof Error ? error.message : String(error)}\n`,
        timedOut: false,
      });
      return;
    }
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    const group = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    // SIGTERM for the group, SIGKILL after the grace period; then the pipes
    // are let go, as a helper that left the group can still hold them.
    const stop = () => {
      group("SIGTERM");
      killTimer ??= setTimeout(() => {
        group("SIGKILL");
        child.stdout.destroy();
        child.stderr.destroy();
      }, GRACE_MS);
    };
    const abort = () => stop();
    if (options.signal?.aborted) stop();
    options.signal?.addEventListener("abort", abort, { once: true });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            stop();
          }, options.timeoutMs);
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout = keep(stdout, chunk, max);
      options.onStdout?.(chunk);
    });
    child.stderr.on("data", (chunk: string) => {
      stderr = keep(stderr, chunk, max);
      options.onStderr?.(chunk);
    });
    child.stdin.on("error", () => {
      // The program did not read its input; that is its business.
    });
    child.stdin.end(options.input ?? "");
    child.on("exit", stop);
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener("abort", abort);
      resolve({ code, signal, stdout, stderr, timedOut });
    };
    child.on("error", (error: NodeJS.ErrnoException) => {
      stderr += `${error.code === "ENOENT" ? `${file}: command not found` : error.message}\n`;
      finish(127, null);
    });
    child.on("close", finish);
  });
}

/**
 * Where `name` is on PATH, if it is an executable file there. A name with a
 * slash is a path, relative to `cwd` (where the program will run).
 */
export async function which(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Promise<string | undefined> {
  const { access, constants, stat } = await import("node:fs/promises");
  const { delimiter, join, resolve } = await import("node:path");
  const executable = async (path: string) => {
    try {
      await access(path, constants.X_OK);
      return (await stat(path)).isFile();
    } catch {
      return false;
    }
  };
  if (name.includes("/")) {
    const path = resolve(cwd, name);
    return (await executable(path)) ? path : undefined;
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    if (await executable(candidate)) return candidate;
  }
  return undefined;
}
