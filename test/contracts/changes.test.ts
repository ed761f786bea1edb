import { describe, expect, it } from "vitest";
import { ChangedFile, Changes } from "../../src/contracts/changes.js";
import { listIssues } from "./list-issues.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("Changes", () => {
  it("accepts every kind of change", () => {
    const changes = {
      base_sha: SHA,
      files: [
        {
          path: "specs/001/spec.md",
          mode: "100644",
          encoding: "utf8",
          content: "# Spec\n",
        },
        {
          path: "scripts/run.sh",
          mode: "100755",
          encoding: "utf8",
          content: "#!/bin/sh\n",
        },
        {
          path: "docs/logo.png",
          mode: "100644",
          encoding: "base64",
          content: "iVBORw0KGgo=",
        },
        {
          path: "latest",
          mode: "120000",
          encoding: "utf8",
          content: "specs/001",
        },
        { path: "old.md", deleted: true },
      ],
    };
    expect(listIssues(Changes, changes)).toEqual([]);
    expect(Changes.parse(changes)).toEqual(changes);
  });

  it("accepts no changes", () => {
    expect(listIssues(Changes, { base_sha: SHA, files: [] })).toEqual([]);
  });

  it.each<[string, unknown, string[]]>([
    [
      "a short base_sha",
      { base_sha: "abc123", files: [] },
      ["base_sha: expected a commit SHA"],
    ],
    [
      "a base_sha with a newline after it",
      { base_sha: `${SHA}\n`, files: [] },
      ["base_sha: expected a commit SHA"],
    ],
    [
      "missing files",
      { base_sha: SHA },
      ["files: Invalid input: expected array, received undefined"],
    ],
    [
      "an unknown key",
      { base_sha: SHA, files: [], head_sha: SHA },
      [': Unrecognized key: "head_sha"'],
    ],
  ])("refuses %s", (_, value, issues) => {
    expect(listIssues(Changes, value)).toEqual(issues);
  });
});

describe("ChangedFile", () => {
  it.each<[string, unknown]>([
    ["a file", { path: "a", mode: "100644", encoding: "utf8", content: "" }],
    ["a deletion", { path: "a", deleted: true }],
  ])("accepts %s", (_, value) => {
    expect(listIssues(ChangedFile, value)).toEqual([]);
  });

  it.each<[string, unknown, string[]]>([
    [
      "an empty path",
      { path: "", mode: "100644", encoding: "utf8", content: "" },
      ["path: Too small: expected string to have >=1 characters"],
    ],
    [
      "a directory mode",
      { path: "a", mode: "040000", encoding: "utf8", content: "" },
      [": Invalid input"],
    ],
    [
      "a submodule",
      { path: "a", mode: "160000", encoding: "utf8", content: "" },
      [": Invalid input"],
    ],
    [
      "an unknown encoding",
      { path: "a", mode: "100644", encoding: "hex", content: "" },
      [": Invalid input"],
    ],
    [
      "content that is not text",
      { path: "a", mode: "100644", encoding: "utf8", content: 1 },
      [": Invalid input"],
    ],
    ["deleted: false", { path: "a", deleted: false }, [": Invalid input"]],
    [
      "a deletion with content",
      { path: "a", deleted: true, content: "x" },
      [': Unrecognized key: "content"'],
    ],
    [
      "a file that is also deleted",
      {
        path: "a",
        mode: "100644",
        encoding: "utf8",
        content: "",
        deleted: true,
      },
      [": Invalid input"],
    ],
  ])("refuses %s", (_, value, issues) => {
    expect(listIssues(ChangedFile, value)).toEqual(issues);
  });
});
