import { type ExecResult, exec } from "./exec.js";

const HARDENED = [
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "core.fsmonitor=false",
];

/** Starts git with these arguments and collects what it prints. */
export type GitStarter = (
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; maxBytes: number },
) => Promise<ExecResult>;

const ownProcess: GitStarter = (args, options) => exec("git", args, options);
let startGit = ownProcess;

/**
 * Has `git` start git with `starter` from now on, or as a process of
 * this one's again (undefined). A local run hands it to a small helper
 * process, as forking a large Node process costs milliseconds each time;
 * the action never does.
 */
export function startGitWith(starter: GitStarter | undefined): void {
  startGit = starter ?? ownProcess;
}

/** Runs git in `cwd`; throws with git's message when it fails. */
export async function git(
  cwd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  // No hook and no file-system monitor: the agent wrote this checkout.
  const result = await startGit([...HARDENED, ...args], {
    cwd,
    env: { ...process.env, ...env, GIT_TERMINAL_PROMPT: "0" },
    maxBytes: 200 * 1024 * 1024,
  });
  if (result.code !== 0) {
    throw new Error(
      `git ${args[0]} failed: ${result.stderr.trim() || `exit ${result.code}`}`,
    );
  }
  return result.stdout;
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
