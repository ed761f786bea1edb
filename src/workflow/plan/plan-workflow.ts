import { parseDuration } from "../duration.js";
import { evaluateExpression } from "../expressions/evaluate-expression.js";
import { ExpressionError } from "../expressions/expression-error.js";
import { parseCondition } from "../expressions/parse-template.js";
import { referencedNames } from "../expressions/referenced-names.js";
import { isTruthy, toValue } from "../expressions/values.js";
import type { StageGraph } from "../graph/build-graph.js";
import { computeBatches } from "../graph/compute-batches.js";
import { resolveAgent } from "../resolve-agent.js";
import {
  type AgentBackend,
  type AgentOverride,
  type Gate,
  stageGate,
  stageName,
  type Workflow,
} from "../schema.js";
import { NO_SKILL } from "../skills.js";
import type { ParameterValues } from "./resolve-parameters.js";

/** Names whose values are known before a run starts. */
const PLAN_TIME_NAMES = new Set(["parameters", "workflow", "env"]);

export interface PlannedStage {
  id: string;
  name: string;
  type: "agent" | "gate";
  /** 1-based. */
  batch: number;
  depends_on: string[];
  condition?: {
    expression: string;
    /** The condition's value if it can be decided before the run, else null. */
    value: boolean | null;
  };
  /** Skipped before it starts: its condition is already false. */
  skipped: boolean;
  gate?: Gate;
  agent?: { backend: AgentBackend; model?: string; max_turns?: number };
  skill?: string;
  fallback?: boolean;
  inputs: { name: string; source: string }[];
  outputs: { name: string; type: string; path?: string }[];
  timeout: string;
  max_attempts: number;
  on_failure: string;
}

export interface ExecutionPlan {
  workflow: { name: string; description?: string };
  parameters: ParameterValues;
  /** Stage ids per batch; stages in a batch may run in parallel, in file order. */
  batches: string[][];
  stages: PlannedStage[];
  /** The sum of each batch's longest time limit (no retries, no approval waits). */
  upper_bound_ms: number;
}

export interface PlanOptions {
  workflow: Workflow;
  /** An acyclic graph of the workflow (from `checkWorkflow`). */
  graph: StageGraph;
  parameters: ParameterValues;
  /** The repository's agent settings, under the stages' overrides. */
  agent?: AgentOverride & { backend: AgentBackend };
  /** The repository's `skills.fallback`. */
  fallback?: boolean;
}

function decideCondition(text: string, options: PlanOptions): boolean | null {
  try {
    const { expression } = parseCondition(text);
    for (const name of referencedNames(expression)) {
      if (!PLAN_TIME_NAMES.has(name)) return null;
    }
    const value = evaluateExpression(expression, {
      parameters: toValue(options.parameters),
      workflow: toValue({
        name: options.workflow.name,
        description: options.workflow.description ?? null,
      }),
      env: toValue(options.workflow.env),
    });
    return isTruthy(value);
  } catch (error) {
    if (error instanceof ExpressionError) return null;
    throw error;
  }
}

/**
 * Plans a checked workflow: parallel batches in dependency order, each
 * stage's agent, skill, inputs, outputs and limits, and conditions decided
 * where they only read parameters.
 */
export function planWorkflow(options: PlanOptions): ExecutionPlan {
  const { workflow, graph } = options;
  const batches = computeBatches(graph);
  const batchOf = new Map<number, number>();
  batches.forEach((batch, b) => {
    for (const index of batch) batchOf.set(index, b + 1);
  });

  const stages = workflow.stages.map((stage, index): PlannedStage => {
    const planned: PlannedStage = {
      id: stage.id,
      name: stageName(stage),
      type: stage.type,
      batch: batchOf.get(index) ?? 0,
      depends_on: stage.depends_on,
      skipped: false,
      inputs: Object.entries(stage.inputs).map(([name, input]) => ({
        name,
        source: input.source,
      })),
      outputs: Object.entries(stage.outputs).map(([name, output]) => ({
        name,
        type: output.type,
        ...(output.path === undefined ? {} : { path: output.path }),
      })),
      timeout: stage.error_policy.timeout,
      max_attempts: stage.error_policy.retry.max_attempts,
      on_failure: stage.error_policy.on_failure,
    };
    if (stage.condition !== undefined) {
      const value = decideCondition(stage.condition, options);
      planned.condition = { expression: stage.condition, value };
      planned.skipped = value === false;
    }
    const gate = stageGate(stage);
    if (gate !== undefined) planned.gate = gate;
    if (stage.type === "agent") {
      const { args: _, ...agent } = resolveAgent(
        options.agent ?? { backend: "claude" },
        stage.agent,
      );
      planned.agent = agent;
      planned.skill = stage.skill ?? NO_SKILL;
      planned.fallback =
        planned.skill !== NO_SKILL &&
        (stage.fallback ?? options.fallback ?? true);
    }
    return planned;
  });

  let upperBound = 0;
  for (const batch of batches) {
    let longest = 0;
    for (const index of batch) {
      const planned = stages[index];
      if (planned === undefined || planned.skipped || planned.type === "gate")
        continue;
      longest = Math.max(longest, parseDuration(planned.timeout) ?? 0);
    }
    upperBound += longest;
  }

  return {
    workflow: {
      name: workflow.name,
      ...(workflow.description === undefined
        ? {}
        : { description: workflow.description }),
    },
    parameters: options.parameters,
    batches: batches.map((batch) =>
      batch.map((index) => graph.ids[index] as string),
    ),
    stages,
    upper_bound_ms: upperBound,
  };
}
