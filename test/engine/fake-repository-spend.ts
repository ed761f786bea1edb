import type { Spend } from "../../src/engine/budgets.js";
import type { RepositorySpendSource } from "../../src/engine/repository-spend.js";

/** One attempt's spend, as the store would record it. */
export interface SpendRecord {
  owner: string;
  repo: string;
  completed_at: string;
  tokens: number;
  cost_usd: number;
}

/**
 * A `RepositorySpendSource` over records in memory: what the store's
 * query must answer (the sum of the repository's attempts completed at or
 * after `since`).
 */
export function fakeRepositorySpend(
  records: readonly SpendRecord[],
): RepositorySpendSource & { calls: [string, string, string][] } {
  const calls: [string, string, string][] = [];
  return {
    calls,
    async repositorySpend(owner, repo, since): Promise<Spend> {
      calls.push([owner, repo, since.toISOString()]);
      let tokens = 0;
      let cost = 0;
      for (const record of records) {
        if (record.owner !== owner || record.repo !== repo) continue;
        if (Date.parse(record.completed_at) < since.getTime()) continue;
        tokens += record.tokens;
        cost += record.cost_usd;
      }
      return { tokens, cost_usd: Math.round(cost * 1e6) / 1e6 };
    },
  };
}
