import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { CliIo } from "../../src/cli/io.js";
import type { Terminal } from "../../src/cli/local/terminal.js";
import { runCli } from "../../src/cli/main.js";

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Who the in-process CLI runs as: approvals and cancels are theirs. */
export const IN_PROCESS_USER = "tester";

/**
 * Runs the CLI in this process, in `cwd` with `env` and no terminal (plain
 * progress, gates that wait): the same commands as the executable without
 * its two seconds of starting up, for cases that stop early or run stages
 * whose end is all that matters. Signals need the real process
 * (LocalRunWorld.start).
 */
export async function specwrightInProcess(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<InProcessResult> {
  let stdout = "";
  let stderr = "";
  const terminal: Terminal = {
    cwd: options.cwd,
    env: options.env,
    interactive: false,
    columns: () => 100,
    now: () => new Date(),
    user: IN_PROCESS_USER,
    interrupt: new AbortController().signal,
    onForce: () => undefined,
    ask: () => Promise.reject(new Error("no terminal to ask on")),
    release: () => undefined,
  };
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readFile: (path) => readFile(resolve(options.cwd, path), "utf8"),
    terminal: () => terminal,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}
