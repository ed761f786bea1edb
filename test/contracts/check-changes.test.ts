import { describe, expect, it } from "vitest";
import type { ChangedFile } from "../../src/contracts/changes.js";
import { checkChanges } from "../../src/contracts/check-changes.js";
import {
  BundleError,
  type BundleExpectation,
  readResultBundle,
} from "../../src/contracts/read-result-bundle.js";
import { buildBundle, textFile } from "../support/bundle.js";

const RUN_ID = "6f1c2a9e-4b7d-4e8a-9c3f-2d5e8a1b7c40";
const SHA = "0123456789abcdef0123456789abcdef01234567";
const WORKFLOWS = [".github/workflows/**"];

const EXPECTED: BundleExpectation = {
  run_id: RUN_ID,
  stage: "plan",
  attempt: 1,
  base_sha: SHA,
  protected_paths: WORKFLOWS,
};

function symlink(path: string, target: string): ChangedFile {
  return { path, mode: "120000", encoding: "utf8", content: target };
}

function deleted(path: string): ChangedFile {
  return { path, deleted: true };
}

/** The bundle zip a stage would upload with `files` as its changes. */
function bundle(files: ChangedFile[]): Uint8Array {
  return buildBundle({ runId: RUN_ID, stage: "plan", baseSha: SHA, files });
}

/** The problems `readResultBundle` refuses the bundle with; fails if it accepts. */
async function refusal(files: ChangedFile[]): Promise<string[]> {
  try {
    await readResultBundle(bundle(files), EXPECTED);
  } catch (error) {
    if (error instanceof BundleError) return error.problems;
    throw error;
  }
  throw new Error("expected a BundleError, but the bundle was accepted");
}

// Issue 11, items 5 and 7: each bundle as an attacker would upload it.
describe("readResultBundle refuses, through checkChanges", () => {
  it("a chain of symbolic links that leaves the repository", async () => {
    // s is m; t is s/../../.., that is m/../../.. — two levels above the
    // root, though each link looks inside on paper.
    expect(
      await refusal([
        symlink("x/y/z/s", "../../../m"),
        symlink("x/y/z/t", "s/../../.."),
      ]),
    ).toEqual([
      "changes.json: the symbolic link 'x/y/z/t' points outside the repository through the symbolic link 'x/y/z/s'",
    ]);
  });

  it("the same chain with the first link already in the repository", async () => {
    expect(await refusal([symlink("x/y/z/t", "s/../../..")])).toEqual([
      "changes.json: the symbolic link 'x/y/z/t' has a '..' after a name in its target 's/../../..': the name may be a symbolic link, so where it leads cannot be checked (put every '..' first)",
    ]);
  });

  it("two symbolic links to each other", async () => {
    expect(await refusal([symlink("a", "b"), symlink("b", "a")])).toEqual([
      "changes.json: the symbolic link 'a' leads into a loop of symbolic links",
      "changes.json: the symbolic link 'b' leads into a loop of symbolic links",
    ]);
  });

  it("a file written through a symbolic link of the bundle", async () => {
    expect(
      await refusal([symlink("l", "../.."), textFile("l/passwd", "x")]),
    ).toEqual([
      "changes.json: the symbolic link 'l' points outside the repository",
      "changes.json: 'l/passwd' is written inside 'l', which is a symbolic link (a checkout would write through it)",
    ]);
  });

  it("a file written through a symbolic link to a protected folder", async () => {
    expect(
      await refusal([
        symlink("ci", ".github/workflows"),
        textFile("ci/deploy.yml", "on: push"),
      ]),
    ).toEqual([
      "changes.json: 'ci/deploy.yml' is written inside 'ci', which is a symbolic link (a checkout would write through it)",
    ]);
  });

  it("a path written as a file and as a folder", async () => {
    expect(await refusal([textFile("a", "x"), textFile("a/b", "y")])).toEqual([
      "changes.json: 'a/b' is written inside 'a', which is written as a file",
    ]);
  });

  it("a deleted path with a file written inside it", async () => {
    expect(await refusal([deleted("a"), textFile("a/b", "y")])).toEqual([
      "changes.json: 'a/b' is written inside 'a', which is deleted",
    ]);
  });

  it("two files whose paths differ only in case", async () => {
    expect(
      await refusal([textFile("Readme.md", "a"), textFile("README.md", "b")]),
    ).toEqual([
      "changes.json: 'Readme.md' and 'README.md' are one path on file systems that ignore case (macOS, Windows)",
    ]);
  });

  it.each([".github/Workflows/x.yml", ".GITHUB/workflows/x.yml"])(
    "a protected path in another case: %s",
    async (path) => {
      expect(await refusal([textFile(path, "on: push")])).toEqual([
        `changes.json: '${path}' is a protected path (protected_paths in .github/specwright.yml)`,
      ]);
    },
  );

  it("a file written over the folder of the protected paths", async () => {
    expect(await refusal([textFile(".github", "x")])).toEqual([
      "changes.json: '.github' holds the protected '.github/workflows/**' (protected_paths in .github/specwright.yml): writing or deleting it would take them with it",
    ]);
  });
});

describe("readResultBundle still accepts", () => {
  it.each<[string, ChangedFile[]]>([
    [
      "ordinary nested files",
      [
        textFile("specs/001-dark-mode/spec.md", "# Spec\n"),
        textFile("specs/001-dark-mode/contracts/api.md", "x"),
        textFile("src/a/b/c/d.ts", "x"),
        textFile(".github/specwright.yml", "x"),
      ],
    ],
    [
      "a symbolic link to a sibling file",
      [textFile("docs/guide.md", "x"), symlink("docs/readme.md", "guide.md")],
    ],
    [
      "a symbolic link to a file elsewhere",
      [symlink("docs/latest", "../specs/001-dark-mode")],
    ],
    [
      "symbolic links through each other, inside",
      [symlink("a/s", "../b"), symlink("a/t", "s/c")],
    ],
    ["a rename", [deleted("docs/old.md"), textFile("docs/new.md", "x")]],
    [
      "a rename in case only",
      [deleted("README.md"), textFile("Readme.md", "x")],
    ],
    [
      "a deleted file and a written sibling",
      [deleted("specs/a/draft.md"), textFile("specs/a/plan.md", "x")],
    ],
    [
      "a folder that became a file, as git diff lists it",
      [deleted("notes/a.md"), deleted("notes/b.md"), textFile("notes", "x")],
    ],
  ])("%s", async (_, files) => {
    const read = await readResultBundle(bundle(files), EXPECTED);
    expect(read.changes.files).toEqual(files);
  });
});

describe("checkChanges", () => {
  it("accepts nothing changed", () => {
    expect(checkChanges([], WORKFLOWS)).toEqual([]);
  });

  it("checks links and clashes only between valid paths", () => {
    expect(
      checkChanges(
        [
          symlink("../l", "x"),
          textFile("../l/x", "y"),
          symlink("a", "b"),
          symlink("b", "a"),
        ],
        WORKFLOWS,
      ),
    ).toEqual([
      "changes.json: '../l': the path has a '..' segment",
      "changes.json: '../l/x': the path has a '..' segment",
      "changes.json: the symbolic link 'a' leads into a loop of symbolic links",
      "changes.json: the symbolic link 'b' leads into a loop of symbolic links",
    ]);
  });

  it("reads a link's target from base64", () => {
    const target = (text: string): ChangedFile => ({
      path: "x/y/z/t",
      mode: "120000",
      encoding: "base64",
      content: Buffer.from(text).toString("base64"),
    });
    expect(
      checkChanges(
        [symlink("x/y/z/s", "../../../m"), target("s/../../..")],
        [],
      ),
    ).toEqual([
      "changes.json: the symbolic link 'x/y/z/t' points outside the repository through the symbolic link 'x/y/z/s'",
    ]);
  });

  it("does not read a link whose base64 is invalid, which is refused", () => {
    const link: ChangedFile = {
      path: "l",
      mode: "120000",
      encoding: "base64",
      content: "../..",
    };
    expect(checkChanges([link], [])).toEqual([
      "changes.json: 'l' is not valid base64",
    ]);
  });

  it("lists path problems, then links, then clashes", () => {
    expect(
      checkChanges(
        [
          textFile("A.md", "x"),
          symlink("out", ".."),
          textFile("a.md", "y"),
          textFile(".github/Workflows/ci.yml", "z"),
        ],
        WORKFLOWS,
      ),
    ).toEqual([
      "changes.json: '.github/Workflows/ci.yml' is a protected path (protected_paths in .github/specwright.yml)",
      "changes.json: the symbolic link 'out' points outside the repository",
      "changes.json: 'A.md' and 'a.md' are one path on file systems that ignore case (macOS, Windows)",
    ]);
  });
});
