import type { CheckConfigResult } from "../config/check-config.js";
import { loadConfig } from "../config/load-config.js";
import { type CliIo, UsageError } from "./io.js";

/** The file commands read when none is named. */
export const DEFAULT_CONFIG_FILE = ".github/specwright.yml";

/**
 * Reads and checks a configuration file; an unreadable file is a usage
 * error. Without a file argument, a repository that has no
 * `.github/specwright.yml` gets the defaults, as the App would give it.
 */
export async function readConfigFile(
  io: CliIo,
  named: string | undefined,
): Promise<CheckConfigResult> {
  const file = named ?? DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (named === undefined && code === "ENOENT") {
      io.stderr(
        `specwright: no ${DEFAULT_CONFIG_FILE} here; using the defaults\n`,
      );
      return loadConfig("");
    }
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES"
            ? "permission denied"
            : (error as Error).message;
    throw new UsageError(`cannot read ${file}: ${reason}`);
  }
  return loadConfig(text);
}
