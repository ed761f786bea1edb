import { describe, expect, it } from "vitest";
import { closestMatch, didYouMean } from "../../src/workflow/did-you-mean.js";

const KEYS = ["depends_on", "description", "error_policy", "agent", "outputs"];

describe("closestMatch", () => {
  it.each([
    ["depend_on", "depends_on"],
    ["agnet", "agent"],
    ["Outputs", "outputs"],
    ["output", "outputs"],
    ["descr", "description"],
    ["error", "error_policy"],
    ["banana", undefined],
    ["ag", undefined],
  ])("matches %s to %s", (input, expected) => {
    expect(closestMatch(input, KEYS)).toBe(expected);
  });

  it("reads a one-shot iterator once", () => {
    expect(closestMatch("agen", new Set(KEYS).values())).toBe("agent");
  });
});

describe("didYouMean", () => {
  it("phrases a suggestion, or nothing", () => {
    expect(didYouMean("agnet", KEYS)).toBe(" (did you mean 'agent'?)");
    expect(didYouMean("zzz", KEYS)).toBe("");
  });
});
