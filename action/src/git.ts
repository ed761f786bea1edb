import { exec } from "./exec.js";

const HARDENED = [
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "core.fsmonitor=false",
];

/** Runs git in `cwd`; throws with git's message when it fails. */
export async function git(
  cwd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  // No hook and no file-system monitor: the agent wrote this checkout.
  const result = await exec("git", [...HARDENED, ...args], {
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
 * The commit checked out in `cwd`, read from the files git keeps there
 * (HEAD, a loose ref) without starting a process — a local run asks this
 * for every stage; git itself answers when the files are not that plain
 * (a packed ref, another ref backend).
 */
export async function headCommit(cwd: string): Promise<string> {
  const { readFile, stat } = await import("node:fs/promises");
  const { join, resolve } = await import("node:path");
  try {
    let gitDir = join(cwd, ".git");
    if ((await stat(gitDir)).isFile()) {
      const pointer = /^gitdir: (.+)$/m.exec(await readFile(gitDir, "utf8"));
      if (pointer?.[1]) gitDir = resolve(cwd, pointer[1].trim());
    }
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
