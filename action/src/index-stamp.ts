import { stat } from "node:fs/promises";
import { join } from "node:path";
import { gitDirectory } from "./git.js";

/**
 * What tells the checkout's index file as it is now from any later one:
 * git never edits the file in place (it writes `index.lock` and renames it
 * over), so a different stamp means someone wrote the index. Null when
 * there is no index to stamp.
 */
export async function readIndexStamp(cwd: string): Promise<string | null> {
  try {
    const info = await stat(join(await gitDirectory(cwd), "index"), {
      bigint: true,
    });
    return `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
  } catch {
    return null;
  }
}
