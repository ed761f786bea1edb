import type { Usage } from "../contracts/stage-result.js";
import type { Attempt, RunState, StageRun } from "./run-state.js";

/**
 * Usage added up: a field is present only when at least one attempt
 * reported it (so "no cost reported" is not shown as $0).
 */
export function sumUsage(usages: readonly (Usage | null)[]): Usage {
  const total: Usage = {};
  for (const usage of usages) {
    if (!usage) continue;
    for (const key of [
      "input_tokens",
      "output_tokens",
      "turns",
      "cost_usd",
    ] as const) {
      const value = usage[key];
      if (value !== undefined) total[key] = (total[key] ?? 0) + value;
    }
  }
  if (total.cost_usd !== undefined)
    total.cost_usd = Math.round(total.cost_usd * 1e6) / 1e6;
  return total;
}

export function stageUsage(stage: Pick<StageRun, "attempts">): Usage {
  return sumUsage(stage.attempts.map((a: Attempt) => a.usage));
}

export function runUsage(run: Pick<RunState, "stages">): Usage {
  return sumUsage(run.stages.flatMap((s) => s.attempts.map((a) => a.usage)));
}
