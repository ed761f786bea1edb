import { describe, expect, it } from "vitest";
import { checkRepositoryPath } from "../../src/contracts/check-repository-path.js";

describe("checkRepositoryPath", () => {
  it.each([
    "README.md",
    "specs/001-dark-mode/spec.md",
    ".github/specwright.yml",
    ".gitignore",
    ".gitattributes",
    "docs/.git-blame-ignore-revs",
    "a/.gitkeep",
    "my.git/config",
    "git/config",
    "...",
    "..a/b",
    "a/b..",
    ".hidden/file",
    "dir with spaces/file name.txt",
    "ünïcödé/文件.md",
    "a:b/c*d?",
  ])("accepts %s", (path) => {
    expect(checkRepositoryPath(path)).toBeUndefined();
  });

  it("accepts a path of exactly 4096 characters, and a name of 255 bytes", () => {
    const path = Array.from({ length: 17 }, () => "x".repeat(240)).join("/");
    expect(path).toHaveLength(4096);
    expect(checkRepositoryPath(path)).toBeUndefined();
    expect(checkRepositoryPath("x".repeat(255))).toBeUndefined();
    expect(checkRepositoryPath("é".repeat(127))).toBeUndefined();
  });

  // What other file systems take for .git, as git itself refuses them
  // (is_ntfs_dotgit, is_hfs_dotgit): a checkout on Windows or a Mac would
  // write into the repository's own .git.
  it.each<[string, string]>([
    ["NTFS: a trailing dot", ".git./hooks/pre-commit"],
    ["NTFS: trailing spaces", ".git  /config"],
    ["NTFS: dots and spaces", "a/.git. ."],
    ["NTFS: the 8.3 short name", "git~1/hooks/post-checkout"],
    ["NTFS: the short name in another case", "GIT~1/config"],
    ["NTFS: an alternate data stream", ".git::$INDEX_ALLOCATION/config"],
    ["HFS+: a zero-width joiner", ".Git\u200d/config"],
    ["HFS+: a zero-width non-joiner inside", ".g\u200cit/hooks/x"],
    ["HFS+: a byte-order mark", "\ufeff.git/config"],
  ])("refuses %s", (_, path) => {
    expect(checkRepositoryPath(JSON.parse(`"${path}"`))).toBe(
      "the path is inside .git",
    );
  });

  it.each(["git~2/x", ".git.d/x", ".gitx", "git~1x", ".git-blame"])(
    "accepts %s, which no file system takes for .git",
    (path) => {
      expect(checkRepositoryPath(path)).toBeUndefined();
    },
  );

  it.each([
    ["256 ASCII bytes", `a/${"x".repeat(256)}`],
    ["128 two-byte characters", `${"é".repeat(128)}/b`],
  ])("refuses a name over 255 bytes: %s", (_, path) => {
    expect(checkRepositoryPath(path)).toBe(
      "the path has a name longer than 255 bytes",
    );
  });

  it.each<[string, string, string]>([
    ["empty", "", "the path is empty"],
    ["a NUL", "a\0b", "the path contains a NUL character"],
    ["a NUL at the end", "README.md\0", "the path contains a NUL character"],
    ["a backslash", "a\\b", "the path contains a backslash"],
    ["a Windows path", "..\\..\\etc", "the path contains a backslash"],
    ["absolute", "/etc/passwd", "the path is absolute"],
    ["the root", "/", "the path is absolute"],
    ["a double slash", "a//b", "the path has an empty segment"],
    ["a trailing slash", "a/b/", "the path has an empty segment"],
    ["'.'", ".", "the path has a '.' segment"],
    ["a leading './'", "./a", "the path has a '.' segment"],
    ["a '.' segment", "a/./b", "the path has a '.' segment"],
    ["'..'", "..", "the path has a '..' segment"],
    ["a leading '../'", "../outside", "the path has a '..' segment"],
    ["'..' in the middle", "a/../../b", "the path has a '..' segment"],
    ["'..' at the end", "a/b/..", "the path has a '..' segment"],
    [".git", ".git", "the path is inside .git"],
    ["in .git", ".git/config", "the path is inside .git"],
    ["in .git/hooks", ".git/hooks/pre-commit", "the path is inside .git"],
    ["a nested .git", "vendor/lib/.git/HEAD", "the path is inside .git"],
    ["a .git file at the end", "sub/.git", "the path is inside .git"],
    ["upper-case .GIT", ".GIT/config", "the path is inside .git"],
    [
      "mixed-case .Git",
      "a/.Git/hooks/post-checkout",
      "the path is inside .git",
    ],
    ["mixed-case .gIT", "a/.gIT", "the path is inside .git"],
    [
      "over 4096 characters",
      "x".repeat(4097),
      "the path is longer than 4096 characters",
    ],
    [
      "long and with a NUL (length first)",
      `${"a/".repeat(2049)}\0`,
      "the path is longer than 4096 characters",
    ],
    ["a NUL before a backslash", "\0\\", "the path contains a NUL character"],
    ["a backslash before '/'", "\\/a", "the path contains a backslash"],
  ])("refuses %s", (_, path, reason) => {
    expect(checkRepositoryPath(path)).toBe(reason);
  });
});
