import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Changes } from "../../../src/contracts/changes.js";
import type { StageRequest } from "../../../src/contracts/stage-request.js";
import type {
  ExecutionPath,
  Finding,
  StageResult,
} from "../../../src/contracts/stage-result.js";
import { findSkillRefusal } from "../agents/find-skill-refusal.js";
import { type AgentRun, runAgent } from "../agents/run-agent.js";
import { parseAnalyzeReport } from "../analyze-report.js";
import { collectChanges } from "../collect-changes.js";
import { readIndexStamp } from "../index-stamp.js";
import type { Masker } from "../mask.js";
import { OUTPUTS_FILE } from "../prompts/render-prompt.js";
import { verifyOutputs } from "../verify-outputs.js";
import type { AgentBox } from "./agent-box.js";
import type { StageDependencies } from "./stage-dependencies.js";
import type { AgentPrompt } from "./stage-prompts.js";

/** One run of the agent for the stage, checked. */
export interface Attempt {
  path: ExecutionPath;
  run: AgentRun;
  outputs: Record<string, unknown>;
  /** Why the attempt did not do the job, one sentence each. */
  problems: string[];
  changes: Changes;
  diffSummary: string;
  findings: Finding[];
  phase: StageResult["phases"][number];
}

async function readValues(cwd: string): Promise<Record<string, unknown>> {
  try {
    const value: unknown = JSON.parse(
      await readFile(join(cwd, OUTPUTS_FILE), "utf8"),
    );
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function decoded(file: {
  encoding: "utf8" | "base64";
  content: string;
}): string {
  return file.encoding === "base64"
    ? Buffer.from(file.content, "base64").toString("latin1")
    : file.content;
}

function stderrTail(stderr: string): string {
  const line = stderr.trim().split("\n").slice(-3).join(" ").trim();
  return line ? `: ${line.slice(0, 500)}` : "";
}

/** What went wrong with the agent's run itself. */
function runProblems(
  request: StageRequest,
  path: ExecutionPath,
  run: AgentRun,
): string[] {
  const refusal =
    path === "skill"
      ? (run.skillRefusal ?? findSkillRefusal(request.agent.backend, run))
      : null;
  return [
    ...(refusal
      ? [
          `the ${request.agent.backend} CLI did not run the skill (it said "${refusal}")`,
        ]
      : []),
    // A limit's stop says why the agent exited, and what it reported.
    ...(run.limit ? [run.limit.reason] : []),
    ...(!run.limit && run.exitCode !== 0
      ? [`the agent exited with code ${run.exitCode}${stderrTail(run.stderr)}`]
      : []),
    ...(run.error && !run.limit ? [run.error] : []),
  ];
}

/**
 * Runs the agent once (the skill, or the direct prompt), then checks what
 * it left: the changes against the dispatched commit (none that holds a
 * secret the stage was given), analyze's report, the stage's outputs.
 */
export async function runAttempt(options: {
  request: StageRequest;
  deps: StageDependencies;
  env: NodeJS.ProcessEnv;
  /** The stage's masking rule: its secrets, and their encodings. */
  mask: Masker;
  path: ExecutionPath;
  prompt: AgentPrompt;
  /** Where the agent runs: its own user, its proxy's arguments. */
  box?: AgentBox | undefined;
}): Promise<Attempt> {
  const { request, deps, env, mask, path, prompt } = options;
  const { cwd, log } = deps;
  await rm(join(cwd, ".specwright"), { recursive: true, force: true });
  const indexBefore = deps.stageInCheckout
    ? await readIndexStamp(cwd)
    : undefined;
  const start = deps.now();
  log.startGroup(
    `Agent: ${request.agent.backend} (${path === "skill" ? `skill ${request.skill.id}` : path})`,
  );
  const run = await runAgent({
    agent: request.agent,
    prompt: prompt.prompt,
    extraArgs: prompt.args,
    cwd,
    env,
    tempDir: deps.tempDir,
    secrets: mask.secrets,
    write: log.write,
    user: options.box?.user,
    trailingArgs: options.box?.args,
    signal: deps.signal,
    onSpawn: deps.onAgentSpawn,
    meter: options.box?.meter,
  });
  log.endGroup();
  const collected = await collectChanges(cwd, request.base_sha, {
    ownIndex: indexBefore === undefined ? undefined : { before: indexBefore },
  });
  if (collected.staged !== undefined) await deps.onStaged?.(collected.staged);
  const changedPaths = new Set(collected.changes.files.map((f) => f.path));
  // A file with a secret in it, in any encoding the bundle is masked for,
  // would be committed for everyone to read.
  const leaked = collected.changes.files.filter(
    (file) =>
      "content" in file &&
      (mask.finds(decoded(file)) || mask.finds(file.content)),
  );
  if (leaked.length > 0) collected.changes.files = [];
  for (const skipped of collected.skipped)
    log.warning(`specwright: left out of the bundle: ${skipped}`);
  const readOnly = request.stage === "analyze";
  const changes = readOnly
    ? { ...collected.changes, files: [] }
    : collected.changes;
  if (readOnly && collected.changes.files.length > 0) {
    log.warning(
      `specwright: analyze is read-only; its ${collected.changes.files.length} changed file(s) are not kept`,
    );
  }
  const values = await readValues(cwd);
  let findings: Finding[] = [];
  if (readOnly && run.finalMessage) {
    const report = parseAnalyzeReport(run.finalMessage, request.spec_dir);
    findings = report.findings;
    values.report ??= run.finalMessage;
    values.critical ??= report.critical;
  }
  const verified = await verifyOutputs({
    cwd,
    expected: request.outputs,
    changed: changedPaths,
    values,
  });
  const problems = [
    ...(leaked.length > 0
      ? [
          `${leaked.map((f) => f.path).join(", ")} contain${leaked.length === 1 ? "s" : ""} a secret the stage was given; nothing is handed back`,
        ]
      : []),
    ...runProblems(request, path, run),
    ...verified.problems,
  ];
  return {
    path,
    run,
    outputs: verified.outputs,
    problems,
    changes,
    diffSummary: collected.summary,
    findings,
    phase: {
      phase: path,
      status: problems.length === 0 ? "succeeded" : "failed",
      started_at: start.toISOString(),
      completed_at: deps.now().toISOString(),
    },
  };
}
