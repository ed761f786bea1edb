import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Changes } from "../../src/contracts/changes.js";
import type { StageRequest } from "../../src/contracts/stage-request.js";
import type { StageResult } from "../../src/contracts/stage-result.js";
import { CREDENTIAL_INPUTS, TEST_MODELS } from "../support/model-api/index.js";
import { CLI_BIN } from "../support/model-api/run-cli.js";
import type { Backend } from "../support/model-api/script.js";
import {
  installSpecKit,
  type SpecKitLayout,
} from "../support/spec-kit-fixtures.js";
import { type ActionRun, createHarness, json } from "./harness.js";

// Drives the action's run() with a real agent CLI, stage after stage, doing
// the App's part in between: committing each succeeded stage's changes.

export const STAND_IN_KEY = "sk-stand-in-0123456789abcdef";

export type Stage = "specify" | "plan" | "tasks" | "analyze" | "implement";
export const STAGES: Stage[] = [
  "specify",
  "plan",
  "tasks",
  "analyze",
  "implement",
];

export type Harness = Awaited<ReturnType<typeof createHarness>>;

/** The default workflow's outputs for a stage, with the feature's folder known. */
function outputsOf(stage: Stage, specDir: string | null) {
  const file = (name: string, path: string) => ({
    name,
    type: "file" as const,
    path,
    must_change: true,
    required: true,
  });
  const value = (name: string, type: "string" | "number") => ({
    name,
    type,
    must_change: false,
    required: true,
  });
  switch (stage) {
    case "specify":
      return [file("spec", "specs/*/spec.md")];
    case "plan":
      return [file("plan", `${specDir}/plan.md`)];
    case "tasks":
    case "implement":
      return [file("tasks", `${specDir}/tasks.md`)];
    case "analyze":
      return [value("report", "string"), value("critical", "number")];
  }
}

/** A repository laid out by Spec Kit (plus `extra` files), committed. */
export async function layoutRepo(
  layout: SpecKitLayout,
  extra: Record<string, string> = {},
): Promise<Harness> {
  const h = await createHarness({ "README.md": "# Web\n", ...extra });
  await installSpecKit(layout, h.repo);
  h.git("add", "-A");
  h.git("commit", "-q", "-m", "specify init");
  return h;
}

/** What the App does with a succeeded stage's bundle: commit its changes. */
export async function commitBundle(
  h: Harness,
  run: ActionRun,
  stage: string,
): Promise<string> {
  const changes = json<Changes>(run.upload, "changes.json");
  h.git("reset", "-q", "--hard");
  h.git("clean", "-qfdx");
  for (const file of changes.files) {
    const path = join(h.repo, file.path);
    if ("deleted" in file) {
      await rm(path, { force: true });
      continue;
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(
      path,
      file.encoding === "base64"
        ? Buffer.from(file.content, "base64")
        : file.content,
    );
  }
  h.git("add", "-A");
  h.git("commit", "-q", "--allow-empty", "-m", `specwright(${stage})`);
  return h.git("rev-parse", "HEAD");
}

export interface Base {
  sha: string;
  specDir: string | null;
}

/** Runs one stage through the action with the backend's real CLI. */
export function runRealStage(options: {
  h: Harness;
  backend: Backend;
  stage: Stage;
  base: Base;
  env: Record<string, string>;
  request?: Partial<StageRequest>;
}): Promise<ActionRun> {
  const { h, backend, stage, base } = options;
  const request: StageRequest = h.request({
    stage,
    stage_name: stage,
    base_sha: base.sha,
    spec_dir: base.specDir,
    agent: {
      backend,
      model: TEST_MODELS[backend],
      args: [],
      timeout_minutes: 3,
      prompt_via: "stdin",
    },
    outputs: outputsOf(stage, base.specDir),
    artifact: { name: `specwright-run-${stage}-1`, retention_days: 7 },
    ...options.request,
  });
  return h.runAction(request, {
    inputs: { [CREDENTIAL_INPUTS[backend]]: STAND_IN_KEY },
    env: { PATH: `${CLI_BIN}:${process.env.PATH}`, ...options.env },
  });
}

/**
 * Runs `stages` in order, committing each one's changes; stops at the first
 * that fails. Returns every stage's result.
 */
export async function runRealStages(options: {
  h: Harness;
  backend: Backend;
  stages: readonly Stage[];
  env: Record<string, string>;
}): Promise<{ results: StageResult[]; base: Base }> {
  const { h } = options;
  let base: Base = { sha: h.git("rev-parse", "HEAD"), specDir: null };
  const results: StageResult[] = [];
  for (const stage of options.stages) {
    const run = await runRealStage({ ...options, stage, base });
    const result = json<StageResult>(run.upload, "result.json");
    results.push(result);
    if (result.status !== "succeeded") break;
    base = {
      sha: await commitBundle(h, run, stage),
      specDir: result.spec_dir,
    };
  }
  return { results, base };
}
