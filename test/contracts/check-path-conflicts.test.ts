import { describe, expect, it } from "vitest";
import type { ChangedFile } from "../../src/contracts/changes.js";
import { checkPathConflicts } from "../../src/contracts/check-path-conflicts.js";
import { textFile } from "../support/bundle.js";

function symlink(path: string, target: string): ChangedFile {
  return { path, mode: "120000", encoding: "utf8", content: target };
}

function deleted(path: string): ChangedFile {
  return { path, deleted: true };
}

describe("checkPathConflicts", () => {
  it.each<[string, ChangedFile[]]>([
    ["nothing", []],
    [
      "nested files",
      [textFile("a/b/c.md", ""), textFile("a/b/d.md", ""), textFile("a/e", "")],
    ],
    ["a rename", [deleted("old.md"), textFile("new.md", "")]],
    ["a rename into a folder", [deleted("a.md"), textFile("docs/a.md", "")]],
    ["a deleted file and a sibling", [deleted("a/x.md"), textFile("a/y", "")]],
    [
      "a rename in case only",
      [deleted("README.md"), textFile("Readme.md", "")],
    ],
    ["a link to a sibling", [symlink("a/l", "f.md"), textFile("a/f.md", "")]],
    [
      "a link and a file beside its target",
      [symlink("l", "d"), textFile("d/x", "")],
    ],
    ["names that only start alike", [textFile("a", ""), textFile("ab/c", "")]],
    [
      "folders that differ in case (they merge, nothing is lost)",
      [textFile("Docs/a.md", ""), textFile("docs/b.md", "")],
    ],
    // How `git diff` lists a folder that became a file or a link.
    ["deleting below a written file", [deleted("a/b"), textFile("a", "")]],
    ["deleting below a written link", [deleted("l/x"), symlink("l", "d")]],
    ["deleting below a deleted path", [deleted("a"), deleted("a/b")]],
    // Reported by checkChanges as listed twice.
    ["a path listed twice", [textFile("a.md", ""), textFile("a.md", "")]],
  ])("accepts %s", (_, files) => {
    expect(checkPathConflicts(files)).toEqual([]);
  });

  it.each<[string, ChangedFile[], string]>([
    [
      "a file and a file inside it",
      [textFile("a", ""), textFile("a/b", "")],
      "changes.json: 'a/b' is written inside 'a', which is written as a file",
    ],
    [
      "a file inside a file, listed first",
      [textFile("a/b/c/d", ""), textFile("a/b", "")],
      "changes.json: 'a/b/c/d' is written inside 'a/b', which is written as a file",
    ],
    [
      "a deleted path and a file inside it",
      [deleted("a"), textFile("a/b", "")],
      "changes.json: 'a/b' is written inside 'a', which is deleted",
    ],
    [
      "a symbolic link and a file below it",
      [symlink("l", "../.."), textFile("l/x", "")],
      "changes.json: 'l/x' is written inside 'l', which is a symbolic link (a checkout would write through it)",
    ],
    [
      "a symbolic link and a link below it",
      [symlink("l", "d"), symlink("l/m", "..")],
      "changes.json: 'l/m' is written inside 'l', which is a symbolic link (a checkout would write through it)",
    ],
    [
      "a symbolic link and a file below it in another case",
      [symlink("L", "d"), textFile("l/x", "")],
      "changes.json: 'l/x' is written inside 'L', which is a symbolic link (a checkout would write through it)",
    ],
    [
      "a file and a file inside it in another case",
      [textFile("A", ""), textFile("a/b", "")],
      "changes.json: 'a/b' is written inside 'A', which is written as a file",
    ],
  ])("refuses %s", (_, files, problem) => {
    expect(checkPathConflicts(files)).toEqual([problem]);
  });

  it.each<[string, ChangedFile[], string]>([
    [
      "in case",
      [textFile("Readme.md", ""), textFile("README.md", "")],
      "'Readme.md' and 'README.md'",
    ],
    [
      "in case, three of them",
      [textFile("a.md", ""), textFile("A.md", ""), symlink("A.MD", "x")],
      "'a.md', 'A.md' and 'A.MD'",
    ],
    [
      "in a folder's case",
      [textFile("Docs/a.md", ""), textFile("docs/a.md", "")],
      "'Docs/a.md' and 'docs/a.md'",
    ],
    [
      "in Unicode normalisation (NFC and NFD, one name on macOS)",
      [textFile("caf\u00e9.md", ""), textFile("cafe\u0301.md", "")],
      "'caf\u00e9.md' and 'cafe\u0301.md'",
    ],
    [
      "by a code point HFS+ ignores",
      [textFile("a\u200c.md", ""), textFile("a.md", "")],
      "'a\u200c.md' and 'a.md'",
    ],
  ])("refuses paths that differ only %s", (_, files, paths) => {
    expect(checkPathConflicts(files)).toEqual([
      `changes.json: ${paths} are one path on file systems that ignore case (macOS, Windows)`,
    ]);
  });

  it("reports each pair once, however often it is listed", () => {
    expect(
      checkPathConflicts([
        textFile("a", ""),
        textFile("a/b", ""),
        textFile("a/b", ""),
        deleted("a/b/c"),
      ]),
    ).toEqual([
      "changes.json: 'a/b' is written inside 'a', which is written as a file",
    ]);
  });

  it("takes time in proportion to the paths' length", () => {
    const deep = Array.from({ length: 1000 }, () => "d").join("/");
    const files = Array.from({ length: 2000 }, (_, i) =>
      textFile(`${deep}/${i}`, ""),
    );
    const started = performance.now();
    expect(checkPathConflicts(files)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
