import nock from "nock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { redeliverWithinMs } from "../../src/app/create-dependencies.js";
import { Redeliverer } from "../../src/reconcile/redeliverer.js";
import {
  deliveryAttempt as attempt,
  nockDeliveries,
  nockDeliveriesPage,
  nockRedeliver,
} from "../mocks/app.js";
import { github } from "../support/github.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { openTestStore } from "../support/test-store.js";

const T0 = Date.parse("2026-11-21T10:00:00.000Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** A time `minutes` before T0, as the delivery log writes it. */
const ago = (minutes: number, from = T0) =>
  new Date(from - minutes * MINUTE).toISOString().replace(/\.\d+Z$/, "Z");

describe("the redelivery of failed webhook deliveries", () => {
  let test: Awaited<ReturnType<typeof openTestStore>>;
  let app: TestApp;
  let warnings: string[];
  let redeliverer: Redeliverer;

  beforeAll(async () => {
    test = await openTestStore("pglite");
  });
  afterAll(async () => {
    await test.close();
  });
  beforeEach(async () => {
    await test.reset();
    app = await createTestApp(test.store);
    warnings = [];
    redeliverer = new Redeliverer({
      appOctokit: () => app.probot.auth(),
      log: { info: () => {}, warn: (m: unknown) => warnings.push(String(m)) },
      withinMs: 6 * HOUR,
    });
  });

  it("asks again for a delivery no attempt of which succeeded, reading back to the window's start", async () => {
    nockDeliveries(
      [
        // Newest first: a redelivery that succeeded hides the failure below.
        { ...attempt(7, "g-ok", ago(1), 200), redelivery: true },
        attempt(6, "g-lost", ago(2), 0),
        attempt(5, "g-ok", ago(3), 502),
        attempt(4, "g-star", ago(4), 0, "star", "created"),
      ],
      [
        attempt(3, "g-label", ago(5 * 60), 500, "pull_request", "labeled"),
        // Older than the window: neither read further nor asked.
        attempt(2, "g-old", ago(7 * 60), 0),
        attempt(1, "g-older", ago(8 * 60), 0),
      ],
    );
    const lost = nockRedeliver(6);
    const label = nockRedeliver(3);
    expect(await redeliverer.sweep(new Date(T0), MINUTE)).toEqual({
      redelivered: 2,
      gaveUp: 0,
    });
    expect(lost.isDone() && label.isDone()).toBe(true);
    expect(warnings).toEqual([]);
  });

  it("waits for GitHub's attempt, asks again when it fails too, and gives up after three, saying so", async () => {
    nockDeliveries([attempt(10, "g", ago(0), 0)]);
    nockRedeliver(10);
    expect((await redeliverer.sweep(new Date(T0), MINUTE)).redelivered).toBe(1);

    // GitHub has not tried yet: not asked twice.
    const t1 = T0 + MINUTE;
    nockDeliveries([attempt(10, "g", ago(0), 0)]);
    expect((await redeliverer.sweep(new Date(t1), MINUTE)).redelivered).toBe(0);

    // The redelivery failed as well: asked once more.
    const t2 = T0 + 2 * MINUTE;
    nockDeliveries([
      { ...attempt(11, "g", ago(0, t2), 0), redelivery: true },
      attempt(10, "g", ago(0), 0),
    ]);
    nockRedeliver(11);
    expect((await redeliverer.sweep(new Date(t2), MINUTE)).redelivered).toBe(1);

    // The third attempt failed: given up, with a warning that names it.
    const t3 = T0 + 3 * MINUTE;
    nockDeliveries([
      { ...attempt(12, "g", ago(0, t3), 503), redelivery: true },
      { ...attempt(11, "g", ago(0, t2), 0), redelivery: true },
    ]);
    expect(await redeliverer.sweep(new Date(t3), MINUTE)).toEqual({
      redelivered: 0,
      gaveUp: 1,
    });
    expect(warnings).toEqual([
      expect.stringMatching(
        /gave up on webhook delivery g \(issue_comment\.created\) after 3 failed attempt/,
      ),
    ]);

    // And not asked again afterwards.
    const t4 = T0 + 4 * MINUTE;
    nockDeliveries([
      { ...attempt(12, "g", ago(0, t3), 503), redelivery: true },
    ]);
    expect((await redeliverer.sweep(new Date(t4), MINUTE)).redelivered).toBe(0);
  });

  it("asks again when GitHub never made the attempt it was asked for", async () => {
    nockDeliveries([attempt(10, "g", ago(0), 0)]);
    nockRedeliver(10);
    await redeliverer.sweep(new Date(T0), MINUTE);
    // Swept every minute since; ten minutes on, still no new attempt.
    let t = T0;
    for (let i = 1; i < 10; i++) {
      t = T0 + i * MINUTE;
      nockDeliveries([attempt(10, "g", ago(0), 0)]);
      await redeliverer.sweep(new Date(t), MINUTE);
    }
    t += MINUTE;
    nockDeliveries([attempt(10, "g", ago(0), 0)]);
    nockRedeliver(10);
    expect((await redeliverer.sweep(new Date(t), MINUTE)).redelivered).toBe(1);
    // Ten minutes more and still nothing: two asks were all it gets.
    t += 10 * MINUTE;
    nockDeliveries([attempt(10, "g", ago(0), 0)]);
    expect(await redeliverer.sweep(new Date(t), 10 * MINUTE)).toEqual({
      redelivered: 0,
      gaveUp: 1,
    });
    expect(warnings).toEqual([
      expect.stringMatching(
        /gave up on webhook delivery g \(issue_comment\.created\) after 1 failed attempt\(s\) and 2 redelivery\(ies\) asked/,
      ),
    ]);
    t += 10 * MINUTE;
    nockDeliveries([attempt(10, "g", ago(0), 0)]);
    expect(
      (await redeliverer.sweep(new Date(t), 10 * MINUTE)).redelivered,
    ).toBe(0);
  });

  it("asks for no more than fifty in one sweep, the rest in the next", async () => {
    const failures = Array.from({ length: 60 }, (_, i) =>
      attempt(100 - i, `g${i}`, ago(1), 0),
    );
    nockDeliveries(failures);
    for (const failure of failures.slice(0, 50)) nockRedeliver(failure.id);
    expect((await redeliverer.sweep(new Date(T0), MINUTE)).redelivered).toBe(
      50,
    );
    nockDeliveries(failures);
    for (const failure of failures.slice(50)) nockRedeliver(failure.id);
    expect(
      (await redeliverer.sweep(new Date(T0 + MINUTE), MINUTE)).redelivered,
    ).toBe(10);
  });

  it("leaves alone the failed deliveries of actions the App does not act on", async () => {
    nockDeliveries([
      attempt(5, "a", ago(1), 0, "pull_request", "synchronize"),
      attempt(4, "b", ago(2), 0, "check_run", "completed"),
      attempt(3, "c", ago(3), 0, "issue_comment", "edited"),
      attempt(2, "d", ago(4), 0, "push", null),
      attempt(1, "e", ago(5), 0, "workflow_job", "queued"),
    ]);
    nockRedeliver(1);
    expect((await redeliverer.sweep(new Date(T0), MINUTE)).redelivered).toBe(1);
  });

  it("acts on what it could read when a later page of the log fails, and reads it again next sweep", async () => {
    nockDeliveriesPage([attempt(9, "g", ago(1), 0)], 0, true);
    github()
      .get("/app/hook/deliveries")
      .query({ per_page: "100", cursor: "v1_1" })
      .reply(502, { message: "Bad Gateway" });
    nockRedeliver(9);
    expect((await redeliverer.sweep(new Date(T0), MINUTE)).redelivered).toBe(1);
    expect(warnings).toEqual([
      expect.stringMatching(
        /could not read the App's webhook deliveries \(page 2\)/,
      ),
    ]);
    // The next sweep reads the whole window again, and finds what page 2 had.
    nockDeliveries(
      [{ ...attempt(10, "g", ago(0), 200), redelivery: true }],
      [attempt(8, "h", ago(5 * 60), 0)],
    );
    nockRedeliver(8);
    expect(
      (await redeliverer.sweep(new Date(T0 + MINUTE), MINUTE)).redelivered,
    ).toBe(1);
  });

  it("reads on a later sweep only back to where the last one stopped, and all of the window after a pause", async () => {
    nockDeliveries([attempt(20, "a", ago(30), 200)]);
    await redeliverer.sweep(new Date(T0), MINUTE);

    // A minute later: the first page reaches past the last read (less the
    // overlap), so the second, which the log links to, is not asked for.
    nockDeliveriesPage(
      [
        attempt(22, "c", ago(0), 200),
        attempt(21, "b", ago(29), 200),
        attempt(20, "a", ago(30), 200),
        attempt(19, "z", ago(32), 200),
      ],
      0,
      true,
    );
    await redeliverer.sweep(new Date(T0 + MINUTE), MINUTE);

    // Ten minutes later (another replica swept meanwhile): the whole window.
    const later = T0 + 10 * MINUTE;
    nockDeliveries(
      [attempt(22, "c", ago(0), 200)],
      [attempt(18, "y", ago(40), 0)],
    );
    nockRedeliver(18);
    expect((await redeliverer.sweep(new Date(later), MINUTE)).redelivered).toBe(
      1,
    );
  });

  it("stops at twenty pages in one sweep, and says so", async () => {
    const pages = Array.from({ length: 20 }, (_, page) =>
      Array.from({ length: 100 }, (_, i) =>
        attempt(5000 - page * 100 - i, `g${page}-${i}`, ago(page), 200),
      ),
    );
    nockDeliveries(...pages, [attempt(1, "never", ago(30), 0)]);
    await redeliverer.sweep(new Date(T0), MINUTE);
    expect(warnings).toEqual([
      expect.stringMatching(/read 2000 webhook deliveries without reaching/),
    ]);
    // The page after the twentieth was never asked for.
    expect(nock.pendingMocks()).toHaveLength(1);
    nock.cleanAll();
  });

  it("tells of a redelivery GitHub refused, asks once more next sweep, then gives up", async () => {
    nockDeliveries([attempt(10, "g", ago(0), 0)]);
    nockRedeliver(10, 400);
    expect((await redeliverer.sweep(new Date(T0), MINUTE)).redelivered).toBe(0);
    expect(warnings).toEqual([
      expect.stringMatching(
        /GitHub would not redeliver webhook delivery g \(issue_comment\.created\)/,
      ),
    ]);
    nockDeliveries([attempt(10, "g", ago(0), 0)]);
    nockRedeliver(10, 400);
    await redeliverer.sweep(new Date(T0 + MINUTE), MINUTE);
    nockDeliveries([attempt(10, "g", ago(0), 0)]);
    expect(await redeliverer.sweep(new Date(T0 + 2 * MINUTE), MINUTE)).toEqual({
      redelivered: 0,
      gaveUp: 1,
    });
    nockDeliveries([attempt(10, "g", ago(0), 0)]);
    expect(
      (await redeliverer.sweep(new Date(T0 + 3 * MINUTE), MINUTE)).redelivered,
    ).toBe(0);
  });

  describe("in the reconciler's sweep", () => {
    beforeEach(async () => {
      await app.deps.reconciler?.stop();
      app = await createTestApp(test.store, {
        now: () => new Date(T0),
        redeliverWithinMs: 6 * HOUR,
      });
    });

    it("counts what it asked again", async () => {
      nockDeliveries([attempt(10, "g", ago(0), 0)]);
      nockRedeliver(10);
      expect(await app.deps.reconciler?.sweep()).toMatchObject({
        skipped: false,
        redelivered: 1,
      });
    });

    it("goes on with the rest of the sweep when the delivery log cannot be read", async () => {
      github()
        .get("/app/hook/deliveries")
        .query({ per_page: "100" })
        .reply(500, { message: "Server Error" });
      expect(await app.deps.reconciler?.sweep()).toEqual({
        skipped: false,
        ticked: 0,
        updated: 0,
        lost: 0,
        failed: 0,
        redelivered: 0,
      });
    });
  });

  it("reads how far back from SPECWRIGHT_REDELIVER_WITHIN, and refuses what is not a number", () => {
    expect(redeliverWithinMs({})).toBe(6 * HOUR);
    expect(redeliverWithinMs({ SPECWRIGHT_REDELIVER_WITHIN: "0" })).toBe(0);
    expect(redeliverWithinMs({ SPECWRIGHT_REDELIVER_WITHIN: "600" })).toBe(
      10 * MINUTE,
    );
    expect(() =>
      redeliverWithinMs({ SPECWRIGHT_REDELIVER_WITHIN: "a day" }),
    ).toThrow(
      "SPECWRIGHT_REDELIVER_WITHIN must be a number of seconds (how old a failed webhook delivery may be to be asked again; 0 turns it off), not 'a day'",
    );
  });
});
