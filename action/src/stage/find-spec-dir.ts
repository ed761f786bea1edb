import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Changes } from "../../../src/contracts/changes.js";
import type { StageRequest } from "../../../src/contracts/stage-request.js";

/**
 * The Spec Kit feature directory the stage used or made: the request's,
 * else `.specify/feature.json`'s (git-ignored, written by Spec Kit's
 * scripts), else the folder of a `specs/<name>/spec.md` among the outputs
 * and the changed files.
 */
export async function findSpecDir(
  request: StageRequest,
  cwd: string,
  outputs: Record<string, unknown>,
  changes: Changes,
): Promise<string | null> {
  if (request.spec_dir) return request.spec_dir;
  try {
    const feature = JSON.parse(
      await readFile(join(cwd, ".specify/feature.json"), "utf8"),
    ) as { feature_directory?: unknown };
    if (
      typeof feature.feature_directory === "string" &&
      (await stat(join(cwd, feature.feature_directory))).isDirectory()
    ) {
      return feature.feature_directory.replace(/^\.\//, "").replace(/\/$/, "");
    }
  } catch {
    // No feature.json (it is git-ignored, and only Spec Kit's scripts write it).
  }
  const paths = [
    ...Object.values(outputs).filter((v): v is string => typeof v === "string"),
    ...changes.files.map((f) => f.path),
  ];
  for (const path of paths) {
    const match = /^(specs\/[^/]+)\/spec\.md$/.exec(path);
    if (match?.[1]) return match[1];
  }
  return null;
}
