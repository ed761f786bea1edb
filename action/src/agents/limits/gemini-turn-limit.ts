import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  asRoot,
  asRootOrThrow,
  type Privilege,
} from "../isolation/agent-user.js";
import { isObject } from "../output/json.js";

const SYSTEM_SETTINGS = "GEMINI_CLI_SYSTEM_SETTINGS_PATH";
const SYSTEM_DEFAULTS = "GEMINI_CLI_SYSTEM_DEFAULTS_PATH";
const DEFAULT_SYSTEM_SETTINGS = "/etc/gemini-cli/settings.json";

/** Folders only root can write, to hold the run's system settings. */
const SECURE_PARENTS = ["/run", "/etc"];

/** Gemini CLI reads a system settings file only when root owns it and each folder above it, and no one else can write them. */
async function onlyRootWrites(path: string): Promise<boolean> {
  for (let at = path; ; at = dirname(at)) {
    const info = await lstat(at).catch(() => undefined);
    if (!info?.isDirectory() || info.uid !== 0 || (info.mode & 0o022) !== 0)
      return false;
    if (dirname(at) === at) return true;
  }
}

/** The runner's system settings, to be kept; a warning when they are not plain JSON. */
async function runnerSettings(
  path: string,
): Promise<Record<string, unknown> | string> {
  if (!existsSync(path)) return {};
  try {
    const value: unknown = JSON.parse(await readFile(path, "utf8"));
    if (isObject(value)) return value;
  } catch {
    // Said below.
  }
  return `Gemini CLI's turn limit is not set: its system settings ${path} are not plain JSON the action can add model.maxSessionTurns to`;
}

export type GeminiTurnLimit =
  | { env: Record<string, string>; remove(): Promise<void> }
  | { warning: string };

/**
 * Gemini CLI's own turn limit, `model.maxSessionTurns` (it stops with
 * FatalTurnLimitedError, exit 53, before the turn past it), set in a
 * system settings file of the run's own, which wins over the user's and
 * the project's. Gemini CLI skips a system settings file that someone
 * other than root could have written, so it goes in a folder of its own
 * under /run or /etc, made as root: it needs the root or sudo that
 * agent isolation needs. The runner's system settings (its
 * GEMINI_CLI_SYSTEM_SETTINGS_PATH, else /etc/gemini-cli/settings.json)
 * are copied into it, and its system defaults stay where they were.
 */
export async function geminiTurnLimit(options: {
  maxTurns: number;
  env: NodeJS.ProcessEnv;
  privilege: Privilege | undefined;
}): Promise<GeminiTurnLimit> {
  if (!options.privilege)
    return {
      warning:
        "Gemini CLI's turn limit is not set: it reads it only from a settings file in a folder only root can write, and the action has neither root nor sudo here",
    };
  const original =
    options.env[SYSTEM_SETTINGS]?.trim() || DEFAULT_SYSTEM_SETTINGS;
  const settings = await runnerSettings(original);
  if (typeof settings === "string") return { warning: settings };
  let parent: string | undefined;
  for (const candidate of SECURE_PARENTS)
    if (await onlyRootWrites(candidate)) {
      parent = candidate;
      break;
    }
  if (!parent)
    return {
      warning: `Gemini CLI's turn limit is not set: none of ${SECURE_PARENTS.join(", ")} is a folder only root can write`,
    };
  const model = isObject(settings.model) ? settings.model : {};
  const id = randomBytes(6).toString("hex");
  const draft = join(tmpdir(), `specwright-gemini-settings-${id}.json`);
  const dir = join(parent, `specwright-gemini-${id}`);
  const path = join(dir, "settings.json");
  await writeFile(
    draft,
    JSON.stringify({
      ...settings,
      model: { ...model, maxSessionTurns: options.maxTurns },
    }),
  );
  const root = ["-o", "root", "-g", "root"];
  try {
    await asRootOrThrow(options.privilege, "install", [
      "-d",
      "-m",
      "755",
      ...root,
      dir,
    ]);
    await asRootOrThrow(options.privilege, "install", [
      "-m",
      "644",
      ...root,
      draft,
      path,
    ]);
  } catch (error) {
    await asRoot(options.privilege, "rm", ["-rf", dir]);
    return {
      warning: `Gemini CLI's turn limit is not set: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    await rm(draft, { force: true });
  }
  const privilege = options.privilege;
  return {
    env: {
      [SYSTEM_SETTINGS]: path,
      [SYSTEM_DEFAULTS]:
        options.env[SYSTEM_DEFAULTS]?.trim() ||
        join(dirname(original), "system-defaults.json"),
    },
    remove: async () => {
      await asRoot(privilege, "rm", ["-rf", dir]);
    },
  };
}
