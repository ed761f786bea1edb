import { describe, expect, it } from "vitest";
import {
  budgetsFor,
  DEFAULT_BUDGET_LIMITS,
} from "../../src/github/pacing/budgets.js";
import { Pacer } from "../../src/github/pacing/pacer.js";
import type {
  PacingCharge,
  PacingLedger,
} from "../../src/github/pacing/pacing-ledger.js";

/** The ledger's rule (all charges fit, or none counts) in memory, with its takes recorded. */
function memoryLedger() {
  const counts = new Map<string, number>();
  const takes: number[] = [];
  const ledger: PacingLedger = {
    async take(_id, charges: readonly PacingCharge[]) {
      takes.push(charges[0]?.amount ?? 0);
      const used = (c: PacingCharge) => {
        let sum = 0;
        for (let b = c.oldest; b <= c.bucket; b++)
          sum += counts.get(`${c.budget}@${b}`) ?? 0;
        return sum;
      };
      if (charges.some((c) => used(c) + c.amount > c.limit))
        return { taken: false, counts: {} };
      for (const c of charges) {
        const key = `${c.budget}@${c.bucket}`;
        counts.set(key, (counts.get(key) ?? 0) + c.amount);
      }
      return { taken: true };
    },
  };
  return { ledger, takes, counts };
}

describe("the pacer's requests counted ahead", () => {
  const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);

  it("asks the ledger once for several requests of a burst, and never lets more through than were counted", async () => {
    const memory = memoryLedger();
    const clock = { now: new Date(T0) };
    const pacer = new Pacer({
      ledger: memory.ledger,
      budgets: budgetsFor(DEFAULT_BUDGET_LIMITS),
      now: () => clock.now,
    });
    // 40 writes and 80 reads within one 5-second bucket, all at once.
    const answers = await Promise.all([
      ...Array.from({ length: 40 }, () => pacer.take(1, "POST")),
      ...Array.from({ length: 80 }, () => pacer.take(1, "GET")),
    ]);
    const taken = answers.filter((a) => a.taken).length;
    const counted = memory.takes.reduce((sum, n) => sum + n, 0);
    // The default budgets have room for all of them.
    expect(taken).toBe(120);
    expect(memory.takes.length).toBeLessThan(40);
    // What was counted ahead and not sent is at most one take's worth a kind.
    expect(counted - taken).toBeLessThanOrEqual(4 + 8);
  });

  it("counts one at a time when requests are far apart: nothing counted that is not sent", async () => {
    const memory = memoryLedger();
    const clock = { now: new Date(T0) };
    const pacer = new Pacer({
      ledger: memory.ledger,
      budgets: budgetsFor(DEFAULT_BUDGET_LIMITS),
      now: () => clock.now,
    });
    for (let i = 0; i < 30; i++) {
      clock.now = new Date(T0 + i * 7_000);
      expect(await pacer.take(1, "POST")).toEqual({ taken: true });
    }
    expect(memory.takes).toEqual(Array(30).fill(1));
  });
});
