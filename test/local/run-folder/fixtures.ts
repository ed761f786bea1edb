import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { RunMetadata } from "../../../src/local/run-folder/metadata-schema.js";
import { runPaths } from "../../../src/local/run-folder/paths.js";
import { makeRun } from "../../engine/fixtures.js";

const run = promisify(execFile);

/** Scratch folders made by a test, removed by `removeTempDirs` after it. */
const made: string[] = [];

export async function makeTempDir(): Promise<string> {
  // realpath: on macOS tmpdir() is a symlink, and git reports real paths.
  const dir = await realpath(
    await mkdtemp(join(tmpdir(), "specwright-run-folder-")),
  );
  made.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  for (const dir of made.splice(0))
    await rm(dir, { recursive: true, force: true });
}

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", args, { cwd });
  return stdout;
}

/** A scratch folder holding a fresh git repository. */
export async function makeRepo(): Promise<string> {
  const dir = await makeTempDir();
  await git(dir, "init", "-q", "-b", "main");
  return dir;
}

/** Three stages, so a test can break `state.stages[2]`. */
const WORKFLOW = {
  stages: [
    { id: "specify" },
    { id: "plan", depends_on: ["specify"] },
    { id: "tasks", depends_on: ["plan"] },
  ],
};

export const WORKFLOW_TEXT =
  "stages:\n  - id: specify\n  - id: plan\n    depends_on: [specify]\n";

/** A valid run's metadata; `overrides` replace top-level fields. */
export function sampleMetadata(
  repoRoot: string,
  overrides: Partial<RunMetadata> = {},
): RunMetadata {
  const id = overrides.id ?? randomUUID();
  const paths = runPaths(repoRoot, id);
  return {
    format: 1,
    id,
    feature: "Add a dark mode toggle",
    workflow_name: "speckit",
    status: "queued",
    created_at: "2025-01-02T03:00:00.000Z",
    started_at: null,
    completed_at: null,
    updated_at: "2025-01-02T03:00:00.000Z",
    parameters: { scope: "ui" },
    agent: {
      backend: "claude",
      model: null,
      prompt_pack_version: "1.0.0",
      runtime_env: { TZ: "UTC" },
    },
    repository_root: paths.repoRoot,
    base_branch: "main",
    branch: "speckit/20250102/k3x9",
    workspace: paths.workspace,
    steps: {},
    state: { ...makeRun(WORKFLOW), id },
    ...overrides,
  };
}

/** The pid of a process that has exited (and so is not alive). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(child, "exit");
  if (child.pid === undefined) throw new Error("node did not start");
  return child.pid;
}

/** Builds a UUID v4 starting with `prefix` (hex), for prefix lookups. */
export function uuidStartingWith(prefix: string): string {
  const hex = (prefix + randomUUID().replaceAll("-", "")).slice(0, 32);
  const v4 = `${hex.slice(0, 12)}4${hex.slice(13, 16)}8${hex.slice(17)}`;
  return `${v4.slice(0, 8)}-${v4.slice(8, 12)}-${v4.slice(12, 16)}-${v4.slice(16, 20)}-${v4.slice(20, 32)}`;
}
