import { stat } from "node:fs/promises";
import { dirname } from "node:path";
import { type ExecResult, exec } from "../../exec.js";

/** The user every agent runs as: no password, no sudo, no group of the runner's but what it must traverse. */
export const AGENT_USER = "specwright-agent";

/** `user`: the agent runs as {@link AGENT_USER}; `none`: as the action's own user. */
export type IsolationMode = "user" | "none";

/** How the action acts as another user: it is root, or it has sudo without a password. */
export type Privilege = "root" | "sudo";

export interface AgentUser {
  name: string;
  uid: number;
  gid: number;
  privilege: Privilege;
}

/** Runs a command as root: directly when the action is root, else through `sudo -n`. */
export function asRoot(
  privilege: Privilege,
  file: string,
  args: readonly string[],
): Promise<ExecResult> {
  return privilege === "root"
    ? exec(file, args)
    : exec("sudo", ["-n", file, ...args]);
}

/** Throws with the command's own message when it fails. */
export async function asRootOrThrow(
  privilege: Privilege,
  file: string,
  args: readonly string[],
): Promise<string> {
  const result = await asRoot(privilege, file, args);
  if (result.code !== 0) {
    throw new Error(
      `${file} ${args.join(" ")} failed: ${result.stderr.trim() || `exit ${result.code}`}`,
    );
  }
  return result.stdout;
}

async function findPrivilege(uid: number | undefined): Promise<Privilege> {
  if (uid === 0) return "root";
  const sudo = await exec("sudo", ["-n", "true"]);
  if (sudo.code === 0) return "sudo";
  throw new Error(
    "the agent runs as its own user (agent-isolation: user), which needs root or passwordless sudo to set up, and this runner has neither" +
      " (GitHub-hosted runners have passwordless sudo). Give the runner's user passwordless sudo, or set the action's input agent-isolation: none" +
      " — then the agent runs as the runner's user and can read the runner's credentials (docs/security.md)",
  );
}

async function ids(name: string): Promise<{ uid: number; gid: number }> {
  const uid = await exec("id", ["-u", name]);
  const gid = await exec("id", ["-g", name]);
  if (uid.code !== 0 || gid.code !== 0)
    throw new Error(`there is no user ${name}`);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The agent's user, made on first use (a system user: no password, no login home). */
async function ensureUser(privilege: Privilege): Promise<{
  uid: number;
  gid: number;
}> {
  try {
    return await ids(AGENT_USER);
  } catch {
    const made = await asRoot(privilege, "useradd", [
      "--system",
      "--user-group",
      "--no-create-home",
      "--home-dir",
      "/nonexistent",
      "--shell",
      "/bin/bash",
      AGENT_USER,
    ]);
    // Another job on this machine may have made it meanwhile (exit 9).
    try {
      return await ids(AGENT_USER);
    } catch {
      throw new Error(
        `could not create the agent's user ${AGENT_USER}: ${made.stderr.trim() || `useradd exit ${made.code}`}`,
      );
    }
  }
}

/** Whether `user` may pass through a folder: asked as that user, ACLs and groups counted. */
async function passes(user: AgentUser, dir: string): Promise<boolean> {
  const result = await asRoot(user.privilege, "setpriv", [
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    "--init-groups",
    "test",
    "-x",
    dir,
  ]);
  return result.code === 0;
}

/**
 * Lets the agent's user pass through `dir` (GitHub's `/home/runner` is
 * 750): an access-control entry for it alone, that lets it through and
 * read nothing there; where the file system or the runner has no ACLs, the
 * folder's group, if that group may pass. Else an error naming the folder.
 */
async function letThrough(user: AgentUser, dir: string): Promise<void> {
  const acl = await asRoot(user.privilege, "setfacl", [
    "-m",
    `u:${user.name}:x`,
    dir,
  ]);
  if (acl.code === 0 && (await passes(user, dir))) return;
  const info = await stat(dir);
  if ((info.mode & 0o010) !== 0 && info.gid !== 0) {
    await asRootOrThrow(user.privilege, "usermod", [
      "-a",
      "-G",
      String(info.gid),
      user.name,
    ]);
    return;
  }
  throw new Error(
    `the agent's user ${user.name} cannot reach the workspace: ${dir} is mode ${(info.mode & 0o777).toString(8)}. Let others through it (chmod o+x ${dir}), or set agent-isolation: none`,
  );
}

/** Makes sure the agent's user can reach `dir` through its parents. */
async function ensureReach(user: AgentUser, dir: string): Promise<void> {
  const parents: string[] = [];
  for (let d = dirname(dir); ; d = dirname(d)) {
    parents.push(d);
    if (dirname(d) === d) break;
  }
  for (const parent of parents) {
    if (!(await passes(user, parent))) await letThrough(user, parent);
  }
}

/**
 * Sets up the agent's own user for a stage in `cwd`: it exists, it can
 * reach the workspace, and the action can act as it.
 */
export async function setUpAgentUser(
  cwd: string,
  uid: number | undefined,
): Promise<AgentUser> {
  const privilege = await findPrivilege(uid);
  const user = {
    name: AGENT_USER,
    ...(await ensureUser(privilege)),
    privilege,
  };
  await ensureReach(user, cwd);
  return user;
}
