import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRunFolder } from "../../../src/local/run-folder/create-run-folder.js";
import { BrokenRunFolderError } from "../../../src/local/run-folder/errors.js";
import { listRuns } from "../../../src/local/run-folder/list-runs.js";
import type { RunMetadata } from "../../../src/local/run-folder/metadata-schema.js";
import {
  RUNS_DIR,
  type RunPaths,
} from "../../../src/local/run-folder/paths.js";
import { readRunMetadata } from "../../../src/local/run-folder/run-metadata.js";
import {
  makeRepo,
  makeTempDir,
  removeTempDirs,
  sampleMetadata,
  WORKFLOW_TEXT,
} from "./fixtures.js";

afterEach(removeTempDirs);

async function makeRun(
  repo: string,
  overrides: Partial<RunMetadata> = {},
): Promise<RunPaths> {
  return createRunFolder(repo, {
    metadata: sampleMetadata(repo, overrides),
    workflowText: WORKFLOW_TEXT,
  });
}

/** Rewrites a run's metadata.json through its parsed JSON. */
async function damage(
  paths: RunPaths,
  change: (data: Record<string, unknown> & RunMetadata) => void,
): Promise<void> {
  const data = sampleMetadata(paths.repoRoot, { id: paths.id });
  change(data as Record<string, unknown> & RunMetadata);
  await writeFile(paths.metadata, JSON.stringify(data));
}

async function brokenMessage(paths: RunPaths): Promise<string> {
  const error = await readRunMetadata(paths).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BrokenRunFolderError);
  return (error as BrokenRunFolderError).message;
}

describe("readRunMetadata on a broken folder", () => {
  it("names the file and the JSON error", async () => {
    const repo = await makeRepo();
    const paths = await makeRun(repo);
    await writeFile(paths.metadata, '{"format": 1, "id": }');
    expect(await brokenMessage(paths)).toMatch(
      new RegExp(
        `^${RUNS_DIR}/${paths.id}/metadata\\.json: not valid JSON \\(Unexpected token .*\\)$`,
      ),
    );
  });

  it("names the field whose value is wrong, and what was expected", async () => {
    const repo = await makeRepo();
    const paths = await makeRun(repo);
    await damage(paths, (data) => {
      Object.assign(data.state.stages[2] ?? {}, { status: "bogus" });
    });
    expect(await brokenMessage(paths)).toBe(
      `${RUNS_DIR}/${paths.id}/metadata.json: state.stages[2].status: expected one of pending, waiting_approval, dispatched, running, retrying, succeeded, failed, timed_out, cancelled, skipped; got the string "bogus"`,
    );
  });

  it("says a missing metadata.json leaves the folder incomplete", async () => {
    const repo = await makeRepo();
    const paths = await makeRun(repo);
    await rm(paths.metadata);
    expect(await brokenMessage(paths)).toBe(
      `${RUNS_DIR}/${paths.id}/metadata.json: missing; the run folder is incomplete`,
    );
  });

  it("refuses a state that belongs to another run", async () => {
    const repo = await makeRepo();
    const paths = await makeRun(repo);
    await damage(paths, (data) => {
      data.state.id = "not-this-run";
    });
    expect(await brokenMessage(paths)).toBe(
      `${RUNS_DIR}/${paths.id}/metadata.json: state.id: expected the run's id ${paths.id}; got "not-this-run"`,
    );
  });

  it.each<
    [string, (data: Record<string, unknown> & RunMetadata) => void, string]
  >([
    [
      "a missing field",
      (d) => delete (d as Partial<RunMetadata>).feature,
      "feature: missing required key 'feature' (a string)",
    ],
    [
      "an attempt numbered 0",
      (d) => {
        d.state.stages[0]?.attempts.push({
          attempt: 0,
          status: "failed",
        } as never);
      },
      "state.stages[0].attempts[0].attempt: must be at least 1; got 0",
    ],
    [
      "a relative workspace",
      (d) => {
        d.workspace = "workspace";
      },
      "workspace: expected an absolute path",
    ],
    [
      "a newer format",
      (d) => {
        d.format = 2 as 1;
      },
      "written in format 2 by a newer specwright (this one reads format 1); upgrade specwright to use this run",
    ],
  ])("reports %s", async (_, change, problem) => {
    const repo = await makeRepo();
    const paths = await makeRun(repo);
    await damage(paths, change);
    expect(await brokenMessage(paths)).toBe(
      `${RUNS_DIR}/${paths.id}/metadata.json: ${problem}`,
    );
  });
});

describe("readRunMetadata on a moved folder", () => {
  it("refuses metadata whose id is not the folder's name", async () => {
    const repo = await makeRepo();
    const paths = await makeRun(repo);
    const other = sampleMetadata(repo);
    await writeFile(paths.metadata, JSON.stringify(other));
    expect(await brokenMessage(paths)).toBe(
      `${RUNS_DIR}/${paths.id}/metadata.json: id: expected the folder's name ${paths.id}; got ${other.id}`,
    );
  });
});

describe("listRuns", () => {
  it("lists good runs newest first and reports broken ones", async () => {
    const repo = await makeRepo();
    const older = await makeRun(repo, {
      created_at: "2025-01-01T10:00:00.000Z",
    });
    const newest = await makeRun(repo, {
      created_at: "2025-03-01T10:00:00.000Z",
    });
    const middle = await makeRun(repo, {
      created_at: "2025-02-01T10:00:00+01:00",
    });
    const notJson = await makeRun(repo);
    await writeFile(notJson.metadata, "{");
    const incomplete = await makeRun(repo);
    await rm(incomplete.metadata);
    const runsDir = join(repo, RUNS_DIR);
    // Skipped: a folder being built, a stray file.
    await mkdir(join(runsDir, `.tmp-${older.id}-abcd`));
    await writeFile(join(runsDir, "notes.txt"), "hello");

    const { runs, broken } = await listRuns(repo);

    expect(runs.map((run) => run.id)).toStrictEqual([
      newest.id,
      middle.id,
      older.id,
    ]);
    expect(broken).toStrictEqual(
      [
        {
          id: notJson.id,
          message: expect.stringMatching(
            `^${RUNS_DIR}/${notJson.id}/metadata.json: not valid JSON`,
          ),
        },
        {
          id: incomplete.id,
          message: `${RUNS_DIR}/${incomplete.id}/metadata.json: missing; the run folder is incomplete`,
        },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
  });

  it("reports a folder whose name is not a run id", async () => {
    const repo = await makeTempDir();
    await mkdir(join(repo, RUNS_DIR, "scratch"), { recursive: true });
    expect(await listRuns(repo)).toStrictEqual({
      runs: [],
      broken: [
        {
          id: "scratch",
          message: `${RUNS_DIR}/scratch: not a run folder (its name is not a run id); remove it`,
        },
      ],
    });
  });

  it("finds nothing where no run was ever made", async () => {
    const repo = await makeTempDir();
    expect(await listRuns(repo)).toStrictEqual({ runs: [], broken: [] });
  });
});
