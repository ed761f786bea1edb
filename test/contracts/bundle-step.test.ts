import { describe, expect, it } from "vitest";
import { bundleArtifactIdOf } from "../../src/contracts/bundle-step.js";

const steps = (...names: string[]) => names.map((name) => ({ name }));

describe("the result bundle's artifact id, read from a job's step names", () => {
  it.each<[string, string[], number | undefined]>([
    [
      "the evaluated step among GitHub's own",
      [
        "Set up job",
        "Run specwright/specwright/action@v0",
        "Specwright bundle 4242",
        "Complete job",
      ],
      4242,
    ],
    ["the same id twice", ["Specwright bundle 7", "Specwright bundle 7"], 7],
    ["no such step", ["Set up job", "Complete job"], undefined],
    ["no upload (an empty output)", ["Specwright bundle "], undefined],
    [
      "a step that never ran (its name unevaluated)",
      ["Specwright bundle ${{ steps.stage.outputs.artifact-id }}"],
      undefined,
    ],
    ["something else than digits", ["Specwright bundle 12abc"], undefined],
    [
      "a negative or zero id",
      ["Specwright bundle -3", "Specwright bundle 0"],
      undefined,
    ],
    [
      "an id past what a number holds exactly",
      ["Specwright bundle 9999999999999999"],
      undefined,
    ],
    [
      "two ids that disagree",
      ["Specwright bundle 1", "Specwright bundle 2"],
      undefined,
    ],
  ])("%s", (_, names, id) => {
    expect(bundleArtifactIdOf(steps(...names))).toBe(id);
  });

  it("reads no steps at all as none", () => {
    expect(bundleArtifactIdOf(undefined)).toBeUndefined();
    expect(bundleArtifactIdOf([])).toBeUndefined();
  });
});
