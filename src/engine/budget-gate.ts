import { stageName } from "../workflow/schema.js";
import { definition, finishRun } from "./advance.js";
import { checkBudget } from "./budgets.js";
import { describeBudgetLine } from "./describe-budget.js";
import {
  type RunState,
  type StageRun,
  waitsAtBudgetGate,
} from "./run-state.js";
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
  closeApproval(context, stage);
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

/**
 * A stage approved at its workflow gate, then held at a budget gate: the
 * approval's check run is closed with its decision (its buttons would
 * otherwise still offer to approve), before the budget gate's replaces it.
 */
function closeApproval(context: TransitionContext, stage: StageRun): void {
  if (stage.gate_check_run_id === null || stage.budget_gate != null) return;
  context.effects.push({
    kind: "update_gate_check_run",
    stage: stage.id,
    check_run_id: stage.gate_check_run_id,
    approval: true,
  });
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

/**
 * When a stage held by the repository's daily or monthly budget may go on
 * by itself: the next UTC day or month after the spend was last read (or
 * the gate was reached). Undefined for a stage that no new day frees.
 */
export function budgetGateRenewal(
  state: RunState,
  stage: StageRun,
): number | undefined {
  if (!waitsAtBudgetGate(stage) || stage.budget_gate == null) return undefined;
  const gate = stage.budget_gate;
  const periods = new Set(gate.over.map((line) => line.scope));
  if (!periods.has("day") && !periods.has("month")) return undefined;
  // Held by the run's or the stage's own budget too: only a person frees it.
  if (periods.has("run") || periods.has("stage")) return undefined;
  const read = state.repository_spend?.at;
  const from = new Date(
    read !== undefined && read > gate.since ? read : gate.since,
  );
  return periods.has("day")
    ? Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate() + 1)
    : Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1);
}
