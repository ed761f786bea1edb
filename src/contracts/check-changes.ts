import { posix } from "node:path";
import picomatch from "picomatch";
import { BUNDLE_LIMITS } from "./bundle-limits.js";
import type { Changes } from "./changes.js";
import { checkRepositoryPath } from "./check-repository-path.js";

/** A symbolic link's target, resolved from its directory, stays in the repository. */
function linkStaysInside(link: string, target: string): boolean {
  if (target.startsWith("/") || target.includes("\0")) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(link), target));
  return (
    resolved !== ".." &&
    !resolved.startsWith("../") &&
    checkRepositoryPath(resolved) === undefined
  );
}

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
 * count, each path (see {@link checkRepositoryPath}), protected paths,
 * sizes, base64 and where symbolic links point.
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
  const isProtected = picomatch(protectedPaths as string[], {
    dot: true,
  });
  const seen = new Set<string>();
  for (const file of files) {
    const reason = checkRepositoryPath(file.path);
    if (reason !== undefined) {
      problems.push(`changes.json: '${file.path}': ${reason}`);
      continue;
    }
    if (seen.has(file.path))
      problems.push(`changes.json: '${file.path}' is listed twice`);
    seen.add(file.path);
    if (protectedPaths.length > 0 && isProtected(file.path)) {
      problems.push(
        `changes.json: '${file.path}' is a protected path (protected_paths in .github/specwright.yml)`,
      );
    }
    if ("content" in file) {
      const valid = file.encoding === "utf8" || isBase64(file.content);
      const size = valid ? decodedSize(file) : 0;
      if (size > BUNDLE_LIMITS.fileBytes) {
        problems.push(
          `changes.json: '${file.path}' is ${size} bytes, over ${BUNDLE_LIMITS.fileBytes}`,
        );
      }
      if (file.encoding === "base64" && !valid) {
        problems.push(`changes.json: '${file.path}' is not valid base64`);
      }
      const target =
        file.encoding === "base64" && valid
          ? Buffer.from(file.content, "base64").toString("utf8")
          : file.content;
      if (file.mode === "120000" && !linkStaysInside(file.path, target)) {
        problems.push(
          `changes.json: the symbolic link '${file.path}' points outside the repository`,
        );
      }
    }
  }
  return problems;
}
