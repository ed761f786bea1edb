import { BUNDLE_LIMITS } from "./bundle-limits.js";
import type { ChangedFile, Changes } from "./changes.js";
import { checkPathConflicts } from "./check-path-conflicts.js";
import { checkRepositoryPath } from "./check-repository-path.js";
import { checkSymlinks, type SymbolicLink } from "./check-symlinks.js";
import { matchProtectedPaths } from "./match-protected-paths.js";

function decodedSize(file: {
  encoding: "utf8" | "base64";
  content: string;
}): number {
  if (file.encoding === "utf8") return Buffer.byteLength(file.content, "utf8");
  const padding = file.content.endsWith("==")
    ? 2
    : file.content.endsWith("=")
      ? 1
      : 0;
  return (file.content.length / 4) * 3 - padding;
}

/** Canonical base64, as encoders write it: whole quanta, padding only at the end. */
function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

/**
 * Every problem with a bundle's changed files, each naming its path: the
 * count, each path (see {@link checkRepositoryPath}), protected paths (see
 * {@link matchProtectedPaths}), sizes and base64, then where symbolic links
 * lead (see {@link checkSymlinks}) and paths that clash in one checkout
 * (see {@link checkPathConflicts}).
 */
export function checkChanges(
  files: Changes["files"],
  protectedPaths: readonly string[],
): string[] {
  const problems: string[] = [];
  if (files.length > BUNDLE_LIMITS.files) {
    problems.push(
      `changes.json lists ${files.length} files, over ${BUNDLE_LIMITS.files}`,
    );
  }
  const whyProtected = matchProtectedPaths(protectedPaths);
  const seen = new Set<string>();
  const writable: ChangedFile[] = [];
  const links: SymbolicLink[] = [];
  for (const file of files) {
    const reason = checkRepositoryPath(file.path);
    if (reason !== undefined) {
      problems.push(`changes.json: '${file.path}': ${reason}`);
      continue;
    }
    writable.push(file);
    if (seen.has(file.path))
      problems.push(`changes.json: '${file.path}' is listed twice`);
    seen.add(file.path);
    const protection = whyProtected(file.path);
    if (protection !== undefined) {
      problems.push(`changes.json: '${file.path}' ${protection}`);
    }
    if ("content" in file) {
      const valid = file.encoding === "utf8" || isBase64(file.content);
      const size = valid ? decodedSize(file) : 0;
      if (size > BUNDLE_LIMITS.fileBytes) {
        problems.push(
          `changes.json: '${file.path}' is ${size} bytes, over ${BUNDLE_LIMITS.fileBytes}`,
        );
      }
      if (!valid) {
        problems.push(`changes.json: '${file.path}' is not valid base64`);
      } else if (file.mode === "120000") {
        const target =
          file.encoding === "base64"
            ? Buffer.from(file.content, "base64").toString("utf8")
            : file.content;
        links.push({ path: file.path, target });
      }
    }
  }
  problems.push(...checkSymlinks(links), ...checkPathConflicts(writable));
  return problems;
}
