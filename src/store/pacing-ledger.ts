import { lt, sql } from "drizzle-orm";
import type {
  BucketCounts,
  PacingCharge,
  PacingLedger,
} from "../github/pacing/pacing-ledger.js";
import type { Database } from "./database.js";
import { githubPacing } from "./schema.js";

/** Buckets no longer counted are deleted at most this often. */
const PRUNE_EVERY_MS = 60_000;

/** A PostgreSQL array literal of `values` (numbers, or plain text). */
function array(values: readonly (string | number)[]): string {
  return `{${values.map((v) => (typeof v === "number" ? String(v) : `"${v}"`)).join(",")}}`;
}

/** The flat counts the take returns, per budget (see the Redis ledger). */
function split(
  charges: readonly PacingCharge[],
  flat: readonly (string | number)[],
): BucketCounts {
  const counts: BucketCounts = {};
  let at = 0;
  for (const charge of charges) {
    const n = charge.bucket - charge.oldest + 1;
    counts[charge.budget] = flat.slice(at, at + n).map(Number);
    at += n;
  }
  return counts;
}

/**
 * The pacer's counts in the store (table `github_pacing`), shared by every
 * replica on one PostgreSQL. A take is one statement, the function
 * `specwright_pacing_take` (migration 0007): it holds a transaction lock
 * per installation, so that two replicas cannot both spend the last room.
 */
export function storePacingLedger(
  db: Database,
  clock: () => Date = () => new Date(),
): PacingLedger {
  let prunedAt = 0;
  const prune = async () => {
    const now = clock().getTime();
    if (now - prunedAt < PRUNE_EVERY_MS) return;
    prunedAt = now;
    await db
      .delete(githubPacing)
      .where(lt(githubPacing.endsAt, new Date(now).toISOString()));
  };
  return {
    async take(installationId, charges, options = {}) {
      const result = (await db.execute(sql`select specwright_pacing_take(
        ${installationId},
        ${array(charges.map((c) => c.budget))}::text[],
        ${array(charges.map((c) => c.bucket))}::bigint[],
        ${array(charges.map((c) => c.oldest))}::bigint[],
        ${array(charges.map((c) => c.limit))}::integer[],
        ${array(charges.map((c) => c.amount))}::integer[],
        ${array(charges.map((c) => new Date(c.countedUntil).toISOString()))}::timestamptz[],
        ${options.force === true}
      ) as counts`)) as { rows: { counts: (string | number)[] | null }[] };
      const counts = result.rows[0]?.counts ?? null;
      if (counts !== null)
        return { taken: false, counts: split(charges, counts) };
      await prune();
      return { taken: true };
    },
  };
}
