import { rm } from "node:fs/promises";
import { ownedTempDir, type UserIds } from "./run-cli.js";

/**
 * What an agent's commands can see, for the proxy tests: their own
 * environment, and the `names` in every process environment they may read
 * (the CLI's own included).
 */
export function lookAround(names: readonly string[]): string {
  return [
    "env | sort",
    "echo '--- readable environments'",
    `cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -aE '^(${names.join("|")})=' | sort -u`,
  ].join("; ");
}

/** Temporary folders owned by `user`, all removed by `removeAll`. */
export function tempDirs(user: UserIds | undefined) {
  const made: string[] = [];
  return {
    async make(prefix: string): Promise<string> {
      const dir = await ownedTempDir(prefix, user);
      made.push(dir);
      return dir;
    },
    /** Removes `dir` too, made some other way. */
    adopt(dir: string): void {
      made.push(dir);
    },
    async removeAll(): Promise<void> {
      for (const dir of made.splice(0))
        await rm(dir, { recursive: true, force: true });
    },
  };
}
