import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import type { ChangedFile } from "../../src/contracts/changes.js";
import {
  BUNDLE_LIMITS,
  BundleError,
  type BundleExpectation,
  readResultBundle,
} from "../../src/contracts/read-result-bundle.js";
import {
  type BundleOptions,
  buildBundle,
  textFile,
} from "../support/bundle.js";
import { deflated, MiB, rawZip, stored, zeros } from "../support/raw-zip.js";

const RUN_ID = "6f1c2a9e-4b7d-4e8a-9c3f-2d5e8a1b7c40";
const OTHER_RUN_ID = "0b7e1f52-93a4-4c1d-8e6f-5a2b9c3d4e10";
const SHA = "0123456789abcdef0123456789abcdef01234567";
const OTHER_SHA = "89abcdef0123456789abcdef0123456789abcdef";

const EXPECTED: BundleExpectation = {
  run_id: RUN_ID,
  stage: "plan",
  attempt: 1,
  base_sha: SHA,
  protected_paths: [".github/workflows/**"],
};

/** A bundle for {@link EXPECTED} with `files` as its changes. */
function bundle(
  files: ChangedFile[] = [],
  options: Partial<BundleOptions> = {},
): Uint8Array {
  return buildBundle({
    runId: RUN_ID,
    stage: "plan",
    baseSha: SHA,
    files,
    ...options,
  });
}

/** The problems of the BundleError `readResultBundle` throws; fails if it accepts. */
async function refusal(
  zip: Uint8Array,
  expected: BundleExpectation = EXPECTED,
): Promise<string[]> {
  try {
    await readResultBundle(zip, expected);
  } catch (error) {
    if (error instanceof BundleError) return error.problems;
    throw error;
  }
  throw new Error("expected a BundleError, but the bundle was accepted");
}

/** The bundle's zip with one JSON entry replaced by what `patch` makes of it. */
function patchJson(
  zip: Uint8Array,
  name: "result.json" | "changes.json",
  patch: (json: Record<string, unknown>) => unknown,
): Uint8Array {
  const entries = unzipSync(zip);
  const bytes = entries[name];
  if (bytes === undefined) throw new Error(`the bundle has no ${name}`);
  entries[name] = strToU8(JSON.stringify(patch(JSON.parse(strFromU8(bytes)))));
  return zipSync(entries);
}

/** The bundle's zip without some entries. */
function without(zip: Uint8Array, ...names: string[]): Uint8Array {
  const entries = unzipSync(zip);
  for (const name of names) delete entries[name];
  return zipSync(entries);
}

function symlink(path: string, target: string): ChangedFile {
  return { path, mode: "120000", encoding: "utf8", content: target };
}

function binaryFile(path: string, content: string): ChangedFile {
  return { path, mode: "100644", encoding: "base64", content };
}

/**
 * A bundle with big changed files, stored rather than deflated: fflate
 * would compress (and checksum in JavaScript) 10 MiB in every test.
 */
function largeBundle(files: ChangedFile[]): Uint8Array {
  const entries = Object.entries(unzipSync(bundle())).map(([name, data]) =>
    stored(
      name,
      name === "changes.json"
        ? strToU8(JSON.stringify({ base_sha: SHA, files }))
        : data,
    ),
  );
  return rawZip(entries);
}

describe("readResultBundle", () => {
  describe("accepts", () => {
    it("a valid bundle, handing back the result, the changes and the other files", async () => {
      const files = [
        textFile("specs/001-dark-mode/plan.md", "# Plan\n"),
        {
          ...textFile("scripts/setup.sh", "#!/bin/sh\n"),
          mode: "100755" as const,
        },
        binaryFile("docs/logo.png", "iVBORw0KGgo="),
        { path: "specs/001-dark-mode/draft.md", deleted: true as const },
      ];
      const zip = bundle(files, {
        outputs: { plan_file: "specs/001-dark-mode/plan.md" },
        specDir: "specs/001-dark-mode",
        entries: { "diff-summary.txt": " 3 files changed" },
      });

      const read = await readResultBundle(zip, EXPECTED);

      expect(read.result).toMatchObject({
        run_id: RUN_ID,
        stage: "plan",
        attempt: 1,
        status: "succeeded",
        execution_path: "skill",
        selected_skill_id: "speckit",
        outputs: { plan_file: "specs/001-dark-mode/plan.md" },
        spec_dir: "specs/001-dark-mode",
      });
      expect(read.changes).toEqual({ base_sha: SHA, files });
      expect(
        [...read.files].map(([name, bytes]) => [name, strFromU8(bytes)]),
      ).toEqual([
        ["stdout.log", "agent output"],
        ["stderr.log", ""],
        ["diff-summary.txt", " 3 files changed"],
      ]);
    });

    it("a failed stage with no changes", async () => {
      const read = await readResultBundle(
        bundle([], {
          status: "failed",
          executionPath: "direct_only",
          error: "the agent timed out",
        }),
        EXPECTED,
      );
      expect(read.result.status).toBe("failed");
      expect(read.result.selected_skill_id).toBeNull();
      expect(read.result.error_message).toBe("the agent timed out");
      expect(read.changes.files).toEqual([]);
    });

    it("a later attempt, when that attempt was dispatched", async () => {
      const read = await readResultBundle(bundle([], { attempt: 3 }), {
        ...EXPECTED,
        attempt: 3,
      });
      expect(read.result.attempt).toBe(3);
    });

    it.each<[string, ChangedFile]>([
      [
        ".github files outside workflows",
        textFile(".github/specwright.yml", "x"),
      ],
      [
        "a look-alike of the workflows folder",
        textFile(".github/workflows-docs/a.md", "x"),
      ],
      ["workflows elsewhere", textFile("docs/.github/workflows/ci.yml", "x")],
      [".gitignore", textFile(".gitignore", "node_modules\n")],
    ])("%s next to protected .github/workflows/**", async (_, file) => {
      expect(
        (await readResultBundle(bundle([file]), EXPECTED)).changes.files,
      ).toEqual([file]);
    });

    it.each<[string, ChangedFile]>([
      ["a workflow", textFile(".github/workflows/ci.yml", "on: push\n")],
      [
        "a workflow deleted",
        { path: ".github/workflows/old.yml", deleted: true },
      ],
      ["a dot file anywhere", textFile(".env", "X=1")],
    ])("%s when nothing is protected", async (_, file) => {
      const read = await readResultBundle(bundle([file]), {
        ...EXPECTED,
        protected_paths: [],
      });
      expect(read.changes.files).toEqual([file]);
    });

    it.each<[string, ChangedFile]>([
      ["to a folder", symlink("latest", "specs/001-dark-mode")],
      ["to a file one level up", symlink("docs/readme.md", "../README.md")],
      ["to a sibling folder", symlink("a/b/link", "../sibling/file.md")],
      ["up and down again", symlink("a/b/c/link", "../../../a/x")],
      ["through './'", symlink("a/link", "./b/c")],
      ["to a path that does not exist", symlink("dangling", "nowhere/at/all")],
      ["to a protected path", symlink("ci", ".github/workflows/ci.yml")],
    ])("a symbolic link %s inside the repository", async (_, file) => {
      expect(
        (await readResultBundle(bundle([file]), EXPECTED)).changes.files,
      ).toEqual([file]);
    });

    it("a file of exactly BUNDLE_LIMITS.fileBytes", async () => {
      const file = textFile("big.txt", "a".repeat(BUNDLE_LIMITS.fileBytes));
      expect(
        (await readResultBundle(largeBundle([file]), EXPECTED)).changes.files,
      ).toEqual([file]);
    });

    it("exactly BUNDLE_LIMITS.files files", async () => {
      const files = Array.from({ length: BUNDLE_LIMITS.files }, (_, i) =>
        textFile(`f/${i}.md`, ""),
      );
      expect(
        (await readResultBundle(bundle(files), EXPECTED)).changes.files,
      ).toHaveLength(BUNDLE_LIMITS.files);
    });

    it("exactly BUNDLE_LIMITS.entries zip entries", async () => {
      // buildBundle writes 4 entries of its own.
      const entries = Object.fromEntries(
        Array.from({ length: BUNDLE_LIMITS.entries - 4 }, (_, i) => [
          `log-${i}.txt`,
          "x",
        ]),
      );
      const read = await readResultBundle(bundle([], { entries }), EXPECTED);
      expect(read.files.size).toBe(BUNDLE_LIMITS.entries - 2);
    });

    it("a big log made like the zip bomb below, unpacked", async () => {
      const zip = rawZip([
        ...Object.entries(unzipSync(bundle())).map(([name, data]) =>
          deflated(name, data),
        ),
        zeros("big.log", 2),
      ]);
      const log = (await readResultBundle(zip, EXPECTED)).files.get("big.log");
      expect(log?.length).toBe(2 * MiB);
      expect(log?.every((byte) => byte === 0)).toBe(true);
    });

    it("base64 with and without padding", async () => {
      const files = [
        binaryFile("a.bin", "QQ=="),
        binaryFile("b.bin", "QUI="),
        binaryFile("c.bin", "QUJD"),
        binaryFile("d.bin", ""),
        binaryFile("e.bin", "+/+/"),
      ];
      expect(
        (await readResultBundle(bundle(files), EXPECTED)).changes.files,
      ).toEqual(files);
    });
  });

  describe("refuses", () => {
    it("with a BundleError that lists every problem in its message", async () => {
      let caught: unknown;
      try {
        await readResultBundle(bundle([], { attempt: 2 }), {
          ...EXPECTED,
          base_sha: OTHER_SHA,
        });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(BundleError);
      expect(caught).toBeInstanceOf(Error);
      const error = caught as BundleError;
      expect(error.name).toBe("BundleError");
      expect(error.message).toBe(
        `specwright: the result bundle was refused: result.json answers run ${RUN_ID} stage plan attempt 2, not the dispatched run ${RUN_ID} stage plan attempt 1; changes.json is against ${SHA}, not the dispatched branch head ${OTHER_SHA}`,
      );
    });

    describe("an archive", () => {
      it.each<[string, Uint8Array, string]>([
        [
          "that is not a zip",
          strToU8("<html>Not Found</html>"),
          "the archive cannot be read (invalid zip data)",
        ],
        [
          "that is empty",
          new Uint8Array(0),
          "the archive cannot be read (invalid zip data)",
        ],
        [
          "that was cut short",
          bundle().subarray(0, 200),
          "the archive cannot be read (invalid zip data)",
        ],
        [
          "with an unknown compression method",
          rawZip([
            {
              name: "result.json",
              data: strToU8("{}"),
              method: 12,
              size: 2,
              crc: 0,
            },
          ]),
          "result.json uses compression method 12; a bundle's entries are stored (0) or deflated (8)",
        ],
        [
          "with a corrupt deflate stream",
          rawZip([
            {
              name: "result.json",
              data: new Uint8Array([0xff, 0xff, 0xff, 0xff]),
              method: 8,
              size: 100,
              crc: 0,
            },
          ]),
          "result.json cannot be inflated (invalid block type)",
        ],
        ["with no entries", zipSync({}), "result.json is missing"],
      ])("%s", async (_, zip, problem) => {
        expect(await refusal(zip)).toEqual([problem]);
      });

      it("larger than BUNDLE_LIMITS.archiveBytes, before unpacking it", async () => {
        const zip = new Uint8Array(BUNDLE_LIMITS.archiveBytes + 1);
        expect(await refusal(zip)).toEqual([
          "the archive is 104857601 bytes, over 104857600",
        ]);
      });

      it("with more than BUNDLE_LIMITS.entries entries", async () => {
        const entries = Object.fromEntries(
          Array.from({ length: BUNDLE_LIMITS.entries - 3 }, (_, i) => [
            `log-${i}.txt`,
            "x",
          ]),
        );
        expect(await refusal(bundle([], { entries }))).toEqual([
          "the archive has 51 entries, over 50",
        ]);
      });

      it("with an entry that unpacks to more than BUNDLE_LIMITS.totalBytes (a zip bomb)", async () => {
        const bomb = zeros("stdout.log", 101);
        expect(bomb.data.length).toBeLessThan(110_000);
        const zip = rawZip([
          deflated("result.json", strToU8("{}")),
          deflated("changes.json", strToU8("{}")),
          bomb,
        ]);
        expect(await refusal(zip)).toEqual([
          `the archive unpacks to ${2 + 2 + 101 * MiB} bytes, over 104857600`,
        ]);
      });

      it("with entries that together unpack to more than BUNDLE_LIMITS.totalBytes", async () => {
        // Small first, so only 1 MiB is unpacked before the total is over.
        const zip = rawZip([zeros("a.bin", 1), zeros("b.bin", 100)]);
        expect(await refusal(zip)).toEqual([
          `the archive unpacks to ${101 * MiB} bytes, over 104857600`,
        ]);
      });

      it("whose entry is bigger than its header says, as soon as it outgrows it", async () => {
        const result = unzipSync(bundle())["result.json"] ?? new Uint8Array();
        const zip = rawZip([
          deflated("result.json", result, 10),
          deflated(
            "changes.json",
            strToU8(JSON.stringify({ base_sha: SHA, files: [] })),
          ),
        ]);
        expect(await refusal(zip)).toEqual([
          "result.json inflates to more than the 10 bytes its header declares",
        ]);
      });
    });

    describe("result.json and changes.json", () => {
      it.each<[string, Uint8Array, string[]]>([
        [
          "without result.json",
          without(bundle(), "result.json"),
          ["result.json is missing"],
        ],
        [
          "without changes.json",
          without(bundle(), "changes.json"),
          ["changes.json is missing"],
        ],
        [
          "without either (result.json is reported first)",
          without(bundle(), "result.json", "changes.json"),
          ["result.json is missing"],
        ],
        [
          "with result.json in a folder",
          zipSync({
            "bundle/result.json":
              unzipSync(bundle())["result.json"] ?? new Uint8Array(),
          }),
          ["result.json is missing"],
        ],
        [
          "with result.json that is not JSON",
          bundle([], { entries: { "result.json": "{ status: ok" } }),
          ["result.json is not valid JSON"],
        ],
        [
          "with an empty result.json",
          bundle([], { entries: { "result.json": "" } }),
          ["result.json is not valid JSON"],
        ],
        [
          "with changes.json that is not JSON",
          bundle([], { entries: { "changes.json": "base_sha: abc" } }),
          ["changes.json is not valid JSON"],
        ],
        [
          "with result.json that is JSON but not an object",
          bundle([], { entries: { "result.json": "null" } }),
          ["result.json: Invalid input: expected object, received null"],
        ],
        [
          "with changes.json that is an array",
          bundle([], { entries: { "changes.json": "[]" } }),
          ["changes.json: Invalid input: expected object, received array"],
        ],
      ])("%s", async (_, zip, problems) => {
        expect(await refusal(zip)).toEqual(problems);
      });

      it("lists the schema errors of both files, naming the file and the field", async () => {
        let zip = patchJson(bundle(), "result.json", (result) => ({
          ...result,
          status: "done",
          duration_ms: -1,
          extra: true,
        }));
        zip = patchJson(zip, "changes.json", () => ({
          base_sha: "HEAD",
          files: [{ path: "", mode: "100644", encoding: "utf8", content: "" }],
        }));
        expect(await refusal(zip)).toEqual([
          'result.json: status: Invalid option: expected one of "succeeded"|"failed"',
          "result.json: duration_ms: Too small: expected number to be >=0",
          'result.json: Unrecognized key: "extra"',
          "changes.json: base_sha: expected a commit SHA",
          "changes.json: files.0.path: Too small: expected string to have >=1 characters",
        ]);
      });

      it("execution_path skill without selected_skill_id", async () => {
        const zip = patchJson(bundle(), "result.json", (result) => ({
          ...result,
          execution_path: "skill",
          selected_skill_id: null,
        }));
        expect(await refusal(zip)).toEqual([
          "result.json: selected_skill_id: selected_skill_id is required when execution_path is skill",
        ]);
      });

      it("does not look at the run or base_sha until both files parse", async () => {
        const zip = patchJson(
          bundle([], { runId: OTHER_RUN_ID, baseSha: OTHER_SHA }),
          "changes.json",
          (changes) => ({ ...changes, files: "all" }),
        );
        expect(await refusal(zip)).toEqual([
          "changes.json: files: Invalid input: expected array, received string",
        ]);
      });
    });

    describe("a bundle for another attempt", () => {
      it.each<[string, Partial<BundleOptions>, string]>([
        [
          "another run",
          { runId: OTHER_RUN_ID },
          `result.json answers run ${OTHER_RUN_ID} stage plan attempt 1, not the dispatched run ${RUN_ID} stage plan attempt 1`,
        ],
        [
          "another stage",
          { stage: "tasks" },
          `result.json answers run ${RUN_ID} stage tasks attempt 1, not the dispatched run ${RUN_ID} stage plan attempt 1`,
        ],
        [
          "another attempt",
          { attempt: 2 },
          `result.json answers run ${RUN_ID} stage plan attempt 2, not the dispatched run ${RUN_ID} stage plan attempt 1`,
        ],
        [
          "a stage whose name differs only in case",
          { stage: "Plan" },
          `result.json answers run ${RUN_ID} stage Plan attempt 1, not the dispatched run ${RUN_ID} stage plan attempt 1`,
        ],
      ])("%s", async (_, options, problem) => {
        expect(await refusal(bundle([], options))).toEqual([problem]);
      });

      it("made against another branch head", async () => {
        expect(await refusal(bundle([], { baseSha: OTHER_SHA }))).toEqual([
          `changes.json is against ${OTHER_SHA}, not the dispatched branch head ${SHA}`,
        ]);
      });
    });

    describe("a changed path", () => {
      it.each<[string, ChangedFile, string]>([
        [
          "outside the repository",
          textFile("../outside.md", "x"),
          "changes.json: '../outside.md': the path has a '..' segment",
        ],
        [
          "climbing out from a folder",
          textFile("specs/../../etc/passwd", "x"),
          "changes.json: 'specs/../../etc/passwd': the path has a '..' segment",
        ],
        [
          "that is absolute",
          textFile("/etc/passwd", "x"),
          "changes.json: '/etc/passwd': the path is absolute",
        ],
        [
          "in .git",
          textFile(".git/hooks/pre-commit", "x"),
          "changes.json: '.git/hooks/pre-commit': the path is inside .git",
        ],
        [
          "in a nested .GIT",
          textFile("vendor/.GIT/config", "x"),
          "changes.json: 'vendor/.GIT/config': the path is inside .git",
        ],
        [
          "deleting from .git",
          { path: ".git/HEAD", deleted: true },
          "changes.json: '.git/HEAD': the path is inside .git",
        ],
        [
          "with a backslash",
          textFile("a\\b.md", "x"),
          "changes.json: 'a\\b.md': the path contains a backslash",
        ],
        [
          "with './'",
          textFile("./a.md", "x"),
          "changes.json: './a.md': the path has a '.' segment",
        ],
        [
          "with '//'",
          textFile("a//b.md", "x"),
          "changes.json: 'a//b.md': the path has an empty segment",
        ],
        [
          "with a NUL",
          textFile("a\0.md", "x"),
          "changes.json: 'a\0.md': the path contains a NUL character",
        ],
      ])("%s", async (_, file, problem) => {
        expect(await refusal(bundle([file]))).toEqual([problem]);
      });

      it.each<[string, readonly string[], ChangedFile, string]>([
        [
          "a workflow",
          [".github/workflows/**"],
          textFile(".github/workflows/ci.yml", "on: push"),
          ".github/workflows/ci.yml",
        ],
        [
          "a nested workflow file",
          [".github/workflows/**"],
          textFile(".github/workflows/sub/.hidden.yml", "x"),
          ".github/workflows/sub/.hidden.yml",
        ],
        [
          "a deleted workflow",
          [".github/workflows/**"],
          { path: ".github/workflows/deploy.yml", deleted: true },
          ".github/workflows/deploy.yml",
        ],
        [
          "the workflows folder itself",
          [".github/workflows/**"],
          { path: ".github/workflows", deleted: true },
          ".github/workflows",
        ],
        [
          "a file matched by the second glob",
          [".github/workflows/**", ".github/CODEOWNERS"],
          textFile(".github/CODEOWNERS", "* @acme/admins"),
          ".github/CODEOWNERS",
        ],
        [
          "a dot file matched by a ** glob",
          ["**/*.pem"],
          textFile(".secrets/deploy.pem", "x"),
          ".secrets/deploy.pem",
        ],
        [
          "a symbolic link placed in a protected folder",
          [".github/workflows/**"],
          symlink(".github/workflows/ci.yml", "../../ci.yml"),
          ".github/workflows/ci.yml",
        ],
      ])("that is protected: %s", async (_, protectedPaths, file, path) => {
        expect(
          await refusal(bundle([file]), {
            ...EXPECTED,
            protected_paths: protectedPaths,
          }),
        ).toEqual([
          `changes.json: '${path}' is a protected path (protected_paths in .github/specwright.yml)`,
        ]);
      });

      it.each<[string, ChangedFile[], string[]]>([
        [
          "written twice",
          [textFile("a.md", "1"), textFile("a.md", "2")],
          ["changes.json: 'a.md' is listed twice"],
        ],
        [
          "written and deleted",
          [textFile("a.md", "1"), { path: "a.md", deleted: true }],
          ["changes.json: 'a.md' is listed twice"],
        ],
        [
          "listed three times",
          [textFile("a.md", "1"), textFile("a.md", "2"), textFile("a.md", "3")],
          [
            "changes.json: 'a.md' is listed twice",
            "changes.json: 'a.md' is listed twice",
          ],
        ],
        [
          "protected and listed twice",
          [
            textFile(".github/workflows/ci.yml", "1"),
            textFile(".github/workflows/ci.yml", "2"),
          ],
          [
            "changes.json: '.github/workflows/ci.yml' is a protected path (protected_paths in .github/specwright.yml)",
            "changes.json: '.github/workflows/ci.yml' is listed twice",
            "changes.json: '.github/workflows/ci.yml' is a protected path (protected_paths in .github/specwright.yml)",
          ],
        ],
      ])("%s", async (_, files, problems) => {
        expect(await refusal(bundle(files))).toEqual(problems);
      });

      it("more than BUNDLE_LIMITS.files changed paths", async () => {
        const files = Array.from({ length: BUNDLE_LIMITS.files + 1 }, (_, i) =>
          textFile(`f/${i}.md`, ""),
        );
        expect(await refusal(bundle(files))).toEqual([
          "changes.json lists 2001 files, over 2000",
        ]);
      });

      it("lists every problem, in the order of the files", async () => {
        const zip = bundle(
          [
            textFile("ok.md", "x"),
            textFile("../up.md", "x"),
            textFile(".github/workflows/ci.yml", "x"),
            binaryFile("bad.bin", "%%%"),
            symlink("out", "../.."),
          ],
          { attempt: 2, baseSha: OTHER_SHA },
        );
        expect(await refusal(zip)).toEqual([
          `result.json answers run ${RUN_ID} stage plan attempt 2, not the dispatched run ${RUN_ID} stage plan attempt 1`,
          `changes.json is against ${OTHER_SHA}, not the dispatched branch head ${SHA}`,
          "changes.json: '../up.md': the path has a '..' segment",
          "changes.json: '.github/workflows/ci.yml' is a protected path (protected_paths in .github/specwright.yml)",
          "changes.json: 'bad.bin' is not valid base64",
          "changes.json: the symbolic link 'out' points outside the repository",
        ]);
      });
    });

    describe("a file's content", () => {
      it.each<[string, ChangedFile, string]>([
        [
          "one byte over BUNDLE_LIMITS.fileBytes",
          textFile("big.txt", "a".repeat(BUNDLE_LIMITS.fileBytes + 1)),
          "changes.json: 'big.txt' is 10485761 bytes, over 10485760",
        ],
        [
          "under the limit in characters, over it in UTF-8 bytes",
          textFile("big.txt", "é".repeat(BUNDLE_LIMITS.fileBytes / 2 + 1)),
          "changes.json: 'big.txt' is 10485762 bytes, over 10485760",
        ],
        [
          "over the limit once decoded from base64",
          binaryFile(
            "big.bin",
            Buffer.alloc(BUNDLE_LIMITS.fileBytes + 2).toString("base64"),
          ),
          "changes.json: 'big.bin' is 10485762 bytes, over 10485760",
        ],
      ])("%s", async (_, file, problem) => {
        expect(await refusal(largeBundle([file]))).toEqual([problem]);
      });

      // The decoded size discounts base64 padding.
      it("accepts a base64 file of exactly BUNDLE_LIMITS.fileBytes", async () => {
        const file = binaryFile(
          "exact.bin",
          Buffer.alloc(BUNDLE_LIMITS.fileBytes).toString("base64"),
        );
        expect(
          (await readResultBundle(largeBundle([file]), EXPECTED)).changes.files,
        ).toEqual([file]);
      });

      it.each<[string, string]>([
        ["punctuation", "not base64!"],
        ["padding in the middle", "QQ==QQ=="],
        ["three padding characters", "Q==="],
        ["base64url", "-_-_"],
        ["a line break", "QUJD\nREVG"],
        ["a space", "QUJD REVG"],
      ])("that is not valid base64: %s", async (_, content) => {
        expect(
          await refusal(bundle([binaryFile("logo.png", content)])),
        ).toEqual(["changes.json: 'logo.png' is not valid base64"]);
      });

      // Only canonical base64 (whole 4-character quanta) is accepted.
      it.each<[string, string]>([
        ["one character", "A"],
        ["five characters", "QUJDR"],
        ["a padded length that is not a multiple of 4", "QQ="],
      ])("refuses base64 of impossible length: %s", async (_, content) => {
        expect(
          await refusal(bundle([binaryFile("logo.png", content)])),
        ).toEqual(["changes.json: 'logo.png' is not valid base64"]);
      });
    });

    describe("a symbolic link", () => {
      it.each<[string, ChangedFile]>([
        ["one level up from the root", symlink("link", "../outside")],
        [
          "climbing out of a folder",
          symlink("a/b/link", "../../../etc/passwd"),
        ],
        ["to the parent of the root", symlink("a/link", "../..")],
        ["to an absolute path", symlink("link", "/etc/passwd")],
        ["out and back in by name", symlink("a/link", "../../repo/a/x")],
        ["climbing out through a folder", symlink("link", "a/../../x")],
        ["into .git", symlink("hooks", ".git/hooks")],
        ["into a nested .GIT", symlink("a/cfg", "../vendor/.GIT/config")],
        ["with a NUL", symlink("link", "a\0b")],
        ["with a backslash", symlink("link", "..\\..\\etc")],
        ["to the repository root itself (a loop)", symlink("a/root", "..")],
        ["with an empty target", symlink("link", "")],
      ])("%s", async (_, file) => {
        expect(await refusal(bundle([file]))).toEqual([
          `changes.json: the symbolic link '${file.path}' points outside the repository`,
        ]);
      });

      it("whose own path is outside the repository, reported once", async () => {
        expect(await refusal(bundle([symlink("../link", "/etc")]))).toEqual([
          "changes.json: '../link': the path has a '..' segment",
        ]);
      });

      // A link's target is checked after decoding, whatever its encoding.
      it.each<[string, string]>([
        ["an absolute target", "/etc/passwd"],
        ["a target above the root", "../../../../etc/passwd"],
      ])("encoded in base64, to %s", async (_, target) => {
        const file: ChangedFile = {
          path: "link",
          mode: "120000",
          encoding: "base64",
          content: Buffer.from(target).toString("base64"),
        };
        expect(await refusal(bundle([file]))).toEqual([
          "changes.json: the symbolic link 'link' points outside the repository",
        ]);
      });
    });
  });
});
