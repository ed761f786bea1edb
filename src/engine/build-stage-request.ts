import { DEFAULT_MODELS } from "../config/prices.js";
import { checkRepositoryPath } from "../contracts/check-repository-path.js";
import {
  bundleArtifactName,
  type ExpectedOutput,
  MAX_REQUEST_LENGTH,
  PROMPT_PACK_VERSION,
  type StageRequest,
} from "../contracts/stage-request.js";
import { parseDuration } from "../workflow/duration.js";
import type { Scope } from "../workflow/expressions/evaluate-expression.js";
import { evaluateExpression } from "../workflow/expressions/evaluate-expression.js";
import { ExpressionError } from "../workflow/expressions/expression-error.js";
import {
  evaluateTemplate,
  hasExpressions,
  parseTemplate,
} from "../workflow/expressions/parse-template.js";
import { kindOf, toText, type Value } from "../workflow/expressions/values.js";
import { resolveAgent } from "../workflow/resolve-agent.js";
import { type Stage, stageName } from "../workflow/schema.js";
import { NO_SKILL, SPECKIT_SKILL } from "../workflow/skills.js";
import { checkBudget, type StageCaps } from "./budgets.js";
import { expressionScope } from "./expression-scope.js";
import { findStage, type RunState } from "./run-state.js";

/** Job time beyond the agent's: installing it, checking out, uploading. */
export const JOB_OVERHEAD_MINUTES = 15;

/** Evaluates text with `${{ }}`; fails when an expression in mixed text gives null. */
function resolve(text: string, scope: Scope, what: string): Value {
  if (!hasExpressions(text)) return text;
  const parts = parseTemplate(text);
  if (parts.length > 1) {
    for (const part of parts) {
      if (
        part.kind === "expression" &&
        evaluateExpression(part.expression, scope) === null
      ) {
        throw new Error(
          `${what} '${text}' reads a value that is not known yet (null)`,
        );
      }
    }
  }
  return evaluateTemplate(parts, scope);
}

function describe(error: unknown): string {
  return error instanceof ExpressionError
    ? `expression error: ${error.message}`
    : (error as Error).message;
}

/** What is left of the budgets for the attempt dispatched at `at`. */
function capsAt(state: RunState, stage: Stage, at: string | undefined) {
  const run = findStage(state, stage.id);
  return at === undefined || run === undefined
    ? ({} satisfies StageCaps)
    : checkBudget(state, run, at).caps;
}

/**
 * Builds the request the stage action receives: the stage's inputs and
 * output paths resolved from the run so far, its agent and skill, limits
 * (the stage's own, made smaller by what is left of the budgets at `at`).
 * Returns the reason instead when the stage cannot be dispatched.
 */
export function buildStageRequest(
  state: RunState,
  stage: Stage,
  attempt: number,
  at?: string,
):
  | { request: StageRequest; model: string | null }
  | { error: string; too_large?: true } {
  const scope = expressionScope(state);
  try {
    const inputs: Record<string, Value> = {};
    for (const [name, input] of Object.entries(stage.inputs)) {
      const value = resolve(input.source, scope, `input '${name}'`);
      if (value === null && input.required) {
        throw new Error(
          `input '${name}' is required, but its source '${input.source}' gave nothing`,
        );
      }
      if (
        value !== null &&
        input.type !== "any" &&
        kindOf(value) !== input.type
      ) {
        throw new Error(
          `input '${name}' must be ${input.type}, but its source gave ${kindOf(value)}`,
        );
      }
      inputs[name] = value;
    }

    const outputs: ExpectedOutput[] = [];
    for (const [name, output] of Object.entries(stage.outputs)) {
      const expected: ExpectedOutput = {
        name,
        type: output.type,
        must_change: output.must_change,
        required: output.required,
        ...(output.description === undefined
          ? {}
          : { description: output.description }),
      };
      if (output.path !== undefined) {
        const path = toText(
          resolve(output.path, scope, `output '${name}' path`),
        );
        const problem = checkRepositoryPath(path);
        if (problem !== undefined)
          throw new Error(`output '${name}' path '${path}': ${problem}`);
        expected.path = path;
      }
      outputs.push(expected);
    }

    const agent = resolveAgent(state.settings.agent, stage.agent);
    // A model from an expression that gave nothing means the CLI's default.
    const model =
      agent.model === undefined
        ? undefined
        : toText(resolve(agent.model, scope, "agent model")) || undefined;
    const args = agent.args.map((arg) =>
      toText(resolve(arg, scope, "agent argument")),
    );
    const caps = capsAt(state, stage, at);
    const timeoutMs = Math.min(
      parseDuration(stage.error_policy.timeout) ?? 30 * 60_000,
      caps.time_ms ?? Number.POSITIVE_INFINITY,
    );
    // The agent's limit to the second (the action enforces it); the job's
    // in whole minutes, as GitHub takes it.
    const agentMinutes = Math.max(1, Math.round(timeoutMs / 1000)) / 60;
    const jobMinutes = Math.ceil(agentMinutes);
    const maxTurns = Math.min(
      agent.max_turns ?? Number.POSITIVE_INFINITY,
      caps.turns ?? Number.POSITIVE_INFINITY,
    );

    const skillId = stage.skill ?? NO_SKILL;
    const skill =
      skillId === SPECKIT_SKILL.id
        ? SPECKIT_SKILL
        : state.settings.skills.catalog.find((entry) => entry.id === skillId);

    const request: StageRequest = {
      version: 1,
      run_id: state.id,
      stage: stage.id,
      stage_name: stageName(stage),
      attempt,
      repository: `${state.owner}/${state.repo}`,
      base_branch: state.base_branch,
      branch: state.branch,
      base_sha: state.head_sha ?? "",
      feature: { text: state.feature, issue: state.issue },
      spec_dir: state.spec_dir,
      agent: {
        backend: agent.backend,
        ...(model === undefined ? {} : { model }),
        args,
        ...(Number.isFinite(maxTurns) ? { max_turns: maxTurns } : {}),
        ...(caps.tokens === undefined ? {} : { max_tokens: caps.tokens }),
        ...(caps.cost_usd === undefined ? {} : { max_cost_usd: caps.cost_usd }),
        timeout_minutes: agentMinutes,
        ...(state.settings.agent.command === undefined ||
        agent.backend !== "command"
          ? {}
          : { command: state.settings.agent.command }),
        prompt_via: state.settings.agent.prompt_via,
      },
      job_timeout_minutes: jobMinutes + JOB_OVERHEAD_MINUTES,
      skill: {
        id: skill === undefined ? NO_SKILL : skill.id,
        is_speckit: skill?.is_speckit ?? false,
        allowlisted: skill?.allowlisted ?? false,
        fallback:
          skill !== undefined &&
          (stage.fallback ?? state.settings.skills.fallback),
        health_check: skill?.health_check ?? null,
      },
      prompt_pack_version: PROMPT_PACK_VERSION,
      prompt: stage.prompt ?? null,
      outputs,
      inputs,
      parameters: state.parameters,
      env: state.workflow.env,
      artifact: {
        name: bundleArtifactName(state.id, stage.id, attempt),
        retention_days: state.settings.artifact_retention_days,
      },
    };
    const length = JSON.stringify(request).length;
    if (length > MAX_REQUEST_LENGTH) {
      return {
        error: `the stage request is ${length} characters, over the ${MAX_REQUEST_LENGTH} GitHub allows in dispatch inputs; shorten the issue text or the stage's inputs`,
        too_large: true,
      };
    }
    return {
      request,
      model: model ?? DEFAULT_MODELS[agent.backend] ?? null,
    };
  } catch (error) {
    return { error: describe(error) };
  }
}
