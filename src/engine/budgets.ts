import type { Budget } from "../config/budgets-schema.js";
import { parseDuration } from "../workflow/duration.js";
import type { Attempt, RunState, StageRun } from "./run-state.js";

export type BudgetMeasure = "tokens" | "cost_usd" | "turns" | "time";
export type BudgetScope = "run" | "stage" | "day" | "month";

/** One limit that is reached: what was spent against it (time in ms). */
export interface BudgetLine {
  scope: BudgetScope;
  measure: BudgetMeasure;
  spent: number;
  limit: number;
}

/** Tokens and cost of all a repository's runs, as the store adds them up. */
export interface Spend {
  tokens: number;
  cost_usd: number;
}

/**
 * The repository's spend across runs, as last told by a `repository_spend`
 * event (the pure engine cannot ask the store): since the start of the
 * UTC day and of the UTC month of `at`, every run's attempts included.
 */
export interface RepositorySpend {
  at: string;
  day: Spend;
  month: Spend;
}

/** What is left for one stage's next attempt; absent: no limit. */
export interface StageCaps {
  tokens?: number;
  cost_usd?: number;
  turns?: number;
  time_ms?: number;
}

export interface BudgetCheck {
  /** The limits already reached: the stage may not start. */
  over: BudgetLine[];
  /**
   * Measures a budget limits that some finished attempt did not report:
   * the spend is what was reported, and the turn and time limits are what
   * holds (people are told so).
   */
  unreported: ("tokens" | "cost_usd" | "turns")[];
  caps: StageCaps;
}

function tokensOf(attempt: Attempt): number | undefined {
  const usage = attempt.usage;
  if (usage?.input_tokens === undefined && usage?.output_tokens === undefined)
    return undefined;
  return (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0);
}

function measureOf(
  attempt: Attempt,
  measure: "tokens" | "cost_usd" | "turns",
): number | undefined {
  return measure === "tokens" ? tokensOf(attempt) : attempt.usage?.[measure];
}

/** Attempts that have ended (only those can have reported usage). */
function finished(attempts: readonly Attempt[]): Attempt[] {
  return attempts.filter((attempt) => attempt.completed_at !== null);
}

function add(
  attempts: readonly Attempt[],
  measure: "tokens" | "cost_usd" | "turns",
) {
  let sum = 0;
  for (const attempt of attempts) sum += measureOf(attempt, measure) ?? 0;
  return measure === "cost_usd" ? Math.round(sum * 1e6) / 1e6 : sum;
}

function elapsed(from: string | null, to: string | null, at: string): number {
  if (from === null) return 0;
  return Math.max(0, Date.parse(to ?? at) - Date.parse(from));
}

/** The budget of a stage: its own under `budgets.stages`, else `budgets.stage`. */
export function stageBudget(state: RunState, id: string): Budget | undefined {
  const budgets = state.settings.budgets;
  return budgets?.stages[id] ?? budgets?.stage;
}

const sameUtcPeriod = (a: string, b: string, length: number) =>
  a.slice(0, length) === b.slice(0, length);

/** The repository's spend in the day or month of `at`, this run's latest included. */
function repositorySpent(
  state: RunState,
  period: "day" | "month",
  at: string,
): Spend {
  const length = period === "day" ? 10 : 7;
  const snapshot = state.repository_spend;
  const counted =
    snapshot !== undefined &&
    snapshot !== null &&
    sameUtcPeriod(snapshot.at, at, length);
  // What this run spent after the snapshot, in the period, is not in it.
  const since = counted ? snapshot.at : at.slice(0, length);
  const recent = state.stages
    .flatMap((stage) => finished(stage.attempts))
    .filter(
      (attempt) =>
        (attempt.completed_at ?? "") > since &&
        sameUtcPeriod(attempt.completed_at ?? "", at, length),
    );
  const base = counted ? snapshot[period] : { tokens: 0, cost_usd: 0 };
  return {
    tokens: base.tokens + add(recent, "tokens"),
    cost_usd: Math.round((base.cost_usd + add(recent, "cost_usd")) * 1e6) / 1e6,
  };
}

/**
 * Compares what the run, the stage and the repository have spent with their
 * budgets, before the stage's next attempt is dispatched at `at`: the limits
 * reached, the measures not reported, and what the attempt may use (the
 * smaller of what is left of the stage's budget and of the run's).
 */
export function checkBudget(
  state: RunState,
  stage: StageRun,
  at: string,
): BudgetCheck {
  const budgets = state.settings.budgets;
  const over: BudgetLine[] = [];
  const unreported = new Set<BudgetCheck["unreported"][number]>();
  const caps: StageCaps = {};
  const cap = (key: keyof StageCaps, left: number) => {
    const rounded = key === "cost_usd" ? Math.round(left * 1e6) / 1e6 : left;
    caps[key] = Math.min(caps[key] ?? Number.POSITIVE_INFINITY, rounded);
  };
  const runAttempts = finished(state.stages.flatMap((s) => s.attempts));
  const scopes: [BudgetScope, Budget | undefined, Attempt[], number][] = [
    ["run", budgets?.run, runAttempts, elapsed(state.started_at, null, at)],
    [
      "stage",
      stageBudget(state, stage.id),
      finished(stage.attempts),
      stage.attempts.reduce(
        (sum, a) => sum + elapsed(a.dispatched_at, a.completed_at, at),
        0,
      ),
    ],
  ];
  for (const [scope, budget, attempts, time] of scopes) {
    if (budget === undefined) continue;
    for (const measure of ["tokens", "cost_usd", "turns"] as const) {
      const limit = budget[measure];
      if (limit === undefined) continue;
      // (Only attempts whose result came back could have reported it.)
      if (
        attempts.some(
          (a) =>
            a.execution_path !== null && measureOf(a, measure) === undefined,
        )
      )
        unreported.add(measure);
      const spent = add(attempts, measure);
      if (spent >= limit) over.push({ scope, measure, spent, limit });
      else cap(measure, limit - spent);
    }
    const limit =
      budget.time === undefined ? undefined : parseDuration(budget.time);
    if (limit !== undefined) {
      if (time >= limit)
        over.push({ scope, measure: "time", spent: time, limit });
      else cap("time_ms", limit - time);
    }
  }
  for (const period of ["day", "month"] as const) {
    const budget = budgets?.repository[period === "day" ? "daily" : "monthly"];
    if (budget === undefined) continue;
    const spent = repositorySpent(state, period, at);
    for (const measure of ["tokens", "cost_usd"] as const) {
      const limit = budget[measure];
      if (limit === undefined) continue;
      if (spent[measure] >= limit)
        over.push({ scope: period, measure, spent: spent[measure], limit });
      else cap(measure, limit - spent[measure]);
    }
  }
  return { over, unreported: [...unreported], caps };
}
