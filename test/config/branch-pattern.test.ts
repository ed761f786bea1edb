import { describe, expect, it } from "vitest";
import {
  checkBranchPattern,
  renderBranchName,
} from "../../src/config/branch-pattern.js";

describe("checkBranchPattern", () => {
  it.each([
    "speckit/{date}/{token}",
    "specwright/{issue}-{slug}-{token}",
    "{token}",
  ])("accepts %s", (pattern) => {
    expect(checkBranchPattern(pattern)).toEqual([]);
  });

  it.each([
    [
      "speckit/{date}",
      [
        "branch_pattern must contain {token} so that every run gets its own branch",
      ],
    ],
    [
      "{tokn}/{token}",
      [
        "unknown placeholder {tokn} in branch_pattern; placeholders: {date}, {token}, {issue}, {slug}",
      ],
    ],
    [
      "a..b/{token}",
      ["branch_pattern 'a..b/{token}' does not make a valid git branch name"],
    ],
    [
      "/{token}",
      ["branch_pattern '/{token}' does not make a valid git branch name"],
    ],
    [
      "{token}.lock",
      ["branch_pattern '{token}.lock' does not make a valid git branch name"],
    ],
    [
      "x:{token}",
      ["branch_pattern 'x:{token}' does not make a valid git branch name"],
    ],
  ])("refuses %s", (pattern, problems) => {
    expect(checkBranchPattern(pattern)).toEqual(problems);
  });
});

describe("renderBranchName", () => {
  it("fills every placeholder", () => {
    expect(
      renderBranchName("speckit/{date}/{issue}-{slug}-{token}", {
        date: "20261121",
        token: "k3x9",
        issue: "42",
        slug: "dark-mode",
      }),
    ).toBe("speckit/20261121/42-dark-mode-k3x9");
  });
});
