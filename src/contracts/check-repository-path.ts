/**
 * Why a path cannot be written to the repository, or undefined when it can:
 * relative, `/`-separated, without `.`, `..` or empty segments, nothing in
 * `.git`, no NUL.
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
    if (segment.toLowerCase() === ".git") return "the path is inside .git";
  }
  return undefined;
}
