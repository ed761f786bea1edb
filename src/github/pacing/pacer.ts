import type { Budget } from "./budgets.js";
import { chargesFor, roomAt } from "./charge-window.js";
import { isWrite } from "./is-write.js";
import type { PacingLedger } from "./pacing-ledger.js";

export type PacerAnswer =
  | { taken: true }
  | { taken: false; budget: string; retryAt: Date };

/**
 * The most requests one take from the shared ledger counts ahead for this
 * process (a read, a write), spent here while the buckets they were
 * counted in are the current ones. A process starts at one and doubles
 * while it spends all it took within a bucket (a burst: one round trip to
 * the ledger for several requests), and halves when a bucket ends with some
 * left, so quiet traffic counts nothing it does not send. Never more than a
 * twelfth of a budget's limit.
 */
export const MOST_AHEAD = { read: 8, write: 4 } as const;

/** Requests this process counted ahead in the ledger, in these buckets. */
interface Reserve {
  buckets: string;
  left: number;
  /** How many the next take counts. */
  size: number;
  /** A take on its way: requests of the same kind wait for it. */
  pending?: Promise<void> | undefined;
}

/**
 * Keeps each installation's GitHub requests inside its budgets (see
 * budgets.ts), counted in a ledger every replica shares: a request is
 * counted before it is sent, or, without room, told when there will be.
 */
export class Pacer {
  private readonly now: () => Date;
  /** Per installation and kind (read or write). */
  private readonly reserves = new Map<string, Reserve>();

  constructor(
    private readonly options: {
      ledger: PacingLedger;
      budgets: readonly Budget[];
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
  }

  get budgets(): readonly Budget[] {
    return this.options.budgets;
  }

  /**
   * Counts a request of `installationId` if its budgets have room.
   * `force` counts it whatever is left (what cannot wait).
   */
  async take(
    installationId: number,
    method: string,
    options: { force?: boolean } = {},
  ): Promise<PacerAnswer> {
    const { ledger, budgets } = this.options;
    const write = isWrite(method);
    const charges = chargesFor(budgets, write, this.now().getTime());
    if (charges.length === 0) return { taken: true };
    if (options.force)
      return this.refusal(
        await ledger.take(installationId, charges, options),
        charges,
      );
    const kind = write ? "write" : "read";
    const key = `${installationId} ${kind}`;
    const buckets = charges.map((c) => `${c.budget}@${c.bucket}`).join(" ");
    for (;;) {
      const reserve = this.reserves.get(key);
      if (reserve?.pending) {
        await reserve.pending;
        continue;
      }
      if (reserve?.buckets === buckets && reserve.left > 0) {
        reserve.left--;
        return { taken: true };
      }
      break;
    }
    const previous = this.reserves.get(key);
    const most = Math.max(
      1,
      Math.min(
        MOST_AHEAD[kind],
        ...charges.map((c) => Math.floor(c.limit / 12)),
      ),
    );
    const size = nextSize(previous, buckets, most);
    let done = () => {};
    const reserve: Reserve = {
      buckets,
      left: 0,
      size,
      pending: new Promise<void>((resolve) => {
        done = resolve;
      }),
    };
    this.reserves.set(key, reserve);
    try {
      if (size > 1) {
        const several = await ledger.take(
          installationId,
          charges.map((c) => ({ ...c, amount: size })),
        );
        if (several.taken) {
          reserve.left = size - 1;
          return several;
        }
        reserve.size = 1;
      }
      return this.refusal(await ledger.take(installationId, charges), charges);
    } finally {
      reserve.pending = undefined;
      done();
    }
  }

  /** The ledger's answer, or when there will be room for these charges. */
  private refusal(
    result: Awaited<ReturnType<PacingLedger["take"]>>,
    charges: ReturnType<typeof chargesFor>,
  ): PacerAnswer {
    const { budgets } = this.options;
    if (result.taken) return result;
    let latest = { budget: "", at: 0 };
    for (const charge of charges) {
      const counts = result.counts[charge.budget];
      const bucketMs = budgets.find((b) => b.name === charge.budget)?.bucketMs;
      if (counts === undefined || bucketMs === undefined) continue;
      const sum = counts.reduce((total, n) => total + n, 0);
      if (sum + charge.amount <= charge.limit) continue;
      const at = roomAt(charge, counts, bucketMs);
      if (at > latest.at) latest = { budget: charge.budget, at };
    }
    // Counted elsewhere meanwhile: ask again after the shortest bucket.
    const at =
      latest.at > 0
        ? latest.at
        : this.now().getTime() + Math.min(...budgets.map((b) => b.bucketMs));
    return { taken: false, budget: latest.budget, retryAt: new Date(at) };
  }

  async close(): Promise<void> {
    await this.options.ledger.close?.();
  }
}

/**
 * How many the next take counts ahead: twice the last when it was all
 * spent within its buckets, half when its buckets ended with some left.
 */
function nextSize(
  previous: Reserve | undefined,
  buckets: string,
  most: number,
): number {
  if (previous === undefined) return 1;
  const size =
    previous.buckets === buckets
      ? previous.size * 2
      : previous.left > 0
        ? Math.floor(previous.size / 2)
        : previous.size;
  return Math.max(1, Math.min(most, size));
}
