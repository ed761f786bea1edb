import { stat } from "node:fs/promises";
import { exec } from "./exec.js";

/**
 * The variables a CLI needs to start and print its version, and nothing
 * that could hold a credential: Spec Kit's CLI reads GH_TOKEN and
 * GITHUB_TOKEN, and what a CLI prints goes into the bundle.
 */
const MINIMAL =
  /^(?:PATH|PATHEXT|HOME|USER|LOGNAME|LANG|LC_\w+|TZ|TMPDIR|TEMP|TMP|SYSTEMROOT|SystemRoot|COMSPEC|ComSpec)$/;

/** The environment, less everything a version check does not need. */
export function minimalEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => MINIMAL.test(name)),
  );
}

/**
 * Versions this process was told, by executable file as it was then: a
 * local run asks before every stage, and a CLI such as Claude Code takes
 * half a second to start only to print its version. A file that changed
 * since (an upgrade replaces it) is asked again.
 */
const told = new Map<string, string>();

/** What tells `executable` as it is now from any later file there. */
async function fileStamp(executable: string): Promise<string | null> {
  const info = await stat(executable, { bigint: true }).catch(() => null);
  return info === null
    ? null
    : `${executable}\0${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}`;
}

/** The first line a CLI prints for `--version`, or null if it fails. */
export async function cliVersion(
  executable: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<string | null> {
  const stamp = await fileStamp(executable);
  const known = stamp === null ? undefined : told.get(stamp);
  if (known !== undefined) return known;
  const result = await exec(executable, ["--version"], {
    env,
    cwd,
    timeoutMs: 15_000,
  });
  if (result.code !== 0) return null;
  const line = `${result.stdout}\n${result.stderr}`
    .split("\n")
    .find((l) => l.trim() !== "");
  const version = line?.trim().slice(0, 200) ?? null;
  // Only an answer is kept: a failure may not happen again.
  if (stamp !== null && version !== null) told.set(stamp, version);
  return version;
}
