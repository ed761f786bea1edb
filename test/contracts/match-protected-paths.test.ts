import { describe, expect, it } from "vitest";
import { matchProtectedPaths } from "../../src/contracts/match-protected-paths.js";

const PROTECTED =
  "is a protected path (protected_paths in .github/specwright.yml)";

function above(glob: string): string {
  return `holds the protected '${glob}' (protected_paths in .github/specwright.yml): writing or deleting it would take them with it`;
}

describe("matchProtectedPaths", () => {
  const workflows = matchProtectedPaths([".github/workflows/**"]);

  it.each([
    ".github/workflows/ci.yml",
    ".github/workflows",
    ".github/workflows/sub/.hidden.yml",
    // Issue 11, item 7: the same folder on macOS and Windows.
    ".github/Workflows/x.yml",
    ".GITHUB/workflows/x.yml",
    ".GitHub/WORKFLOWS/CI.YML",
    ".GITHUB/WORKFLOWS",
    // HFS+ ignores the zero-width non-joiner: `.github` on a Mac.
    ".github\u200c/workflows/x.yml",
  ])("refuses %s", (path) => {
    expect(workflows(path)).toBe(PROTECTED);
  });

  // A file or a deletion at `.github` replaces the whole folder in the
  // tree the App writes, workflows included.
  it.each([".github", ".GitHub"])(
    "refuses %s, above the protected folder",
    (path) => {
      expect(workflows(path)).toBe(above(".github/workflows/**"));
    },
  );

  it.each([
    ".github/specwright.yml",
    ".github/workflows-docs/a.md",
    "docs/.github/workflows/ci.yml",
    ".githubx",
    "github/workflows/ci.yml",
    ".github/workflow/ci.yml",
  ])("accepts %s", (path) => {
    expect(workflows(path)).toBeUndefined();
  });

  it("refuses the folder of a plain path, and matches globs in any case", () => {
    const check = matchProtectedPaths([".github/CODEOWNERS", "**/*.pem"]);
    expect(check(".github/codeowners")).toBe(PROTECTED);
    expect(check(".github")).toBe(above(".github/CODEOWNERS"));
    expect(check("keys/Deploy.PEM")).toBe(PROTECTED);
    // `**/*.pem` has no fixed folder: nothing is above it.
    expect(check("keys")).toBeUndefined();
  });

  it("refuses a glob's fixed folder itself", () => {
    const check = matchProtectedPaths([".github/workflows/*.yml"]);
    expect(check(".github/workflows/ci.yml")).toBe(PROTECTED);
    expect(check(".github/Workflows")).toBe(above(".github/workflows/*.yml"));
    expect(check(".github")).toBe(above(".github/workflows/*.yml"));
    expect(check(".github/workflows/notes.md")).toBeUndefined();
  });

  it("protects nothing when there are no globs", () => {
    const check = matchProtectedPaths([]);
    expect(check(".github/workflows/ci.yml")).toBeUndefined();
    expect(check(".github")).toBeUndefined();
  });
});
