import { expect } from "vitest";
import { checkWorkflow } from "../../src/workflow/check-workflow.js";
import {
  type ExecutionPlan,
  type PlanOptions,
  planWorkflow,
} from "../../src/workflow/plan/plan-workflow.js";
import type { ParameterValues } from "../../src/workflow/plan/resolve-parameters.js";
import { Workflow } from "../../src/workflow/schema.js";

type Extra = Omit<PlanOptions, "workflow" | "graph" | "parameters">;

/** Parses and checks a workflow (it must be valid), then plans it. */
export function plan(
  raw: unknown,
  parameters: ParameterValues = {},
  extra: Extra = {},
): ExecutionPlan {
  const workflow = Workflow.parse(raw);
  const { graph, diagnostics } = checkWorkflow(workflow, ["workflow"]);
  expect(diagnostics).toStrictEqual([]);
  return planWorkflow({ workflow, graph, parameters, ...extra });
}
