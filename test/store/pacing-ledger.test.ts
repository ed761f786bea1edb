import { randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Budget, budgetsFor } from "../../src/github/pacing/budgets.js";
import { Pacer } from "../../src/github/pacing/pacer.js";
import type { PacingLedger } from "../../src/github/pacing/pacing-ledger.js";
import { openStore } from "../../src/store/open-store.js";
import { storePacingLedger } from "../../src/store/pacing-ledger.js";
import { redisPacingLedger } from "../../src/store/pacing-redis.js";
import { githubPacing } from "../../src/store/schema.js";
import { openTestStore } from "../support/test-store.js";

// Real services, as the run event feed's tests: PostgreSQL at DATABASE_URL,
// Redis at REDIS_URL or, where DATABASE_URL says the services are there
// (.ci/run), on its default port.
const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL =
  process.env.REDIS_URL ??
  (DATABASE_URL === undefined ? undefined : "redis://127.0.0.1:6379");

/** Two replicas' ledgers on one backend, and how to end them. */
interface Ledgers {
  a: PacingLedger;
  b: PacingLedger;
  close(): Promise<void>;
}

type Clock = { now: Date };

const BACKENDS: [string, boolean, (clock: Clock) => Promise<Ledgers>][] = [
  [
    "PGlite",
    true,
    async (clock) => {
      const test = await openTestStore("pglite", () => clock.now);
      const ledger = storePacingLedger(test.store.db, () => clock.now);
      return { a: ledger, b: ledger, close: () => test.close() };
    },
  ],
  [
    "PostgreSQL",
    DATABASE_URL !== undefined,
    async (clock) => {
      const test = await openTestStore("postgres", () => clock.now);
      const other = await openStore({
        databaseUrl: test.databaseUrl,
        onConnectionError: () => {},
      });
      return {
        a: storePacingLedger(test.store.db, () => clock.now),
        b: storePacingLedger(other.db, () => clock.now),
        async close() {
          await other.close();
          await test.close();
        },
      };
    },
  ],
  [
    "Redis",
    REDIS_URL !== undefined,
    async (clock) => {
      const now = () => clock.now;
      const a = redisPacingLedger(REDIS_URL as string, { now });
      const b = redisPacingLedger(REDIS_URL as string, { now });
      return {
        a,
        b,
        async close() {
          await a.close?.();
          await b.close?.();
        },
      };
    },
  ],
];

const T0 = Date.parse("2026-12-05T10:00:00.000Z");
// Small budgets, real windows: 10 writes a minute, 25 an hour, 40 requests an hour.
const BUDGETS: Budget[] = budgetsFor({
  requestsPerHour: 40,
  writesPerMinute: 10,
  writesPerHour: 25,
  windowScale: 1,
});

describe.each(BACKENDS)("the pacer on %s", (_name, available, open) => {
  const clock: Clock = { now: new Date(T0) };
  let ledgers: Ledgers;
  // Redis keeps its keys between runs: each test takes fresh installations.
  const installation = () => randomInt(1_000_000, 2_000_000_000);
  const pacer = (ledger: PacingLedger) =>
    new Pacer({ ledger, budgets: BUDGETS, now: () => clock.now });

  // Migrating a fresh store can take a while on a busy machine.
  beforeAll(async () => {
    if (available) ledgers = await open(clock);
  }, 120_000);
  afterAll(async () => {
    await ledgers?.close();
  });

  it.runIf(available)(
    "sends writes while the minute has room, then says when the oldest leaves the window",
    async () => {
      clock.now = new Date(T0);
      const id = installation();
      const p = pacer(ledgers.a);
      for (let i = 0; i < 10; i++) {
        clock.now = new Date(T0 + i * 1_000);
        expect(await p.take(id, "POST")).toEqual({ taken: true });
      }
      clock.now = new Date(T0 + 20_000);
      const refused = await p.take(id, "PATCH");
      expect(refused).toEqual({
        taken: false,
        budget: "writes/60s",
        // The first write's 5-second bucket stops counting 65 s after it began.
        retryAt: new Date(T0 + 65_000),
      });
      // Reads still go: they count only against the requests an hour.
      expect(await p.take(id, "GET")).toEqual({ taken: true });
      clock.now = new Date(T0 + 65_000);
      expect(await p.take(id, "POST")).toEqual({ taken: true });
    },
  );

  it.runIf(available)(
    "keeps installations apart, and counts forced requests past the limit",
    async () => {
      clock.now = new Date(T0);
      const [one, two] = [installation(), installation()];
      const p = pacer(ledgers.a);
      for (let i = 0; i < 10; i++) await p.take(one, "POST");
      expect((await p.take(one, "POST")).taken).toBe(false);
      expect((await p.take(two, "POST")).taken).toBe(true);
      clock.now = new Date(T0 + 10_000);
      for (let i = 0; i < 10; i++) {
        expect(await p.take(one, "POST", { force: true })).toEqual({
          taken: true,
        });
      }
      // The forced ones counted: their bucket has to leave the window too.
      clock.now = new Date(T0 + 65_000);
      expect(await p.take(one, "POST")).toMatchObject({
        taken: false,
        retryAt: new Date(T0 + 75_000),
      });
    },
  );

  it.runIf(available)(
    "shares the budget between replicas: of 30 writes at once, 10 go",
    async () => {
      clock.now = new Date(T0);
      const id = installation();
      const [a, b] = [pacer(ledgers.a), pacer(ledgers.b)];
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).take(id, "POST")),
      );
      expect(answers.filter((x) => x.taken)).toHaveLength(10);
    },
  );

  it.runIf(available)(
    "never lets a window of a minute or an hour hold more than its budget",
    async () => {
      const id = installation();
      const p = pacer(ledgers.a);
      const sent: { at: number; write: boolean }[] = [];
      // A write every 2 s and a read every 4 s for 90 minutes, as fast as
      // allowed: each request goes as soon as the pacer says there is room.
      let nextWrite = T0;
      let nextRead = T0;
      const end = T0 + 90 * 60_000;
      while (Math.min(nextWrite, nextRead) < end) {
        const write = nextWrite <= nextRead;
        const at = write ? nextWrite : nextRead;
        clock.now = new Date(at);
        const answer = await p.take(id, write ? "POST" : "GET");
        const next = answer.taken
          ? at + (write ? 2_000 : 4_000)
          : answer.retryAt.getTime();
        if (answer.taken) sent.push({ at, write });
        expect(next).toBeGreaterThan(at);
        if (write) nextWrite = next;
        else nextRead = next;
      }
      const most = (windowMs: number, writes: boolean) =>
        Math.max(
          ...sent.map(
            (s) =>
              sent.filter(
                (t) =>
                  (!writes || t.write) &&
                  t.at >= s.at &&
                  t.at < s.at + windowMs,
              ).length,
          ),
        );
      expect(most(60_000, true)).toBeLessThanOrEqual(10);
      expect(most(3_600_000, true)).toBeLessThanOrEqual(25);
      expect(most(3_600_000, false)).toBeLessThanOrEqual(40);
      // And the budgets are used: the hour's requests, whole.
      expect(most(3_600_000, false)).toBe(40);
    },
  );
});

describe("the store's pacing table", () => {
  it("forgets buckets no longer counted", async () => {
    const clock = { now: new Date(T0) };
    const test = await openTestStore("pglite", () => clock.now);
    try {
      const p = new Pacer({
        ledger: storePacingLedger(test.store.db, () => clock.now),
        budgets: BUDGETS,
        now: () => clock.now,
      });
      await p.take(7, "POST");
      expect(await test.store.db.select().from(githubPacing)).toHaveLength(3);
      // Past the hour's window and its bucket, a take prunes them.
      clock.now = new Date(T0 + 3_900_001);
      await p.take(7, "GET");
      const rows = await test.store.db.select().from(githubPacing);
      expect(rows.map((r) => r.budget)).toEqual(["requests/3600s"]);
    } finally {
      await test.close();
    }
  });
});
