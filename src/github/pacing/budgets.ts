/**
 * What the pacer counts for each installation, and how much of it GitHub's
 * limits leave room for. GitHub's own limits for an installation: 5,000
 * requests an hour (more on Enterprise Cloud), and, as secondary limits,
 * 80 content-creating requests a minute and 500 an hour
 * (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api).
 * The defaults stay a tenth or a quarter under them: room for what the
 * App cannot hold back (a webhook's reads) and for clocks that disagree.
 */
export interface Budget {
  /** Its name in the ledger: what it counts over what window (`writes/60s`). */
  name: string;
  /** Every request, or only those that write (create content). */
  counts: "requests" | "writes";
  /** Requests the window may hold. */
  limit: number;
  windowMs: number;
  /** The window is counted in buckets this long (a twelfth of it). */
  bucketMs: number;
}

export interface BudgetLimits {
  requestsPerHour: number;
  writesPerMinute: number;
  writesPerHour: number;
  /** Multiplies the windows (tests shrink a minute to a second). */
  windowScale: number;
}

export const DEFAULT_BUDGET_LIMITS: BudgetLimits = {
  requestsPerHour: 4_500,
  writesPerMinute: 60,
  writesPerHour: 450,
  windowScale: 1,
};

const BUCKETS_PER_WINDOW = 12;

function budget(
  counts: Budget["counts"],
  limit: number,
  windowMs: number,
): Budget {
  return {
    name: `${counts}/${windowMs / 1000}s`,
    counts,
    limit,
    windowMs,
    bucketMs: windowMs / BUCKETS_PER_WINDOW,
  };
}

/** The budgets for these limits; a limit of 0 is no budget. */
export function budgetsFor(limits: BudgetLimits): Budget[] {
  const minute = 60_000 * limits.windowScale;
  const hour = 3_600_000 * limits.windowScale;
  return [
    budget("requests", limits.requestsPerHour, hour),
    budget("writes", limits.writesPerMinute, minute),
    budget("writes", limits.writesPerHour, hour),
  ].filter((b) => b.limit > 0);
}
