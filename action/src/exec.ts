import { spawn } from "node:child_process";

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
}

const DEFAULT_MAX = 20 * 1024 * 1024;

function keep(buffer: string, chunk: string, max: number): string {
  const next = buffer + chunk;
  if (next.length <= max) return next;
  const half = Math.floor(max / 2);
  return `${next.slice(0, half)}\n… (output cut) …\n${next.slice(-half)}`;
}

/**
 * Runs a program (no shell) and collects what it prints. With `timeoutMs`,
 * its whole process group gets SIGTERM when time is up, then SIGKILL ten
 * seconds later: an agent that starts helpers cannot outlive its stage.
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
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const group = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            group("SIGTERM");
            killTimer = setTimeout(() => group("SIGKILL"), 10_000);
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
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      resolve({ code, signal, stdout, stderr, timedOut });
    };
    child.on("error", (error: NodeJS.ErrnoException) => {
      stderr += `${error.code === "ENOENT" ? `${file}: command not found` : error.message}\n`;
      finish(127, null);
    });
    child.on("close", finish);
  });
}

/** Where `name` is on PATH, if it is an executable file there. */
export async function which(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const { access, constants } = await import("node:fs/promises");
  const { delimiter, join, isAbsolute } = await import("node:path");
  if (isAbsolute(name) || name.includes("/")) {
    try {
      await access(name, constants.X_OK);
      return name;
    } catch {
      return undefined;
    }
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}
