import type { Scope } from "../workflow/expressions/evaluate-expression.js";
import {
  toValue,
  type Value,
  type ValueObject,
} from "../workflow/expressions/values.js";
import type { RunState } from "./run-state.js";

/**
 * The names a run's expressions read, as `namespaces.ts` declares them:
 * parameters, every stage's status and outputs, the run, the workflow, env.
 */
export function expressionScope(state: RunState): Scope {
  const stages: ValueObject = {};
  for (const stage of state.stages) {
    stages[stage.id] = { status: stage.status, outputs: stage.outputs ?? {} };
  }
  const run: Record<string, Value> = {
    id: state.id,
    feature: state.feature,
    issue: state.issue?.number ?? null,
    repository: `${state.owner}/${state.repo}`,
    branch: state.branch,
    base_branch: state.base_branch,
    spec_dir: state.spec_dir,
    actor: state.requested_by,
    started_at: state.started_at,
  };
  return {
    parameters: toValue(state.parameters),
    stages,
    run,
    workflow: {
      name: state.workflow.name,
      description: state.workflow.description ?? null,
    },
    env: toValue(state.workflow.env),
  };
}
