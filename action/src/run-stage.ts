import type { Changes } from "../../src/contracts/changes.js";
import type { StageRequest } from "../../src/contracts/stage-request.js";
import type {
  ExecutionPath,
  StageResult,
} from "../../src/contracts/stage-result.js";
import { agentEnvironment } from "./agents/agent-environment.js";
import { BACKENDS } from "./agents/backends.js";
import { UntrustedCheckoutError } from "./agents/isolation/agent-sandbox.js";
import { git } from "./git.js";
import { createMasker, type Masker } from "./mask.js";
import { preflight, type WorkerStartupProfile } from "./preflight.js";
import { type AgentBox, openAgentBox } from "./stage/agent-box.js";
import { buildStageResult } from "./stage/build-stage-result.js";
import { checkCheckout } from "./stage/check-checkout.js";
import { handBack, handBackDryRun } from "./stage/hand-back.js";
import { maskedLog } from "./stage/masked-log.js";
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
import { stageSecrets } from "./stage/stage-secrets.js";

export type {
  ActionLog,
  StageDependencies,
  StageOutcome,
} from "./stage/stage-dependencies.js";

type Phase = StageResult["phases"][number];

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
 *
 * Whatever it hands back (the bundle, the outcome, its log, its error) is
 * masked with one rule: every secret the stage holds, in every encoding
 * the masker knows.
 */
export async function runStage(
  request: StageRequest,
  deps: StageDependencies,
): Promise<StageOutcome> {
  const mask = createMasker(stageSecrets(deps));
  try {
    return await stage(
      request,
      { ...deps, log: maskedLog(deps.log, mask) },
      mask,
    );
  } catch (error) {
    throw new Error(
      mask.text(error instanceof Error ? error.message : String(error)),
    );
  }
}

async function stage(
  request: StageRequest,
  deps: StageDependencies,
  mask: Masker,
): Promise<StageOutcome> {
  const { cwd, log } = deps;
  const started = deps.now();
  const phases: Phase[] = [];
  const uid = deps.uid ?? process.getuid?.();
  const env = agentEnvironment({
    request,
    env: deps.env,
    credentials: deps.credentials,
    root: uid === 0 && deps.isolation !== "user",
  });

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
  let box: AgentBox | undefined;
  if (failure === null && !deps.dryRun) {
    try {
      box = await openAgentBox({ request, deps, env, uid, log });
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
  }
  let path: ExecutionPath = profile.skill.usable ? "skill" : "direct_only";
  const emptyChanges: Changes = { base_sha: request.base_sha, files: [] };
  const elapsed = () => deps.now().getTime() - started.getTime();

  if (deps.dryRun) {
    const plan =
      failure === null ? await dryRunPlan(request, profile, path) : undefined;
    log.info(`specwright: dry run: ${failure ?? plan}`);
    return handBackDryRun(mask, deps, {
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
      ...(plan === undefined ? {} : { plan }),
    });
  }

  // 2-4. The skill, then the direct prompt.
  let final: Attempt | undefined;
  const attempt = async (kind: ExecutionPath, prompt: AgentPrompt) => {
    final = await runAttempt({
      request,
      deps,
      env: box?.env ?? env,
      mask,
      path: kind,
      prompt,
      box,
    });
    phases.push(final.phase);
    return final;
  };
  try {
    if (failure === null) {
      if (path === "skill") {
        const skill = await attempt(
          "skill",
          await skillPrompt(request, profile, cwd),
        );
        if (
          skill.problems.length > 0 &&
          // A limit stopped it: the direct prompt would spend more.
          skill.run.limit === undefined &&
          deps.signal?.aborted !== true &&
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
      if (deps.signal?.aborted) failure = "cancelled: the agent was stopped";
      else if (last && last.problems.length > 0) failure = failureOf(last);
    }
  } catch (error) {
    // Handed back as a failed stage, without any of the agent's work.
    if (!(error instanceof UntrustedCheckoutError)) throw error;
    failure = error.message;
    final = undefined;
  } finally {
    await box?.close();
  }
  return handBack({
    mask,
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

/**
 * Why the attempt failed, in one sentence each: when a limit stopped the
 * agent, that limit (what it left undone follows from it), else every
 * problem.
 */
function failureOf(attempt: Attempt): string {
  return attempt.run.limit?.reason ?? attempt.problems.join("; ");
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
