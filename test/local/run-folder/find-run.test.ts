import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AmbiguousRunError,
  UnknownRunError,
} from "../../../src/local/run-folder/errors.js";
import { findRun } from "../../../src/local/run-folder/find-run.js";
import { RUNS_DIR, runPaths } from "../../../src/local/run-folder/paths.js";
import { makeTempDir, removeTempDirs, uuidStartingWith } from "./fixtures.js";

let repo: string;
const first = uuidStartingWith("abcd1");
const second = uuidStartingWith("abcd2");
const third = uuidStartingWith("ef01");

beforeEach(async () => {
  repo = await makeTempDir();
  for (const id of [first, second, third])
    await mkdir(join(repo, RUNS_DIR, id), { recursive: true });
  // Neither is a run: a folder being built, and a file.
  await mkdir(join(repo, RUNS_DIR, `.tmp-${uuidStartingWith("ef02")}-1234`));
  await writeFile(join(repo, RUNS_DIR, uuidStartingWith("ef03")), "");
});
afterEach(removeTempDirs);

describe("findRun", () => {
  it("finds a run by its full id", async () => {
    expect(await findRun(repo, second)).toStrictEqual(runPaths(repo, second));
  });

  it.each([
    ["ef01", third],
    ["abcd1", first],
    ["ABCD2", second],
  ])("finds a run by the unique prefix %s", async (prefix, id) => {
    expect((await findRun(repo, prefix)).id).toBe(id);
  });

  it("names every run an ambiguous prefix matches", async () => {
    const error = await findRun(repo, "abcd").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousRunError);
    expect((error as Error).message).toBe(
      `'abcd' matches 2 runs (${[first, second].sort().join(", ")}); give more of the id`,
    );
  });

  it.each([
    ["9999", "no run '9999' in .specwright/runs; `specwright runs` lists them"],
    // Only folders being built or files start with ef02 and ef03.
    ["ef02", "no run 'ef02' in .specwright/runs; `specwright runs` lists them"],
    ["ef03", "no run 'ef03' in .specwright/runs; `specwright runs` lists them"],
    [
      "abc",
      "no run 'abc' in .specwright/runs (a run id is hex digits and dashes; give at least 4); `specwright runs` lists them",
    ],
    [
      "../etc",
      "no run '../etc' in .specwright/runs (a run id is hex digits and dashes; give at least 4); `specwright runs` lists them",
    ],
    [
      `${first}/../../..`,
      `no run '${first}/../../..' in .specwright/runs (a run id is hex digits and dashes; give at least 4); \`specwright runs\` lists them`,
    ],
  ])("reports no run for %j", async (input, message) => {
    const error = await findRun(repo, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownRunError);
    expect((error as Error).message).toBe(message);
  });

  it("reports no run where no run was ever made", async () => {
    const empty = await makeTempDir();
    await expect(findRun(empty, first)).rejects.toThrow(UnknownRunError);
  });
});
