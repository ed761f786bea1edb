import type { Budget } from "./budgets.js";
import type { PacingCharge } from "./pacing-ledger.js";

/**
 * The charges of one request at `nowMs`. A budget counts its current bucket
 * and the twelve before it: a little more than its window, so that no
 * window of that length, wherever it starts, holds more than the limit.
 */
export function chargesFor(
  budgets: readonly Budget[],
  write: boolean,
  nowMs: number,
): PacingCharge[] {
  return budgets
    .filter((b) => b.counts === "requests" || write)
    .map((b) => {
      const bucket = Math.floor(nowMs / b.bucketMs);
      const span = Math.round(b.windowMs / b.bucketMs);
      return {
        budget: b.name,
        limit: b.limit,
        amount: 1,
        bucket,
        oldest: bucket - span,
        countedUntil: (bucket + span + 1) * b.bucketMs,
      };
    });
}

/**
 * When a refused charge will fit: the start of the first bucket at which
 * the buckets that are still counted leave room for it.
 */
export function roomAt(
  charge: PacingCharge,
  counts: readonly number[],
  bucketMs: number,
): number {
  const span = charge.bucket - charge.oldest;
  for (let later = 1; later <= span; later++) {
    const kept = counts.slice(later).reduce((sum, n) => sum + n, 0);
    if (kept + charge.amount <= charge.limit)
      return (charge.bucket + later) * bucketMs;
  }
  return (charge.bucket + span + 1) * bucketMs;
}
