import { and, eq, gte, sql } from "drizzle-orm";
import type { Spend } from "../engine/budgets.js";
import type { Database, Tx } from "./database.js";
import * as schema from "./schema.js";

/**
 * What a repository's runs have spent: the tokens (in and out) and cost
 * (estimated or reported) of every attempt of its runs completed at or
 * after `since`. One range read of `stage_attempts_repository_completed_idx`.
 */
export async function repositorySpend(
  db: Database | Tx,
  where: { owner: string; repo: string; since: Date },
): Promise<Spend> {
  const a = schema.stageAttempts;
  const [row] = await db
    .select({
      tokens: sql<
        string | null
      >`sum(coalesce(${a.inputTokens}, 0) + coalesce(${a.outputTokens}, 0))`,
      cost: sql<number | null>`sum(${a.costUsd})`,
    })
    .from(a)
    .where(
      and(
        eq(a.owner, where.owner),
        eq(a.repo, where.repo),
        gte(a.completedAt, where.since.toISOString()),
      ),
    );
  return {
    tokens: Number(row?.tokens ?? 0),
    // Sums of doubles drift (0.1 + 0.2); the engine rounds to the micro-dollar.
    cost_usd: Math.round(Number(row?.cost ?? 0) * 1e6) / 1e6,
  };
}
