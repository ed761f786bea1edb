import { formatDuration } from "../workflow/duration.js";
import type { BudgetLine, BudgetMeasure, BudgetScope } from "./budgets.js";

const SCOPES: Readonly<Record<BudgetScope, string>> = {
  run: "the run",
  stage: "the stage",
  day: "the repository's runs today",
  month: "the repository's runs this month",
};

const MEASURES: Readonly<Record<BudgetMeasure, string>> = {
  tokens: "tokens",
  cost_usd: "cost",
  turns: "turns",
  time: "time",
};

/** An amount of a measure, for people: `$1.20`, `12,000`, `1h 5m`. */
export function formatAmount(measure: BudgetMeasure, value: number): string {
  if (measure === "time") return formatDuration(value);
  if (measure === "cost_usd")
    return value > 0 && value < 0.01 ? "< $0.01" : `$${value.toFixed(2)}`;
  return value.toLocaleString("en-US");
}

/** A reached limit as words: `cost of the run: $1.20 of $1.00`. */
export function describeBudgetLine(line: BudgetLine): string {
  return `${MEASURES[line.measure]} of ${SCOPES[line.scope]}: ${formatAmount(line.measure, line.spent)} of ${formatAmount(line.measure, line.limit)}`;
}
