import type { ChangedFile } from "./changes.js";
import { foldPath } from "./fold-path.js";
import { buildPathTree } from "./path-tree.js";

function quoted(paths: readonly string[]): string {
  const names = paths.map((path) => `'${path}'`);
  return names.length === 1
    ? (names[0] ?? "")
    : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

function whatIs(file: ChangedFile): string {
  if ("deleted" in file) return "is deleted";
  return file.mode === "120000"
    ? "is a symbolic link (a checkout would write through it)"
    : "is written as a file";
}

/**
 * The changed paths (each a valid repository path) that cannot all be
 * written in one checkout: files that are one path on macOS and Windows,
 * which ignore case (a deleted path and a written one may differ only in
 * case: that is a rename), and anything written inside another path the
 * bundle lists — below a file, below a deleted path, or through a symbolic
 * link. Deleting below a written path is left alone: that is how a folder
 * that became a file is listed. Paths are compared as {@link foldPath}
 * folds them; a path listed twice is reported elsewhere.
 */
export function checkPathConflicts(files: readonly ChangedFile[]): string[] {
  const problems: string[] = [];
  const written = files.filter((file) => !("deleted" in file));

  const byFold = new Map<string, string[]>();
  for (const file of written) {
    const fold = foldPath(file.path);
    const paths = byFold.get(fold) ?? [];
    if (!paths.includes(file.path)) paths.push(file.path);
    byFold.set(fold, paths);
  }
  for (const paths of byFold.values()) {
    if (paths.length > 1) {
      problems.push(
        `changes.json: ${quoted(paths)} are one path on file systems that ignore case (macOS, Windows)`,
      );
    }
  }

  const tree = buildPathTree(files, (file) => file.path);
  const reported = new Set<string>();
  for (const file of written) {
    let node = tree;
    for (const name of foldPath(file.path).split("/").slice(0, -1)) {
      const child = node.children.get(name);
      if (child === undefined) break;
      node = child;
      for (const above of node.entries) {
        const problem = `changes.json: '${file.path}' is written inside '${above.path}', which ${whatIs(above)}`;
        if (!reported.has(problem)) problems.push(problem);
        reported.add(problem);
      }
    }
  }
  return problems;
}
