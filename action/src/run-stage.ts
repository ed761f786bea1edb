import { join } from "node:path";
import type { Changes } from "../../src/contracts/changes.js";
import type { StageRequest } from "../../src/contracts/stage-request.js";
import type {
  ExecutionPath,
  StageResult,
} from "../../src/contracts/stage-result.js";
import { agentEnvironment } from "./agents/agent-environment.js";
import { BACKENDS } from "./agents/backends.js";
import { writeBundle } from "./bundle.js";
import { git } from "./git.js";
import { preflight, type WorkerStartupProfile } from "./preflight.js";
import { buildStageResult } from "./stage/build-stage-result.js";
import { checkCheckout } from "./stage/check-checkout.js";
import { findSpecDir } from "./stage/find-spec-dir.js";
import { type Attempt, runAttempt } from "./stage/run-attempt.js";
import type {
  StageDependencies,
  StageOutcome,
} from "./stage/stage-dependencies.js";
import {
  type AgentPrompt,
  directPrompt,
  skillPrompt,
} from "./stage/stage-prompts.js";

export type {
  ActionLog,
  StageDependencies,
  StageOutcome,
} from "./stage/stage-dependencies.js";

type Phase = StageResult["phases"][number];

/** Every secret the stage holds: masked in logs, refused in files. */
function secretsOf(deps: StageDependencies): string[] {
  return [
    ...Object.values(deps.credentials),
    deps.env.ACTIONS_RUNTIME_TOKEN,
    deps.env.GITHUB_TOKEN,
    deps.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
  ].filter((s): s is string => Boolean(s));
}

/** Why the stage cannot run at all, or null. */
async function readiness(
  request: StageRequest,
  deps: StageDependencies,
  profile: WorkerStartupProfile,
  direct: AgentPrompt | undefined,
): Promise<string | null> {
  if (!profile.ready)
    return `the runner is not ready: ${profile.failure_reason}`;
  const misplaced = await checkCheckout(request, deps.cwd, deps.env);
  if (misplaced) return misplaced;
  if (!profile.skill.usable && direct === undefined) {
    return `the skill '${request.skill.id}' is not usable (${profile.skill.reason}) and the stage has no prompt to fall back on`;
  }
  return null;
}

/**
 * Runs one stage: the plan is the Skills-First seed's.
 *
 * 1. Preflight: the agent CLI, its credential, Spec Kit, the skill.
 * 2. The skill (Spec Kit's command) if it is usable; else the direct prompt.
 * 3. After the skill failed, did not run, or left an output missing, the
 *    direct prompt, from a clean checkout, if fallback is allowed.
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
  const uid = deps.uid ?? process.getuid?.();
  const env = agentEnvironment({
    request,
    env: deps.env,
    credentials: deps.credentials,
    root: uid === 0,
  });
  const secrets = secretsOf(deps);

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
  for (const warning of profile.warnings) log.warning(`specwright: ${warning}`);

  const direct = directPrompt(request);
  let failure = await readiness(request, deps, profile, direct);
  let path: ExecutionPath = profile.skill.usable ? "skill" : "direct_only";
  const emptyChanges: Changes = { base_sha: request.base_sha, files: [] };
  const elapsed = () => deps.now().getTime() - started.getTime();

  if (deps.dryRun) {
    const plan =
      failure === null ? await dryRunPlan(request, profile, path) : undefined;
    log.info(`specwright: dry run: ${failure ?? plan}`);
    return {
      result: buildStageResult({
        request,
        profile,
        status: "failed",
        path,
        error: failure ?? "dry run: nothing was run",
        phases,
        durationMs: elapsed(),
      }),
      profile,
      changes: emptyChanges,
      artifactName: request.artifact.name,
      bundle: [],
      ...(plan === undefined ? {} : { plan }),
    };
  }

  // 2-4. The skill, then the direct prompt.
  let final: Attempt | undefined;
  const attempt = async (kind: ExecutionPath, prompt: AgentPrompt) => {
    final = await runAttempt({
      request,
      deps,
      env,
      secrets,
      path: kind,
      prompt,
    });
    phases.push(final.phase);
    return final;
  };
  if (failure === null) {
    if (path === "skill") {
      const skill = await attempt(
        "skill",
        await skillPrompt(request, profile, cwd),
      );
      if (
        skill.problems.length > 0 &&
        !skill.run.timedOut &&
        request.skill.fallback &&
        direct !== undefined
      ) {
        log.info(
          `specwright: the skill did not do the job (${skill.problems.join("; ")}); running the direct prompt`,
        );
        await git(cwd, ["reset", "--hard", request.base_sha]);
        await git(cwd, ["clean", "-fd"]);
        path = "direct_fallback";
        await attempt("direct_fallback", direct);
      }
    } else if (direct !== undefined) {
      await attempt("direct_only", direct);
    }
    const last = final as Attempt | undefined;
    if (last && last.problems.length > 0) failure = last.problems.join("; ");
  }
  return finish({
    request,
    deps,
    profile,
    phases,
    path,
    failure,
    final,
    started,
  });
}

/** What a dry run would run: only a ready runner has a command line worth showing. */
async function dryRunPlan(
  request: StageRequest,
  profile: WorkerStartupProfile,
  path: ExecutionPath,
): Promise<string> {
  const prompt =
    path === "skill"
      ? (await skillPrompt(request, profile, ".")).prompt
      : (directPrompt(request)?.prompt ?? "");
  const executable = BACKENDS[request.agent.backend].build(
    prompt,
    request.agent,
  ).executable;
  return `${path}: ${executable} with a ${prompt.length}-character prompt`;
}

/**
 * 5. The bundle, uploaded whatever happened. A failed stage's changes
 * travel too, for the record; the App commits none.
 */
async function finish(options: {
  request: StageRequest;
  deps: StageDependencies;
  profile: WorkerStartupProfile;
  phases: Phase[];
  path: ExecutionPath;
  failure: string | null;
  final: Attempt | undefined;
  started: Date;
}): Promise<StageOutcome> {
  const { request, deps, profile, phases, final } = options;
  const artifactName = request.artifact.name;
  const changes = final?.changes ?? {
    base_sha: request.base_sha,
    files: [],
  };
  const outputs = final?.outputs ?? {};
  const result = buildStageResult({
    request,
    profile,
    status: options.failure === null ? "succeeded" : "failed",
    path: options.path,
    error: options.failure,
    phases,
    durationMs: deps.now().getTime() - options.started.getTime(),
    final,
    outputs,
    specDir: await findSpecDir(request, deps.cwd, outputs, changes),
  });
  const bundleStart = deps.now();
  const directory = join(
    deps.tempDir,
    `specwright-bundle-${request.run_id}-${request.stage}-${request.attempt}`,
  );
  const files = await writeBundle(directory, {
    result: {
      ...result,
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
      duration_ms: deps.now().getTime() - options.started.getTime(),
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
  deps.log.info(
    `specwright: uploaded the result bundle ${artifactName}${uploaded.id ? ` (artifact ${uploaded.id})` : ""}`,
  );
  return { result, profile, changes, artifactName, bundle: files };
}
