import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRunFolder } from "../../../src/local/run-folder/create-run-folder.js";
import { RunFolderError } from "../../../src/local/run-folder/errors.js";
import { RUNS_DIR, runPaths } from "../../../src/local/run-folder/paths.js";
import {
  readRunMetadata,
  writeRunMetadata,
} from "../../../src/local/run-folder/run-metadata.js";
import {
  git,
  makeRepo,
  makeTempDir,
  removeTempDirs,
  sampleMetadata,
  WORKFLOW_TEXT,
} from "./fixtures.js";

afterEach(removeTempDirs);

describe("createRunFolder", () => {
  it("makes a complete run folder that reads back as written", async () => {
    const repo = await makeRepo();
    const metadata = sampleMetadata(repo);
    const paths = await createRunFolder(repo, {
      metadata,
      workflowText: WORKFLOW_TEXT,
    });

    expect(paths).toStrictEqual(runPaths(repo, metadata.id));
    expect((await readdir(paths.root)).sort()).toStrictEqual([
      "inbox",
      "metadata.json",
      "steps",
      "workflow_snapshot.yml",
    ]);
    expect(await readdir(paths.steps)).toStrictEqual([]);
    expect(await readdir(paths.inbox)).toStrictEqual([]);
    expect(await readFile(paths.snapshot, "utf8")).toBe(WORKFLOW_TEXT);
    expect(await readRunMetadata(paths)).toStrictEqual(metadata);
    // Nothing half-made is left beside it.
    expect(await readdir(join(repo, RUNS_DIR))).toStrictEqual([metadata.id]);
  });

  it("writes changed metadata back, keeping what it does not know", async () => {
    const repo = await makeRepo();
    const metadata = sampleMetadata(repo);
    const paths = await createRunFolder(repo, {
      metadata,
      workflowText: WORKFLOW_TEXT,
    });
    const changed = {
      ...metadata,
      status: "in_progress" as const,
      started_at: "2025-01-02T03:01:00.000Z",
      updated_at: "2025-01-02T03:01:00.000Z",
      steps: { "specify#1": "01_specify" },
      future_field: { kept: true },
    };
    await writeRunMetadata(paths, changed);
    expect(await readRunMetadata(paths)).toStrictEqual(changed);
    expect((await readdir(paths.root)).sort()).toStrictEqual([
      "inbox",
      "metadata.json",
      "steps",
      "workflow_snapshot.yml",
    ]);
  });

  it("makes git ignore .specwright/ once, through info/exclude", async () => {
    const repo = await makeRepo();
    await rm(join(repo, ".git", "info"), { recursive: true, force: true });
    const exclude = join(repo, ".git", "info", "exclude");
    for (const metadata of [sampleMetadata(repo), sampleMetadata(repo)])
      await createRunFolder(repo, { metadata, workflowText: WORKFLOW_TEXT });

    expect(await readFile(exclude, "utf8")).toBe("/.specwright/\n");
    expect(await git(repo, "status", "--porcelain", "--ignored=no")).toBe("");
  });

  it("appends the rule after existing lines, from a linked worktree too", async () => {
    const repo = await makeRepo();
    await git(
      repo,
      "-c",
      "user.name=Test",
      "-c",
      "user.email=test@example.com",
      "commit",
      "-q",
      "--allow-empty",
      "-m",
      "start",
    );
    const exclude = join(repo, ".git", "info", "exclude");
    await writeFile(exclude, "*.log");
    const worktree = join(await makeTempDir(), "wt");
    await git(repo, "worktree", "add", "-q", worktree);

    await createRunFolder(worktree, {
      metadata: sampleMetadata(worktree),
      workflowText: WORKFLOW_TEXT,
    });

    expect(await readFile(exclude, "utf8")).toBe("*.log\n/.specwright/\n");
    expect(await git(worktree, "status", "--porcelain")).toBe("");
  });

  it("refuses a run id that already has a folder", async () => {
    const repo = await makeRepo();
    const metadata = sampleMetadata(repo);
    await mkdir(join(repo, RUNS_DIR, metadata.id), { recursive: true });
    const created = createRunFolder(repo, {
      metadata,
      workflowText: WORKFLOW_TEXT,
    });
    await expect(created).rejects.toThrow(RunFolderError);
    await expect(created).rejects.toThrow(
      `${RUNS_DIR}/${metadata.id} already exists; a new run needs a new id`,
    );
    expect(await readdir(join(repo, RUNS_DIR))).toStrictEqual([metadata.id]);
  });

  it("refuses a folder that is not a git repository", async () => {
    const dir = await makeTempDir();
    await expect(
      createRunFolder(dir, {
        metadata: sampleMetadata(dir),
        workflowText: WORKFLOW_TEXT,
      }),
    ).rejects.toThrow(
      /is not a git repository.*run specwright inside a git clone/,
    );
    expect(await readdir(dir)).toStrictEqual([]);
  });
});
