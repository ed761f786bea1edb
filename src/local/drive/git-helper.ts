import { type ChildProcessByStdio, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { ExecResult } from "../../../action/src/exec.js";
import {
  type GitStarter,
  gitAsProcesses,
  startGitWith,
} from "../../../action/src/git.js";

/** A word for `sh`, quoted: nothing in it is special. */
const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/** Output kept as `exec` keeps it: the start and the end of what is too long. */
const cut = (text: string, max: number) =>
  text.length > max
    ? `${text.slice(0, max / 2)}\n… (output cut) …\n${text.slice(-max / 2)}`
    : text;

/** What a command wrote to `file`, kept as `exec` keeps it. */
async function readOutput(file: string, max: number): Promise<string> {
  return cut(await readFile(file, "utf8").catch(() => ""), max);
}

/** Variable names `sh` can set and unset. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Git started by a shell that stays for the run, rather than by this
 * process: Node starts a program by forking itself, which blocks its one
 * thread for milliseconds while its memory map is copied (7 ms or more
 * on a small VM), and a local run starts git three times a stage; a
 * shell forks in a fraction of that. Each command runs in a subshell of
 * its own (so several run at once), its output goes to files, and the
 * shell says on its stdout when it ended and how.
 */
class GitHelper {
  private readonly pending = new Map<number, (code: number) => void>();
  private next = 0;
  private said = "";
  ended = false;

  private constructor(
    private readonly shell: ChildProcessByStdio<Writable, Readable, null>,
    /** Where commands' output goes, until the helper stops: a folder only this user can read. */
    private readonly dir: string,
    /** The environment the shell has; each command's is set from it. */
    private readonly base: NodeJS.ProcessEnv,
  ) {
    shell.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      this.said += chunk;
      for (let end = this.said.indexOf("\n"); end !== -1; ) {
        const [id = "", code = ""] = this.said.slice(0, end).split(" ");
        this.said = this.said.slice(end + 1);
        this.settle(Number(id), Number(code));
        end = this.said.indexOf("\n");
      }
    });
    const gone = () => {
      this.ended = true;
      for (const id of [...this.pending.keys()]) this.settle(id, -1);
    };
    shell.on("exit", gone);
    shell.on("error", gone);
    shell.stdin.on("error", gone);
    process.once("exit", this.removeOutput);
    this.idle();
  }

  /** The output folder goes when the helper stops, or at the latest with this process. */
  private readonly removeOutput = () =>
    rmSync(this.dir, { recursive: true, force: true });

  static start(): GitHelper {
    const dir = mkdtempSync(join(tmpdir(), "specwright-git-"));
    const base = { ...process.env };
    // Its own session, as git's processes have: Ctrl+C is not for it.
    const shell = spawn("sh", [], {
      env: base,
      stdio: ["pipe", "pipe", "ignore"],
      detached: true,
    });
    return new GitHelper(shell, dir, base);
  }

  /** The shell's lines that give a command the environment `env`, or null when they cannot. */
  private environment(env: NodeJS.ProcessEnv): string | null {
    const lines: string[] = [];
    for (const name of Object.keys(this.base)) {
      if (env[name] !== undefined) continue;
      if (!NAME.test(name)) return null;
      lines.push(`unset ${name}`);
    }
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined || this.base[name] === value) continue;
      if (!NAME.test(name)) return null;
      lines.push(`export ${name}=${quote(value)}`);
    }
    return lines.map((line) => `${line}; `).join("");
  }

  /**
   * Runs git commands one after another, as `exec` would each, in one
   * round trip: a subshell runs them, stopping at the first that fails.
   * Null when the shell cannot give them this environment.
   */
  run(
    commands: Parameters<GitStarter>[0],
    options: Parameters<GitStarter>[1],
  ): Promise<ExecResult[]> | null {
    const environment = this.environment(options.env);
    if (this.ended || environment === null) return null;
    const id = ++this.next;
    const out = (n: number) => join(this.dir, `${id}.${n}.out`);
    const err = (n: number) => join(this.dir, `${id}.${n}.err`);
    // The shell's own folder is where this process was when it started.
    const cwd = resolve(options.cwd);
    const steps = commands
      .map(
        (args, n) =>
          `git ${args.map(quote).join(" ")} >${quote(out(n))} 2>${quote(err(n))} </dev/null`,
      )
      .join(" && ");
    const command = `(cd ${quote(cwd)} 2>${quote(err(0))} && { ${environment}${steps}; }; echo "${id} $?") &\n`;
    return new Promise<number>((resolve) => {
      this.pending.set(id, resolve);
      if (this.pending.size === 1) this.busy();
      this.shell.stdin.write(command);
    }).then((code) => this.results(commands.length, code, out, err, options));
  }

  /**
   * What each command that ran printed. A command ran when its output
   * file is there (the shell makes it as it starts the command); when
   * they all ended well the code is theirs, else it is the last one's.
   */
  private async results(
    count: number,
    code: number,
    out: (n: number) => string,
    err: (n: number) => string,
    options: Parameters<GitStarter>[1],
  ): Promise<ExecResult[]> {
    const outputs = await Promise.all(
      Array.from({ length: count }, (_, n) =>
        readFile(out(n), "utf8").then(
          (text) => cut(text, options.maxBytes),
          () => undefined,
        ),
      ),
    );
    const ran = outputs.findIndex((text) => text === undefined);
    const last = (ran === -1 ? count : Math.max(ran, 1)) - 1;
    const results: ExecResult[] = [];
    for (let n = 0; n <= last; n++) {
      const failed = n === last && code !== 0;
      // What git says besides is read when it failed: nobody reads it else.
      const stderr = failed ? await readOutput(err(n), options.maxBytes) : "";
      results.push(
        code === -1 && n === last
          ? {
              code: 127,
              signal: null,
              stdout: outputs[n] ?? "",
              stderr: `${stderr}specwright: the shell that starts git ended\n`,
              timedOut: false,
            }
          : {
              code: failed ? code : 0,
              signal: null,
              stdout: outputs[n] ?? "",
              stderr,
              timedOut: false,
            },
      );
    }
    return results;
  }

  stop(): void {
    this.ended = true;
    this.shell.stdin.end();
    process.off("exit", this.removeOutput);
    this.removeOutput();
  }

  private settle(id: number, code: number): void {
    const resolve = this.pending.get(id);
    if (resolve === undefined) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.idle();
    resolve(code);
  }

  /** Waiting for a command keeps the process alive; an idle shell does not. */
  private busy(): void {
    this.shell.ref();
    (this.shell.stdout as Socket).ref();
  }

  private idle(): void {
    this.shell.unref();
    (this.shell.stdout as Socket).unref();
    (this.shell.stdin as Socket).unref();
  }
}

let helper: GitHelper | undefined;
let users = 0;

/**
 * Has `git` (action/src/git.ts) start git through a helper shell until
 * the returned function is called; the last caller's stops the shell.
 * Whatever the shell cannot run (an environment it cannot give, a shell
 * that ended) starts git as a process of its own, as before.
 */
export function useGitHelper(): () => void {
  if (users++ === 0) {
    const started = GitHelper.start();
    helper = started;
    startGitWith(
      (commands, options) =>
        started.run(commands, options) ?? gitAsProcesses(commands, options),
    );
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--users > 0) return;
    startGitWith(undefined);
    helper?.stop();
    helper = undefined;
  };
}
