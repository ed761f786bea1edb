import type { RunState } from "../engine/run-state.js";
import { runUsage } from "../engine/usage-totals.js";
import type { StageStatus } from "../workflow/expressions/namespaces.js";

/** Statuses of a stage that is under way or waits for people. */
const CURRENT: ReadonlySet<StageStatus> = new Set<StageStatus>([
  "dispatched",
  "running",
  "retrying",
  "waiting_approval",
]);

/**
 * What the runs list shows of a run's state, as `runs` columns: its
 * current stage (the first in workflow order under way or waiting) and
 * its usage summed over every attempt, null where nothing was reported.
 * Migration 0004 computes the same in SQL for runs stored before it.
 */
export function runSummaryColumns(state: RunState) {
  const usage = runUsage(state);
  return {
    currentStage:
      state.stages.find((stage) => CURRENT.has(stage.status))?.id ?? null,
    inputTokens: usage.input_tokens ?? null,
    outputTokens: usage.output_tokens ?? null,
    turns: usage.turns ?? null,
    costUsd: usage.cost_usd ?? null,
  };
}
