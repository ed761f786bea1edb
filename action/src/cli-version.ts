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

/** The first line a CLI prints for `--version`, or null if it fails. */
export async function cliVersion(
  executable: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<string | null> {
  const result = await exec(executable, ["--version"], {
    env,
    cwd,
    timeoutMs: 15_000,
  });
  if (result.code !== 0) return null;
  const line = `${result.stdout}\n${result.stderr}`
    .split("\n")
    .find((l) => l.trim() !== "");
  return line?.trim().slice(0, 200) ?? null;
}
