import { stageName } from "../workflow/schema.js";
import { definition, finishRun } from "./advance.js";
import { checkBudget } from "./budgets.js";
import { describeBudgetLine } from "./describe-budget.js";
import { type StageRun, waitsAtBudgetGate } from "./run-state.js";
import type { TransitionContext } from "./transition-context.js";

/**
 * Before a stage's attempt is dispatched: holds the stage at a budget gate
 * when a budget is reached (true), unless someone allowed one more attempt,
 * which this dispatch then uses up.
 */
export function holdAtBudgetGate(
  context: TransitionContext,
  stage: StageRun,
): boolean {
  const gate = stage.budget_gate;
  if (gate != null && gate.decision === "allowed" && !gate.used) {
    gate.used = true;
    return false;
  }
  const check = checkBudget(context.state, stage, context.at);
  if (check.over.length === 0) return false;
  stage.status = "waiting_approval";
  stage.waiting_since = context.at;
  stage.gate_check_run_id = null;
  stage.budget_gate = {
    since: context.at,
    over: check.over,
    unreported: check.unreported,
    decision: null,
    decided_by: null,
    used: false,
  };
  context.effects.push(
    {
      kind: "create_gate_check_run",
      stage: stage.id,
      waiting_since: context.at,
    },
    {
      kind: "post_notice",
      notice: { type: "gate_waiting", stage: stage.id },
      key: `budget:${stage.id}:${context.at}`,
    },
  );
  return true;
}

/** `/approve` (or Allow) at a budget gate: one more attempt may start. */
export function allowOverBudget(
  context: TransitionContext,
  stage: StageRun,
  by: string,
): void {
  if (!waitsAtBudgetGate(stage) || stage.budget_gate == null) return;
  stage.budget_gate.decision = "allowed";
  stage.budget_gate.decided_by = by;
  stage.status = "pending";
  if (stage.gate_check_run_id !== null)
    context.effects.push({ kind: "update_gate_check_run", stage: stage.id });
}

/** Reject (or Stop) at a budget gate: the run ends there. */
export function stopAtBudgetGate(
  context: TransitionContext,
  stage: StageRun,
  by: string,
): void {
  if (!waitsAtBudgetGate(stage) || stage.budget_gate == null) return;
  const gate = stage.budget_gate;
  gate.decision = "stopped";
  gate.decided_by = by;
  const name = stageName(definition(context.state, stage.id));
  finishRun(
    context,
    "cancelled",
    `Stopped by @${by} at the budget gate before ${name}: ${gate.over.map(describeBudgetLine).join("; ")}`,
  );
}

/**
 * After the repository's spend was told again: stages held only by a
 * budget that now allows them go on (a new day or month began).
 */
export function liftBudgetGates(context: TransitionContext): void {
  const { state } = context;
  for (const stage of state.stages) {
    if (!waitsAtBudgetGate(stage) || stage.budget_gate == null) continue;
    if (checkBudget(state, stage, context.at).over.length > 0) continue;
    stage.budget_gate.decision = "lifted";
    stage.status = "pending";
    if (stage.gate_check_run_id !== null)
      context.effects.push({ kind: "update_gate_check_run", stage: stage.id });
  }
}
