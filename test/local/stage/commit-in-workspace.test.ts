import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  commitInWorkspace,
  type LocalCommit,
  WorkspaceMovedError,
} from "../../../src/local/stage/commit-in-workspace.js";

// The commit a collected stage makes in the run's workspace, and what
// makes collecting again after a crash safe: the commit the attempt made
// before is found by its trailers, never made twice.

const run = promisify(execFile);
let workspace: string;

async function git(...args: string[]): Promise<string> {
  return (await run("git", args, { cwd: workspace })).stdout.trim();
}

beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), "specwright-workspace-"));
  await git("init", "--quiet", "--initial-branch=speckit/local");
  await git("config", "user.name", "Test Person");
  await git("config", "user.email", "person@example.com");
  await writeFile(join(workspace, "README.md"), "# A project\n");
  await git("add", "README.md");
  await git("commit", "--quiet", "-m", "Initial commit");
});
afterEach(async () => {
  await rm(workspace, { recursive: true, force: true });
});

function tasksCommit(
  parent: string,
  attempt = 1,
  content = "# Tasks\n",
): LocalCommit {
  return {
    workspace,
    branch: "speckit/local",
    parent,
    files: [
      {
        path: "specs/001-dark-mode/tasks.md",
        mode: "100644",
        encoding: "utf8",
        content,
      },
    ],
    message: 'specwright(tasks): Tasks for "Add a dark mode toggle"',
    trailers: {
      "Specwright-Run": "7f1c2d3e-0000-4000-8000-000000000000",
      "Specwright-Stage": "tasks",
      "Specwright-Attempt": String(attempt),
    },
  };
}

describe("commitInWorkspace", () => {
  it("commits the stage's files on the parent, with the message and trailers", async () => {
    const parent = await git("rev-parse", "HEAD");
    const sha = await commitInWorkspace(tasksCommit(parent));
    expect(sha).toBe(await git("rev-parse", "HEAD"));
    expect(await git("rev-parse", "HEAD^")).toBe(parent);
    expect(await git("log", "-1", "--format=%B")).toBe(
      [
        'specwright(tasks): Tasks for "Add a dark mode toggle"',
        "",
        "Specwright-Run: 7f1c2d3e-0000-4000-8000-000000000000",
        "Specwright-Stage: tasks",
        "Specwright-Attempt: 1",
      ].join("\n"),
    );
    expect(await git("show", "HEAD:specs/001-dark-mode/tasks.md")).toBe(
      "# Tasks",
    );
  });

  it("finds the commit the attempt made before a crash instead of making another", async () => {
    const parent = await git("rev-parse", "HEAD");
    const first = await commitInWorkspace(tasksCommit(parent));
    const again = await commitInWorkspace(tasksCommit(parent));
    expect(again).toBe(first);
    expect(await git("rev-list", "--count", "HEAD")).toBe("2");
  });

  it("refuses a branch that moved to another attempt's commit", async () => {
    const parent = await git("rev-parse", "HEAD");
    const first = await commitInWorkspace(tasksCommit(parent, 1));
    await expect(
      commitInWorkspace(tasksCommit(parent, 11)),
    ).rejects.toThrowError(
      new WorkspaceMovedError(
        `the workspace's branch speckit/local moved since Specwright last committed (it is at ${first?.slice(0, 12)}, not ${parent.slice(0, 12)}); the stage's changes were not committed`,
      ),
    );
    expect(await git("rev-list", "--count", "HEAD")).toBe("2");
  });

  it("refuses a workspace with changes nobody committed", async () => {
    const parent = await git("rev-parse", "HEAD");
    await writeFile(join(workspace, "notes.txt"), "mine\n");
    await expect(commitInWorkspace(tasksCommit(parent))).rejects.toThrowError(
      new WorkspaceMovedError(
        `the workspace has changes nobody committed (1 path, e.g. notes.txt); commit or discard them in ${workspace}, then resume`,
      ),
    );
    expect(await git("rev-parse", "HEAD")).toBe(parent);
  });

  it("makes no commit for changes that leave the tree as it was", async () => {
    const parent = await git("rev-parse", "HEAD");
    const unchanged = tasksCommit(parent);
    unchanged.files = [
      {
        path: "README.md",
        mode: "100644",
        encoding: "utf8",
        content: "# A project\n",
      },
    ];
    expect(await commitInWorkspace(unchanged)).toBeNull();
    expect(await commitInWorkspace({ ...unchanged, files: [] })).toBeNull();
    expect(await git("rev-parse", "HEAD")).toBe(parent);
  });
});
