import {
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exec } from "../../exec.js";
import { type AgentUser, asRoot, asRootOrThrow } from "./agent-user.js";

/** What runs the agent's command line: a program, its arguments, its environment. */
export interface SandboxedCommand {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * One agent run as the agent's own user. `home` is fresh and empty (files
 * the agent reads, such as a prompt file, go there before {@link handOver});
 * the workspace and the home are the agent's from `handOver` until `close`.
 */
export interface AgentSandbox {
  home: string;
  handOver(): Promise<void>;
  command(
    executable: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ): SandboxedCommand;
  /** Stops what the run left behind (its session), and takes the workspace and the home back. */
  close(sessionId: number | undefined): Promise<void>;
}

/**
 * `.git/config` as the action left it: the agent could add a command to it
 * (`core.fsmonitor`, a filter, an alias) that the action's next git
 * command would run as the action's user.
 */
async function readGitConfig(cwd: string): Promise<Buffer | undefined> {
  return readFile(join(cwd, ".git", "config")).catch(() => undefined);
}

/** The agent left the checkout in a state nothing of it can be taken from. */
export class UntrustedCheckoutError extends Error {
  override name = "UntrustedCheckoutError";
}

/**
 * Where else git reads a repository's configuration or runs programs from:
 * the agent may have written any of them.
 */
const GIT_SIDE_DOORS = ["commondir", "config.worktree", "hooks"];

/**
 * Puts `.git/config` back as it was and removes the agent's side doors, so
 * the action's own git commands read the action's configuration only. A
 * `.git` that is no longer a directory (a link, a `gitdir:` file) is
 * refused: git would follow it elsewhere.
 */
async function restoreGit(
  cwd: string,
  config: Buffer | undefined,
): Promise<void> {
  if (config === undefined) return;
  const info = await lstat(join(cwd, ".git")).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new UntrustedCheckoutError(
      "the agent replaced the checkout's .git with something other than a directory; nothing it did can be trusted",
    );
  }
  for (const door of GIT_SIDE_DOORS)
    await rm(join(cwd, ".git", door), { recursive: true, force: true });
  const path = join(cwd, ".git", "config");
  // Removed first: a link the agent put there is not followed.
  await rm(path, { recursive: true, force: true });
  await writeFile(path, config, { flag: "wx" });
}

export async function openSandbox(
  user: AgentUser,
  cwd: string,
): Promise<AgentSandbox> {
  const owner = await stat(cwd);
  const gitConfig = await readGitConfig(cwd);
  const home = await mkdtemp(join(tmpdir(), "specwright-agent-"));
  // Its own temporary directory, inside its home and not the other way
  // round: codex sets up its sandbox only for a home outside TMPDIR.
  await mkdir(join(home, "tmp"));
  const mine = `${owner.uid}:${owner.gid}`;
  const agents = `${user.uid}:${user.gid}`;
  let closed = false;
  return {
    home,
    async handOver() {
      await asRootOrThrow(user.privilege, "chown", ["-R", agents, cwd, home]);
    },
    command(executable, args, env) {
      const temp = env.TMPDIR ?? join(home, "tmp");
      // setpriv takes the agent's user and its groups, and forbids gaining
      // privileges (no sudo, no setuid program) for the whole tree. Only
      // the variables below are on the command line: none is secret.
      const become = [
        "setpriv",
        `--reuid=${user.uid}`,
        `--regid=${user.gid}`,
        "--init-groups",
        "--no-new-privs",
        "--",
        "env",
        `HOME=${home}`,
        `USER=${user.name}`,
        `LOGNAME=${user.name}`,
        `PATH=${env.PATH ?? ""}`,
        `TMPDIR=${temp}`,
        executable,
        ...args,
      ];
      const environment = { ...env, HOME: home, TMPDIR: temp };
      return user.privilege === "root"
        ? { file: become[0] as string, args: become.slice(1), env: environment }
        : {
            file: "sudo",
            args: ["-n", "--preserve-env", "--", ...become],
            env: environment,
          };
    },
    async close(sessionId) {
      if (closed) return;
      closed = true;
      if (sessionId !== undefined) {
        // Exit 1: nothing was left.
        await asRoot(user.privilege, "pkill", [
          "-KILL",
          "-s",
          String(sessionId),
        ]);
      }
      // Only what the agent owns comes back: a hard link it made to
      // someone else's file keeps its owner.
      await asRootOrThrow(user.privilege, "chown", [
        "-R",
        `--from=${user.uid}`,
        mine,
        cwd,
        home,
      ]);
      // Nothing the agent left may be written by others (a process of its
      // that escaped its session).
      await exec("chmod", ["-R", "go-w", cwd]);
      await restoreGit(cwd, gitConfig);
    },
  };
}

/** Removes the sandbox's home, once it is taken back. */
export async function removeSandbox(sandbox: AgentSandbox): Promise<void> {
  await rm(sandbox.home, { recursive: true, force: true });
}
