import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Changes } from "../../src/contracts/changes.js";
import type { StageRequest } from "../../src/contracts/stage-request.js";
import type {
  ExecutionPath,
  Finding,
  StageResult,
  Usage,
} from "../../src/contracts/stage-result.js";
import { formatDuration } from "../../src/workflow/duration.js";
import type { PromptContext } from "../../src/workflow/prompt-context.js";
import { BACKENDS, type Credential } from "./agents/backends.js";
import { type AgentRun, runAgent } from "./agents/run-agent.js";
import { parseAnalyzeReport } from "./analyze-report.js";
import { type ArtifactUploader, writeBundle } from "./bundle.js";
import { collectChanges } from "./collect-changes.js";
import { git } from "./git.js";
import { preflight, type WorkerStartupProfile } from "./preflight.js";
import { PROMPT_PACK } from "./prompts/prompt-pack.js";
import { OUTPUTS_FILE, renderPrompt } from "./prompts/render-prompt.js";
import { sanitizeUntrusted } from "./prompts/sanitize.js";
import { speckitInvocation } from "./speckit.js";
import { verifyOutputs } from "./verify-outputs.js";

export interface ActionLog {
  info(message: string): void;
  warning(message: string): void;
  startGroup(name: string): void;
  endGroup(): void;
  /** Writes agent output as it streams. */
  write(text: string): void;
}

export interface StageDependencies {
  cwd: string;
  tempDir: string;
  uploader: ArtifactUploader;
  log: ActionLog;
  now: () => Date;
  /** The runner's environment; the agent gets a cleaned copy. */
  env: NodeJS.ProcessEnv;
  credentials: Partial<Record<Credential["input"], string>>;
  dryRun: boolean;
}

export interface StageOutcome {
  result: StageResult;
  profile: WorkerStartupProfile;
  changes: Changes;
  artifactName: string;
  /** Paths of the bundle's files (empty in a dry run). */
  bundle: string[];
  /** What a dry run would have run. */
  plan?: string;
}

type Phase = StageResult["phases"][number];

/**
 * Variables the agent never sees: the runner's tokens (an agent holding
 * ACTIONS_RUNTIME_TOKEN could upload a bundle in the App's name), the
 * action's inputs (other backends' keys), GitHub tokens.
 */
const WITHHELD = [
  /^ACTIONS_/,
  /^INPUT_/,
  /^GITHUB_TOKEN$/,
  /^GH_TOKEN$/,
  /^RUNNER_TOKEN$/,
];

function agentEnvironment(
  request: StageRequest,
  deps: StageDependencies,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(deps.env)) {
    if (!WITHHELD.some((pattern) => pattern.test(name))) env[name] = value;
  }
  for (const spec of Object.values(BACKENDS)) {
    for (const credential of spec.credentials) {
      if (spec !== BACKENDS[request.agent.backend]) delete env[credential.env];
    }
  }
  Object.assign(env, request.env);
  for (const credential of BACKENDS[request.agent.backend].credentials) {
    const value = deps.credentials[credential.input];
    if (value) env[credential.env] = value;
  }
  if (request.spec_dir) env.SPECIFY_FEATURE_DIRECTORY = request.spec_dir;
  env.SPECWRIGHT_RUN_ID = request.run_id;
  env.SPECWRIGHT_STAGE = request.stage;
  return env;
}

function promptContext(request: StageRequest): PromptContext {
  return {
    feature: request.feature.text,
    issue: request.feature.issue,
    stage: { id: request.stage, name: request.stage_name },
    inputs: request.inputs,
    parameters: request.parameters,
    outputs: request.outputs.map((o) => ({
      name: o.name,
      type: o.type,
      ...(o.path === undefined ? {} : { path: o.path }),
      ...(o.description === undefined ? {} : { description: o.description }),
    })),
    run: {
      id: request.run_id,
      repository: request.repository,
      branch: request.branch,
      base_branch: request.base_branch,
      spec_dir: request.spec_dir,
    },
  };
}

/** The prompt that runs the stage's skill: its command, and the feature for `specify`. */
function skillPrompt(
  request: StageRequest,
  profile: WorkerStartupProfile,
): string {
  const { stage, agent, feature } = request;
  const command = request.skill.is_speckit
    ? speckitInvocation(agent.backend, stage, profile.speckit)
    : `/${request.skill.id} ${stage}`;
  const text = sanitizeUntrusted(feature.text);
  const args =
    stage === "specify"
      ? text
      : stage === "implement"
        ? "The implementation is approved: proceed through every task without asking for confirmation."
        : "";
  return args ? `${command} ${args}` : command;
}

function directPrompt(request: StageRequest): string | undefined {
  const template = request.prompt ?? PROMPT_PACK[request.stage];
  return template === undefined
    ? undefined
    : renderPrompt(template, promptContext(request), request.outputs);
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

async function specDirOf(
  request: StageRequest,
  cwd: string,
  outputs: Record<string, unknown>,
  changes: Changes,
): Promise<string | null> {
  if (request.spec_dir) return request.spec_dir;
  try {
    const feature = JSON.parse(
      await readFile(join(cwd, ".specify/feature.json"), "utf8"),
    ) as { feature_directory?: unknown };
    if (
      typeof feature.feature_directory === "string" &&
      (await stat(join(cwd, feature.feature_directory))).isDirectory()
    ) {
      return feature.feature_directory.replace(/^\.\//, "").replace(/\/$/, "");
    }
  } catch {
    // No feature.json (it is git-ignored, and only Spec Kit's scripts write it).
  }
  const paths = [
    ...Object.values(outputs).filter((v): v is string => typeof v === "string"),
    ...changes.files.map((f) => f.path),
  ];
  for (const path of paths) {
    const match = /^(specs\/[^/]+)\/spec\.md$/.exec(path);
    if (match?.[1]) return match[1];
  }
  return null;
}

interface Attempt {
  path: ExecutionPath;
  run: AgentRun;
  outputs: Record<string, unknown>;
  problems: string[];
  changes: Changes;
  diffSummary: string;
  findings: Finding[];
  phase: Phase;
}

/**
 * The stage must run on the commit the App dispatched it against, from the
 * branch it made: changes are collected against that commit, and the App
 * commits them on top of it.
 */
async function checkCheckout(
  request: StageRequest,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<string | null> {
  if (
    env.GITHUB_EVENT_NAME === "workflow_dispatch" &&
    env.GITHUB_REF_NAME &&
    env.GITHUB_REF_NAME !== request.branch
  ) {
    return `the workflow was dispatched on '${env.GITHUB_REF_NAME}', not on the run's branch '${request.branch}'`;
  }
  let head: string;
  try {
    head = (await git(cwd, ["rev-parse", "HEAD"])).trim();
  } catch (error) {
    return `${cwd} is not a git checkout (${error instanceof Error ? error.message : String(error)}); the stage workflow must check out the repository first`;
  }
  return head === request.base_sha
    ? null
    : `the checkout is at ${head.slice(0, 12)}, not at the commit the stage was dispatched against (${request.base_sha.slice(0, 12)}); the stage workflow must check out \${{ fromJSON(inputs.request).base_sha }}`;
}

/**
 * Runs one stage: the plan is the Skills-First seed's.
 *
 * 1. Preflight: the agent CLI, its credential, Spec Kit, the skill.
 * 2. The skill (Spec Kit's command) if it is usable; else the direct prompt.
 * 3. After the skill failed or left an output missing, the direct prompt,
 *    from a clean checkout, if fallback is allowed.
 * 4. Verify the outputs; collect the changes against the dispatched commit.
 * 5. Write the result bundle and upload it — on failure too.
 */
export async function runStage(
  request: StageRequest,
  deps: StageDependencies,
): Promise<StageOutcome> {
  const { cwd, log } = deps;
  const started = deps.now();
  const phases: Phase[] = [];
  const artifactName = request.artifact.name;
  const env = agentEnvironment(request, deps);
  const secrets = [
    ...Object.values(deps.credentials).filter((s): s is string => Boolean(s)),
    ...[
      deps.env.ACTIONS_RUNTIME_TOKEN,
      deps.env.GITHUB_TOKEN,
      deps.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
    ].filter((s): s is string => Boolean(s)),
  ];

  // 1. Preflight.
  const preflightStart = deps.now();
  const profile = await preflight({ request, cwd, env });
  phases.push({
    phase: "preflight",
    status: profile.ready ? "succeeded" : "failed",
    started_at: preflightStart.toISOString(),
    completed_at: deps.now().toISOString(),
  });
  log.info(
    `specwright: ${request.stage} attempt ${request.attempt}: ${profile.agent.backend} ${profile.agent.version ?? "(version unknown)"}, skill ${request.skill.id}${profile.skill.usable ? "" : ` (not usable: ${profile.skill.reason})`}`,
  );

  const emptyChanges: Changes = { base_sha: request.base_sha, files: [] };
  let final: Attempt | undefined;
  const misplaced = await checkCheckout(request, cwd, deps.env);
  let failure: string | null = !profile.ready
    ? `the runner is not ready: ${profile.failure_reason}`
    : misplaced;
  let path: ExecutionPath = profile.skill.usable ? "skill" : "direct_only";
  const direct = directPrompt(request);

  if (failure === null && !profile.skill.usable && direct === undefined) {
    failure = `the skill '${request.skill.id}' is not usable (${profile.skill.reason}) and the stage has no prompt to fall back on`;
  }

  if (deps.dryRun) {
    // Only a ready runner has a command line worth showing (and a badly
    // quoted agent.command has none).
    let plan: string | undefined;
    if (failure === null) {
      const prompt =
        path === "skill" ? skillPrompt(request, profile) : (direct ?? "");
      plan = `${path}: ${BACKENDS[request.agent.backend].build(prompt, request.agent).executable} with a ${prompt.length}-character prompt`;
    }
    log.info(`specwright: dry run: ${failure ?? plan}`);
    return {
      result: result("failed", path, failure ?? "dry run: nothing was run"),
      profile,
      changes: emptyChanges,
      artifactName,
      bundle: [],
      ...(plan === undefined ? {} : { plan }),
    };
  }

  // 2-4. The skill, then the direct prompt.
  const attempt = async (
    kind: ExecutionPath,
    prompt: string,
  ): Promise<Attempt> => {
    await rm(join(cwd, ".specwright"), { recursive: true, force: true });
    const start = deps.now();
    log.startGroup(
      `Agent: ${request.agent.backend} (${kind === "skill" ? `skill ${request.skill.id}` : kind})`,
    );
    const run = await runAgent({
      agent: request.agent,
      prompt,
      cwd,
      env,
      tempDir: deps.tempDir,
      secrets,
      write: log.write,
    });
    log.endGroup();
    const collected = await collectChanges(cwd, request.base_sha);
    const changedPaths = new Set(collected.changes.files.map((f) => f.path));
    // A file with a secret in it would be committed for everyone to read.
    const leaked = collected.changes.files.filter(
      (file) =>
        "content" in file && secrets.some((s) => decoded(file).includes(s)),
    );
    if (leaked.length > 0) collected.changes.files = [];
    for (const skipped of collected.skipped)
      log.warning(`specwright: left out of the bundle: ${skipped}`);
    const changes =
      request.stage === "analyze"
        ? { ...collected.changes, files: [] }
        : collected.changes;
    if (request.stage === "analyze" && collected.changes.files.length > 0) {
      log.warning(
        `specwright: analyze is read-only; its ${collected.changes.files.length} changed file(s) are not kept`,
      );
    }
    const values = await readValues(cwd);
    let findings: Finding[] = [];
    if (request.stage === "analyze" && run.finalMessage) {
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
      ...(run.timedOut
        ? [
            `the agent did not finish within ${formatDuration(request.agent.timeout_minutes * 60_000)} and was stopped`,
          ]
        : []),
      ...(!run.timedOut && run.exitCode !== 0
        ? [
            `the agent exited with code ${run.exitCode}${stderrTail(run.stderr)}`,
          ]
        : []),
      ...(run.error ? [run.error] : []),
      ...verified.problems,
    ];
    const ok = problems.length === 0;
    return {
      path: kind,
      run,
      outputs: verified.outputs,
      problems,
      changes,
      diffSummary: collected.summary,
      findings,
      phase: {
        phase: kind,
        status: ok ? "succeeded" : "failed",
        started_at: start.toISOString(),
        completed_at: deps.now().toISOString(),
      },
    };
  };

  if (failure === null) {
    if (path === "skill") {
      final = await attempt("skill", skillPrompt(request, profile));
      phases.push(final.phase);
      if (
        final.problems.length > 0 &&
        !final.run.timedOut &&
        request.skill.fallback &&
        direct !== undefined
      ) {
        log.info(
          `specwright: the skill did not do the job (${final.problems.join("; ")}); running the direct prompt`,
        );
        await git(cwd, ["reset", "--hard", request.base_sha]);
        await git(cwd, ["clean", "-fd"]);
        path = "direct_fallback";
        final = await attempt("direct_fallback", direct);
        phases.push(final.phase);
      }
    } else if (direct !== undefined) {
      final = await attempt("direct_only", direct);
      phases.push(final.phase);
    }
    if (final && final.problems.length > 0) failure = final.problems.join("; ");
  }

  // 5. The bundle, uploaded whatever happened.
  // A failed stage's changes travel too, for the record; the App commits none.
  const changes = final?.changes ?? emptyChanges;
  const outputs = final?.outputs ?? {};
  const specDir = await specDirOf(request, cwd, outputs, changes);
  const status = failure === null ? "succeeded" : "failed";
  const stageResult = result(status, path, failure, {
    outputs,
    spec_dir: specDir,
    usage: final?.run.usage ?? null,
    agentVersion: profile.agent.version,
    findings: final?.findings ?? [],
    finalMessage: final?.run.finalMessage ?? null,
  });
  const bundleStart = deps.now();
  const directory = join(
    deps.tempDir,
    `specwright-bundle-${request.run_id}-${request.stage}-${request.attempt}`,
  );
  const files = await writeBundle(directory, {
    result: {
      ...stageResult,
      phases: [
        ...phases,
        {
          phase: "bundle",
          status: "succeeded",
          started_at: bundleStart.toISOString(),
          completed_at: deps.now().toISOString(),
        },
      ],
    },
    changes,
    stdout: final?.run.stdout ?? "",
    stderr: final?.run.stderr ?? "",
    diffSummary: final?.diffSummary ?? "",
    environment: profile,
    metrics: {
      duration_ms: deps.now().getTime() - started.getTime(),
      agent_duration_ms: final?.run.durationMs ?? 0,
      exit_code: final?.run.exitCode ?? null,
      timed_out: final?.run.timedOut ?? false,
      changed_files: changes.files.length,
      usage: final?.run.usage ?? null,
      command: final?.run.commandLine ?? null,
    },
  });
  let uploaded: { id?: number | undefined };
  try {
    uploaded = await deps.uploader.upload(
      artifactName,
      files,
      directory,
      request.artifact.retention_days,
    );
  } catch (error) {
    throw new Error(
      `could not upload the result bundle ${artifactName}, so the App cannot take the stage's work: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  log.info(
    `specwright: uploaded the result bundle ${artifactName}${uploaded.id ? ` (artifact ${uploaded.id})` : ""}`,
  );
  return { result: stageResult, profile, changes, artifactName, bundle: files };

  function result(
    s: "succeeded" | "failed",
    executionPath: ExecutionPath,
    error: string | null,
    extra: {
      outputs?: Record<string, unknown>;
      spec_dir?: string | null;
      usage?: Usage | null;
      agentVersion?: string | null;
      findings?: Finding[];
      finalMessage?: string | null;
    } = {},
  ): StageResult {
    return {
      version: 1,
      run_id: request.run_id,
      stage: request.stage,
      attempt: request.attempt,
      status: s,
      execution_path: executionPath,
      selected_skill_id:
        executionPath === "direct_only" ? null : request.skill.id,
      duration_ms: Math.max(0, deps.now().getTime() - started.getTime()),
      outputs: extra.outputs ?? {},
      spec_dir: extra.spec_dir ?? request.spec_dir,
      artifacts: [
        {
          type: "stdout_log",
          name: "stdout.log",
          size_bytes: Buffer.byteLength(final?.run.stdout ?? ""),
        },
        {
          type: "stderr_log",
          name: "stderr.log",
          size_bytes: Buffer.byteLength(final?.run.stderr ?? ""),
        },
        {
          type: "diff_summary",
          name: "diff-summary.txt",
          size_bytes: Buffer.byteLength(final?.diffSummary ?? ""),
        },
        {
          type: "environment_info",
          name: "environment.json",
          size_bytes: Buffer.byteLength(JSON.stringify(profile)),
        },
      ],
      error_message: error,
      phases,
      usage: extra.usage ?? null,
      agent: {
        backend: request.agent.backend,
        version: extra.agentVersion ?? profile.agent.version,
      },
      findings: extra.findings ?? [],
      final_message: extra.finalMessage
        ? extra.finalMessage.slice(-20_000)
        : null,
    };
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
