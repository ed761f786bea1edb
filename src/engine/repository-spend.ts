import type { Spend } from "./budgets.js";
import type { RunEvent } from "./events.js";
import type { RunSettings } from "./run-state.js";

/**
 * Where the App reads what a repository's runs have spent (the store adds
 * up its attempts' usage, estimates included, completed at or after
 * `since`). The engine cannot ask: the effect runner or handler does, and
 * tells the run with a `repository_spend` event.
 */
export interface RepositorySpendSource {
  repositorySpend(owner: string, repo: string, since: Date): Promise<Spend>;
}

/** Whether the run's settings have a daily or monthly repository budget. */
export function needsRepositorySpend(settings: RunSettings): boolean {
  const repository = settings.budgets?.repository;
  return repository?.daily !== undefined || repository?.monthly !== undefined;
}

/**
 * The `repository_spend` event for a run at `at`: the spend since the
 * start of the UTC day and of the UTC month. Sent before an event that may
 * dispatch a stage (and again on a new day), for runs with a repository
 * budget.
 */
export async function readRepositorySpend(
  source: RepositorySpendSource,
  run: { owner: string; repo: string },
  at: Date,
): Promise<RunEvent> {
  const day = new Date(
    Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()),
  );
  const month = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const [daySpend, monthSpend] = await Promise.all([
    source.repositorySpend(run.owner, run.repo, day),
    source.repositorySpend(run.owner, run.repo, month),
  ]);
  return {
    type: "repository_spend",
    day: daySpend,
    month: monthSpend,
    at: at.toISOString(),
  };
}
