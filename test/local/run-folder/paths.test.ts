import { describe, expect, it } from "vitest";
import {
  RUNS_DIR,
  runPaths,
  stepDirName,
  stepPaths,
} from "../../../src/local/run-folder/paths.js";

const ID = "0b5e7a52-9c3e-4f7a-8d1e-2f6a3b4c5d6e";

describe("run folder paths", () => {
  it("puts every file of a run under .specwright/runs/<id>", () => {
    const paths = runPaths("/repo", ID);
    const root = `/repo/${RUNS_DIR}/${ID}`;
    expect(paths).toStrictEqual({
      id: ID,
      repoRoot: "/repo",
      root,
      metadata: `${root}/metadata.json`,
      snapshot: `${root}/workflow_snapshot.yml`,
      lock: `${root}/lock`,
      inbox: `${root}/inbox`,
      steps: `${root}/steps`,
      workspace: `${root}/workspace`,
    });
    expect(stepPaths(paths, "02_plan")).toStrictEqual({
      root: `${root}/steps/02_plan`,
      result: `${root}/steps/02_plan/result.json`,
      stdout: `${root}/steps/02_plan/stdout.log`,
      stderr: `${root}/steps/02_plan/stderr.log`,
      environment: `${root}/steps/02_plan/environment.json`,
      outputs: `${root}/steps/02_plan/outputs`,
    });
  });

  it.each([
    [1, "specify", "01_specify"],
    [12, "plan", "12_plan"],
    [100, "implement", "100_implement"],
  ])("names step %i of %s %s", (sequence, stage, name) => {
    expect(stepDirName(sequence, stage)).toBe(name);
  });

  it.each([
    [0, "plan"],
    [1.5, "plan"],
    [1, "../plan"],
    [1, ""],
  ])("refuses step %s of %j", (sequence, stage) => {
    expect(() => stepDirName(sequence, stage)).toThrow(RangeError);
  });

  it("refuses an id that would leave the runs folder", () => {
    expect(() => runPaths("/repo", "../etc")).toThrow(RangeError);
  });
});
