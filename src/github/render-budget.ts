import type { Usage } from "../contracts/stage-result.js";
import type { BudgetLine, BudgetScope } from "../engine/budgets.js";
import { formatAmount } from "../engine/describe-budget.js";
import type { Attempt, BudgetGate, StageRun } from "../engine/run-state.js";
import { sumUsage } from "../engine/usage-totals.js";
import { plural } from "./render-status.js";

const n = (value: number) => value.toLocaleString("en-US");

function costText(cost: number, estimated: boolean): string {
  const amount = formatAmount("cost_usd", cost);
  return estimated ? `~${amount} (estimated)` : amount;
}

/**
 * Usage for people: `1,200 input + 300 output tokens · 4 turns · $0.05`,
 * a cost Specwright estimated marked so; undefined when nothing is known.
 */
export function usageText(
  usage: Usage | null,
  estimated = false,
): string | undefined {
  if (usage === null) return undefined;
  const parts: string[] = [];
  if (usage.input_tokens !== undefined || usage.output_tokens !== undefined)
    parts.push(
      `${n(usage.input_tokens ?? 0)} input + ${n(usage.output_tokens ?? 0)} output tokens`,
    );
  if (usage.turns !== undefined) parts.push(plural(usage.turns, "turn"));
  if (usage.cost_usd !== undefined)
    parts.push(costText(usage.cost_usd, estimated));
  return parts.length > 0 ? parts.join(" · ") : undefined;
}

/** An ended attempt's usage, or that the agent reported none. */
export function attemptUsageText(attempt: Attempt): string | undefined {
  const text = usageText(attempt.usage, attempt.cost_estimated === true);
  if (text !== undefined) return text;
  return attempt.completed_at !== null && attempt.execution_path !== null
    ? "usage not reported"
    : undefined;
}

/** Usage of several attempts added up, marked estimated if any part is. */
export function totalUsageText(
  attempts: readonly Attempt[],
): string | undefined {
  const ended = attempts.filter((a) => a.completed_at !== null);
  const total = sumUsage(ended.map((a) => a.usage));
  const text = usageText(
    total,
    ended.some((a) => a.cost_estimated === true),
  );
  if (text !== undefined) return text;
  return ended.some((a) => a.execution_path !== null)
    ? "usage not reported"
    : undefined;
}

const SCOPES: Readonly<Record<BudgetScope, string>> = {
  run: "this run",
  stage: "this stage",
  day: "the repository's runs today (UTC)",
  month: "the repository's runs this month (UTC)",
};

const MEASURES: Readonly<Record<BudgetLine["measure"], string>> = {
  tokens: "Tokens",
  cost_usd: "Cost",
  turns: "Turns",
  time: "Time",
};

/** The limits a budget gate stopped at, as a table: spent against limit. */
export function budgetTable(gate: BudgetGate): string[] {
  return [
    "| Budget | Spent | Limit |",
    "| --- | --- | --- |",
    ...gate.over.map(
      (line) =>
        `| ${MEASURES[line.measure]} of ${SCOPES[line.scope]} | ${formatAmount(line.measure, line.spent)} | ${formatAmount(line.measure, line.limit)} |`,
    ),
  ];
}

/** What the agent did not report, and what the budgets fall back to. */
export function unreportedText(gate: BudgetGate): string | undefined {
  if (gate.unreported.length === 0) return undefined;
  const what = gate.unreported
    .map((m) => (m === "cost_usd" ? "cost" : m))
    .join(" and ");
  return `Some attempts did not report their ${what} (usage not reported): the spend counts what was reported, and the turn and time budgets still hold.`;
}

/** Whether the stage's latest wait is at a budget gate. */
export function budgetGateOf(stage: StageRun): BudgetGate | undefined {
  const gate = stage.budget_gate;
  return gate != null && gate.since === stage.waiting_since ? gate : undefined;
}
