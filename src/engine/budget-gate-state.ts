// A stage held back by a budget: the shape the engine keeps of it, and the
// two questions the engine, the commands and the renderers ask of it.
import type { BudgetLine } from "./budgets.js";
import type { StageRun } from "./run-state.js";

/** A stage held back because a budget was reached before it could start. */
export interface BudgetGate {
  /** When the stage was held (its `waiting_since` for this wait). */
  since: string;
  /** The limits reached when the stage was held. */
  over: BudgetLine[];
  /** Measures a budget limits that some attempt did not report. */
  unreported: ("tokens" | "cost_usd" | "turns")[];
  /**
   * `allowed`: one more attempt may start over budget (`/approve`);
   * `stopped`: the run ended here; `lifted`: the budget allowed it again
   * (a new day or month). Null while it waits.
   */
  decision: "allowed" | "stopped" | "lifted" | null;
  decided_by: string | null;
  /** The allowed attempt has been dispatched: the next one is checked again. */
  used: boolean;
}

/**
 * Whether the stage's current (or latest) wait is a budget gate's rather
 * than its workflow gate's.
 */
export function isBudgetWait(stage: StageRun): boolean {
  return (
    stage.budget_gate != null && stage.budget_gate.since === stage.waiting_since
  );
}

/** Whether the stage waits at a budget gate (rather than at its workflow gate). */
export function waitsAtBudgetGate(stage: StageRun): boolean {
  return (
    stage.status === "waiting_approval" &&
    stage.budget_gate != null &&
    stage.budget_gate.decision === null
  );
}
