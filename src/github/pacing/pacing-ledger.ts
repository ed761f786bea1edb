/**
 * One budget's share of a request: count `amount` in the current bucket if
 * the buckets still counted (`oldest` to `bucket`) leave room under `limit`.
 */
export interface PacingCharge {
  budget: string;
  limit: number;
  amount: number;
  /** The current bucket's index. */
  bucket: number;
  /** The oldest bucket still counted. */
  oldest: number;
  /** When the current bucket stops being counted (ms since the epoch). */
  countedUntil: number;
}

/** The counts of a budget's buckets, oldest first, `oldest` to `bucket`. */
export type BucketCounts = Record<string, number[]>;

export type PacingTake =
  | { taken: true }
  | { taken: false; counts: BucketCounts };

/**
 * Where the counts live, shared by replicas (the store, or Redis). A take
 * is atomic: either every charge is counted, or (no room in one of them)
 * none is, and the counts say why.
 */
export interface PacingLedger {
  take(
    installationId: number,
    charges: readonly PacingCharge[],
    options?: { force?: boolean },
  ): Promise<PacingTake>;
  close?(): Promise<void>;
}
