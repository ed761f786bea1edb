import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let found: string | undefined;

/**
 * The package's own folder (where package.json and migrations/ are): run
 * from source by tsx it is two levels above this file, compiled into
 * dist/src/ three. The first folder above with Specwright's package.json.
 */
export function packageRoot(): string {
  if (found !== undefined) return found;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (
      existsSync(join(dir, "package.json")) &&
      existsSync(join(dir, "migrations"))
    ) {
      found = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error("specwright: cannot find the package's own folder");
    dir = parent;
  }
}
