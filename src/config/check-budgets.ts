import type { Diagnostic } from "../workflow/diagnostic.js";
import { didYouMean } from "../workflow/did-you-mean.js";
import type { Workflow } from "../workflow/schema.js";
import { DEFAULT_PRICES } from "./prices.js";
import type { Config } from "./schema.js";

/**
 * What the schema cannot judge of `budgets:` and `prices:`: a budget for a
 * stage the workflow does not have, and a price for a model that is neither
 * one Specwright knows of the four backends nor one this configuration runs
 * (a misspelt model name would otherwise silently never be used).
 */
export function checkBudgets(
  config: Omit<Config, "workflow">,
  workflow: Workflow,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const stageIds = workflow.stages.map((stage) => stage.id);
  for (const id of Object.keys(config.budgets.stages)) {
    if (!stageIds.includes(id)) {
      diagnostics.push({
        message: `budgets.stages names stage '${id}', which the workflow does not have${didYouMean(id, stageIds) || `; its stages: ${stageIds.join(", ")}`}`,
        path: ["budgets", "stages", id],
        target: "key",
      });
    }
  }
  const known = new Set(Object.keys(DEFAULT_PRICES));
  for (const model of [
    config.agent.model,
    ...workflow.stages.map((stage) => stage.agent?.model),
  ]) {
    if (model !== undefined) known.add(model);
  }
  for (const model of Object.keys(config.prices)) {
    if (known.has(model)) continue;
    diagnostics.push({
      message: `unknown model '${model}': not a model of claude, codex, gemini or copilot that Specwright knows, nor one this configuration runs (agent.model or a stage's agent.model)${didYouMean(model, [...known])}`,
      path: ["prices", model],
      target: "key",
    });
  }
  return diagnostics;
}
