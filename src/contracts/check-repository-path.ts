import { IGNORED_BY_HFS } from "./fold-path.js";

/**
 * A name some file system takes for `.git`: any case; HFS+'s ignored code
 * points; NTFS's trailing dots and spaces, its 8.3 short name `git~1` and
 * its alternate data streams (`.git::$INDEX_ALLOCATION`) — as git's own
 * `is_ntfs_dotgit` and `is_hfs_dotgit` refuse them.
 */
function namesDotGit(segment: string): boolean {
  const name = segment.replace(IGNORED_BY_HFS, "").toLowerCase();
  return /^(?:\.git|git~1)[. ]*(?::.*)?$/.test(name);
}

/** The longest name Linux, macOS and Windows file systems all take. */
const MAX_SEGMENT_BYTES = 255;

/**
 * Why a path cannot be written to the repository, or undefined when it can:
 * relative, `/`-separated, without `.`, `..` or empty segments, nothing in
 * `.git` on any file system, no NUL, no name over 255 bytes.
 */
export function checkRepositoryPath(path: string): string | undefined {
  if (path.length === 0) return "the path is empty";
  if (path.length > 4096) return "the path is longer than 4096 characters";
  if (path.includes("\0")) return "the path contains a NUL character";
  if (path.includes("\\")) return "the path contains a backslash";
  if (path.startsWith("/")) return "the path is absolute";
  const segments = path.split("/");
  for (const segment of segments) {
    if (segment === "") return "the path has an empty segment";
    if (segment === "." || segment === "..") {
      return `the path has a '${segment}' segment`;
    }
    if (namesDotGit(segment)) return "the path is inside .git";
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) {
      return `the path has a name longer than ${MAX_SEGMENT_BYTES} bytes`;
    }
  }
  return undefined;
}
