import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyOutputs } from "../../action/src/verify-outputs.js";
import type { ExpectedOutput } from "../../src/contracts/stage-request.js";

let repo: string;

/** A git repository with `files` committed. */
async function commit(files: Record<string, string>): Promise<void> {
  await write(files);
  execFileSync("git", ["add", "-A"], { cwd: repo });
  execFileSync("git", ["commit", "-q", "--allow-empty", "-m", "base"], {
    cwd: repo,
  });
}

async function write(files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), content);
  }
}

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), "specwright-verify-"));
  for (const args of [
    ["init", "-q", "-b", "main"],
    ["config", "user.email", "test@example.com"],
    ["config", "user.name", "Test"],
  ])
    execFileSync("git", args, { cwd: repo });
});

afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

const file = (
  path: string | undefined,
  patch: Partial<ExpectedOutput> = {},
): ExpectedOutput => ({
  name: "spec",
  type: "file",
  ...(path === undefined ? {} : { path }),
  must_change: false,
  required: true,
  ...patch,
});

const value = (
  type: ExpectedOutput["type"],
  patch: Partial<ExpectedOutput> = {},
): ExpectedOutput => ({
  name: "v",
  type,
  must_change: false,
  required: true,
  ...patch,
});

const verify = (
  expected: ExpectedOutput[],
  options: { changed?: string[]; values?: Record<string, unknown> } = {},
) =>
  verifyOutputs({
    cwd: repo,
    expected,
    changed: new Set(options.changed ?? []),
    values: options.values ?? {},
  });

describe("verifyOutputs: values", () => {
  it.each<[ExpectedOutput["type"], unknown]>([
    ["string", "a report"],
    ["string", ""],
    ["number", 0],
    ["boolean", false],
    ["object", { approved: true }],
    ["array", []],
  ])("takes a %s reported as %j", async (type, reported) => {
    expect(await verify([value(type)], { values: { v: reported } })).toEqual({
      outputs: { v: reported },
      problems: [],
    });
  });

  it.each<[ExpectedOutput["type"], unknown, string]>([
    ["number", "3", "output 'v' should be a number"],
    ["boolean", "true", "output 'v' should be a boolean"],
    ["string", 12, "output 'v' should be a string"],
    ["object", ["a"], "output 'v' should be an object"],
    ["array", { 0: "a" }, "output 'v' should be an array"],
  ])("refuses a %s reported as %j", async (type, reported, problem) => {
    expect(await verify([value(type)], { values: { v: reported } })).toEqual({
      outputs: {},
      problems: [problem],
    });
  });

  it("names a required value the stage did not report, null included", async () => {
    expect(
      await verify(
        [
          value("number", { name: "critical" }),
          value("object", { name: "meta" }),
        ],
        { values: { meta: null } },
      ),
    ).toEqual({
      outputs: {},
      problems: [
        "the stage did not report its number output 'critical'",
        "the stage did not report its object output 'meta'",
      ],
    });
  });

  it("lets an optional value be missing, but not be of the wrong type", async () => {
    expect(
      await verify(
        [
          value("array", { name: "notes", required: false }),
          value("boolean", { name: "ok", required: false }),
        ],
        { values: { ok: "yes" } },
      ),
    ).toEqual({ outputs: {}, problems: ["output 'ok' should be a boolean"] });
  });
});

describe("verifyOutputs: files", () => {
  it("takes a file that is there, changed or not without must_change", async () => {
    await commit({ "docs/guide.md": "# Guide\n" });
    expect(await verify([file("docs/guide.md")])).toEqual({
      outputs: { spec: "docs/guide.md" },
      problems: [],
    });
  });

  it.each<[string, Partial<ExpectedOutput>, string[], string]>([
    [
      "a file left as it was",
      { must_change: true },
      [],
      "specs/001-a/spec.md was not changed by the stage",
    ],
    [
      "a file nobody wrote",
      { path: "specs/001-a/plan.md" },
      [],
      "specs/001-a/plan.md was not produced",
    ],
    [
      "a directory where the file should be",
      { path: "specs/001-a" },
      ["specs/001-a"],
      "specs/001-a was not produced",
    ],
    [
      "an empty file",
      { path: "specs/001-a/empty.md" },
      ["specs/001-a/empty.md"],
      "specs/001-a/empty.md is empty",
    ],
  ])("names %s", async (_, patch, changed, problem) => {
    await commit({ "specs/001-a/spec.md": "# A\n" });
    await write({ "specs/001-a/empty.md": "" });
    expect(
      await verify([file("specs/001-a/spec.md", patch)], { changed }),
    ).toEqual({ outputs: {}, problems: [problem] });
  });

  it("takes a must_change file the stage changed", async () => {
    await commit({ "specs/001-a/spec.md": "# A\n" });
    await write({ "specs/001-a/spec.md": "# A, revised\n" });
    expect(
      await verify([file("specs/001-a/spec.md", { must_change: true })], {
        changed: ["specs/001-a/spec.md"],
      }),
    ).toEqual({ outputs: { spec: "specs/001-a/spec.md" }, problems: [] });
  });

  it("leaves out an optional file that is missing, without a problem", async () => {
    await commit({});
    expect(
      await verify([
        file("research.md", { name: "research", required: false }),
      ]),
    ).toEqual({ outputs: {}, problems: [] });
  });

  it("names a file output that has no path instead of checking nothing", async () => {
    await commit({});
    expect(await verify([file(undefined), file("", { name: "plan" })])).toEqual(
      {
        outputs: {},
        problems: [
          "the file output 'spec' has no path to check",
          "the file output 'plan' has no path to check",
        ],
      },
    );
    expect(await verify([file(undefined, { required: false })])).toEqual({
      outputs: {},
      problems: [],
    });
  });
});

describe("verifyOutputs: globs", () => {
  it("matches new, untracked files, and picks the one the stage changed", async () => {
    await commit({ "specs/001-old/spec.md": "# Old\n" });
    await write({ "specs/002-new/spec.md": "# New\n" });
    expect(
      await verify([file("specs/*/spec.md", { must_change: true })], {
        changed: ["specs/002-new/spec.md"],
      }),
    ).toEqual({ outputs: { spec: "specs/002-new/spec.md" }, problems: [] });
  });

  it("picks the first match in path order without must_change", async () => {
    await commit({
      "specs/002-b/spec.md": "# B\n",
      "specs/001-a/spec.md": "# A\n",
    });
    expect(await verify([file("specs/*/spec.md")])).toEqual({
      outputs: { spec: "specs/001-a/spec.md" },
      problems: [],
    });
  });

  it("matches dot directories and braces", async () => {
    await commit({});
    await write({
      ".specify/memory/constitution.md": "# Principles\n",
      "specs/004-x/contracts/api.yaml": "openapi: 3.1.0\n",
    });
    expect(
      await verify([
        file(".specify/**/*.md", { name: "constitution" }),
        file("specs/*/contracts/*.{json,yaml}", { name: "contract" }),
      ]),
    ).toEqual({
      outputs: {
        constitution: ".specify/memory/constitution.md",
        contract: "specs/004-x/contracts/api.yaml",
      },
      problems: [],
    });
  });

  it.each<[string, Record<string, string>, string]>([
    ["no match", {}, "specs/*/spec.md was not produced"],
    [
      "only an empty match",
      { "specs/003-c/spec.md": "" },
      "specs/*/spec.md is empty",
    ],
    [
      "only a git-ignored match",
      { ".gitignore": "specs/\n", "specs/003-c/spec.md": "# C\n" },
      "specs/*/spec.md was not produced",
    ],
  ])("names a glob with %s", async (_, files, problem) => {
    await commit({});
    await write(files);
    expect(await verify([file("specs/*/spec.md")])).toEqual({
      outputs: {},
      problems: [problem],
    });
  });

  it("names a glob whose matches the stage left as they were", async () => {
    await commit({ "specs/001-a/spec.md": "# A\n" });
    expect(
      await verify([file("specs/*/spec.md", { must_change: true })]),
    ).toEqual({
      outputs: {},
      problems: ["specs/*/spec.md was not created or changed by the stage"],
    });
  });

  it("does not count a committed file the stage deleted", async () => {
    await commit({ "specs/001-a/spec.md": "# A\n" });
    await rm(join(repo, "specs/001-a/spec.md"));
    expect(await verify([file("specs/*/spec.md")])).toEqual({
      outputs: {},
      problems: ["specs/*/spec.md was not produced"],
    });
  });

  it("fails with git's message outside a repository", async () => {
    await rm(join(repo, ".git"), { recursive: true, force: true });
    await expect(verify([file("specs/*/spec.md")])).rejects.toThrow(
      /^git ls-files failed: fatal: not a git repository/,
    );
  });
});
