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

  it("accepts a path of exactly 4096 characters", () => {
    expect(checkRepositoryPath(`a/${"x".repeat(4094)}`)).toBeUndefined();
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
