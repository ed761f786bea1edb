import { type ExecResult, exec } from "./exec.js";

const HARDENED = [
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "core.fsmonitor=false",
];

/**
 * Starts git once per command, one after another, stopping at the first
 * that fails, and collects what each printed: the results of those that
 * ran, the last of them the one that failed, if one did.
 */
export type GitStarter = (
  commands: readonly (readonly string[])[],
  options: { cwd: string; env: NodeJS.ProcessEnv; maxBytes: number },
) => Promise<ExecResult[]>;

/** Git as processes of this one. */
export const gitAsProcesses: GitStarter = async (commands, options) => {
  const results: ExecResult[] = [];
  for (const args of commands) {
    const result = await exec("git", args, options);
    results.push(result);
    if (result.code !== 0) break;
  }
  return results;
};
let startGit = gitAsProcesses;

/**
 * Has `git` start git with `starter` from now on, or as a process of
 * this one's again (undefined). A local run hands it to a small helper
 * process, as forking a large Node process costs milliseconds each time;
 * the action never does.
 */
export function startGitWith(starter: GitStarter | undefined): void {
  startGit = starter ?? gitAsProcesses;
}

/**
 * Runs git commands in `cwd` one after another, as one request to
 * whatever starts git (a local run's helper runs them in one round trip);
 * returns what each printed, or throws with the message of the first that
 * failed.
 */
export async function gitSteps(
  cwd: string,
  commands: readonly (readonly string[])[],
  env: NodeJS.ProcessEnv = {},
): Promise<string[]> {
  // No hook and no file-system monitor: the agent wrote this checkout.
  const results = await startGit(
    commands.map((args) => [...HARDENED, ...args]),
    {
      cwd,
      env: { ...process.env, ...env, GIT_TERMINAL_PROMPT: "0" },
      maxBytes: 200 * 1024 * 1024,
    },
  );
  const failed = results.findIndex((result) => result.code !== 0);
  if (failed !== -1 || results.length < commands.length) {
    const result = results[failed] ?? results.at(-1);
    const args = commands[failed === -1 ? results.length : failed] ?? [];
    throw new Error(
      `git ${args[0]} failed: ${result?.stderr.trim() || `exit ${result?.code ?? "unknown"}`}`,
    );
  }
  return results.map((result) => result.stdout);
}

/** Runs git in `cwd`; throws with git's message when it fails. */
export async function git(
  cwd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  const [stdout = ""] = await gitSteps(cwd, [args], env);
  return stdout;
}

const SHA = /^[0-9a-f]{40}$/;

/**
 * The git directory of the checkout in `cwd`: `.git` itself, or where a
 * linked worktree's `.git` file points. Read from the files, no process.
 */
export async function gitDirectory(cwd: string): Promise<string> {
  const { readFile, stat } = await import("node:fs/promises");
  const { join, resolve } = await import("node:path");
  const dotGit = join(cwd, ".git");
  if (!(await stat(dotGit)).isFile()) return dotGit;
  const pointer = /^gitdir: (.+)$/m.exec(await readFile(dotGit, "utf8"));
  return pointer?.[1] ? resolve(cwd, pointer[1].trim()) : dotGit;
}

/**
 * The commit checked out in `cwd`, read from the files git keeps there
 * (HEAD, a loose ref) without starting a process — a local run asks this
 * for every stage; git itself answers when the files are not that plain
 * (a packed ref, another ref backend).
 */
export async function headCommit(cwd: string): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const { join, resolve } = await import("node:path");
  try {
    const gitDir = await gitDirectory(cwd);
    const head = (await readFile(join(gitDir, "HEAD"), "utf8")).trim();
    if (SHA.test(head)) return head;
    const ref = /^ref: (refs\/[^\s]+)$/.exec(head)?.[1];
    if (ref !== undefined && !ref.includes("..")) {
      const common = await readFile(join(gitDir, "commondir"), "utf8").then(
        (dir) => resolve(gitDir, dir.trim()),
        () => gitDir,
      );
      const sha = (await readFile(join(common, ref), "utf8")).trim();
      if (SHA.test(sha)) return sha;
    }
  } catch {
    // Not plain files: ask git.
  }
  return (await git(cwd, ["rev-parse", "HEAD"])).trim();
}
