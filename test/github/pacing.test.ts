import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { budgetsFor } from "../../src/github/pacing/budgets.js";
import { chargesFor, roomAt } from "../../src/github/pacing/charge-window.js";
import {
  beginEffect,
  paceOctokit,
} from "../../src/github/pacing/pace-octokit.js";
import { Pacer } from "../../src/github/pacing/pacer.js";
import { pacingFromEnv } from "../../src/github/pacing/pacing-config.js";
import { PacingDeferred } from "../../src/github/pacing/pacing-deferred.js";
import type { PacingLedger } from "../../src/github/pacing/pacing-ledger.js";
import { github } from "../support/github.js";

const TestOctokit = ProbotOctokit.defaults((options: object) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

/** The ledger's contract in memory (the real ones: test/store/pacing-ledger.test.ts). */
function memoryLedger(): PacingLedger {
  const counts = new Map<string, number>();
  const key = (id: number, budget: string, bucket: number) =>
    `${id}:${budget}:${bucket}`;
  return {
    async take(id, charges, options = {}) {
      const of = Object.fromEntries(
        charges.map((c) => [
          c.budget,
          Array.from(
            { length: c.bucket - c.oldest + 1 },
            (_, i) => counts.get(key(id, c.budget, c.oldest + i)) ?? 0,
          ),
        ]),
      );
      const fits = charges.every(
        (c) =>
          (of[c.budget] ?? []).reduce((a, b) => a + b, 0) + c.amount <= c.limit,
      );
      if (!fits && !options.force) return { taken: false, counts: of };
      for (const c of charges) {
        const k = key(id, c.budget, c.bucket);
        counts.set(k, (counts.get(k) ?? 0) + c.amount);
      }
      return { taken: true };
    },
  };
}

const T0 = Date.parse("2026-12-05T10:00:00.000Z");

/** A client of installation 42 with 2 writes a minute, on a clock that waiting moves. */
function pacedClient(mode: "effect" | "handler" | "sweep", maxWaitMs = 90_000) {
  const clock = { now: T0 };
  const waits: number[] = [];
  const pacer = new Pacer({
    ledger: memoryLedger(),
    budgets: budgetsFor({
      requestsPerHour: 100,
      writesPerMinute: 2,
      writesPerHour: 0,
      windowScale: 1,
    }),
    now: () => new Date(clock.now),
  });
  const octokit = paceOctokit(new TestOctokit({ auth: "token" }), {
    pacer,
    installationId: 42,
    mode,
    maxWaitMs,
    now: () => new Date(clock.now),
    wait: async (ms) => {
      waits.push(ms);
      clock.now += ms;
    },
  });
  const comment = () =>
    octokit.rest.issues.createComment({
      owner: "acme",
      repo: "web",
      issue_number: 1,
      body: "hello",
    });
  return { octokit, comment, waits, clock, pacer };
}

describe("budgets", () => {
  it("stay under GitHub's limits by default, and a scale shrinks their windows", () => {
    expect(pacingFromEnv({})).toEqual({
      enabled: true,
      limits: {
        requestsPerHour: 4_500,
        writesPerMinute: 60,
        writesPerHour: 450,
        windowScale: 1,
      },
      maxWaitMs: 90_000,
    });
    const scaled = budgetsFor({
      ...pacingFromEnv({}).limits,
      requestsPerHour: 0,
      windowScale: 1 / 60,
    });
    expect(scaled).toEqual([
      {
        name: "writes/1s",
        counts: "writes",
        limit: 60,
        windowMs: 1_000,
        bucketMs: 1_000 / 12,
      },
      {
        name: "writes/60s",
        counts: "writes",
        limit: 450,
        windowMs: 60_000,
        bucketMs: 5_000,
      },
    ]);
  });

  it.each([
    ["SPECWRIGHT_PACING", "maybe", "must be 'on' or 'off', not 'maybe'"],
    [
      "SPECWRIGHT_PACING_WRITES_PER_MINUTE",
      "-1",
      "SPECWRIGHT_PACING_WRITES_PER_MINUTE must be a non-negative number (writes an installation may make a minute; 0: not counted), not '-1'",
    ],
    [
      "SPECWRIGHT_PACING_WINDOW_SCALE",
      "0",
      "SPECWRIGHT_PACING_WINDOW_SCALE must be a positive number",
    ],
    ["SPECWRIGHT_PACING_MAX_WAIT", "soon", "not 'soon'"],
  ])("refuses %s=%s, saying which and why", (name, value, message) => {
    expect(() => pacingFromEnv({ [name]: value })).toThrow(message);
  });

  it("turns off with SPECWRIGHT_PACING=off", () => {
    expect(pacingFromEnv({ SPECWRIGHT_PACING: "off" }).enabled).toBe(false);
  });

  it("counts the current bucket and twelve before it, and finds the first with room", () => {
    const [charge] = chargesFor(
      budgetsFor({
        requestsPerHour: 0,
        writesPerMinute: 3,
        writesPerHour: 0,
        windowScale: 1,
      }),
      true,
      T0 + 7_000,
    );
    expect(charge).toEqual({
      budget: "writes/60s",
      limit: 3,
      amount: 1,
      bucket: T0 / 5_000 + 1,
      oldest: T0 / 5_000 - 11,
      countedUntil: T0 + 70_000,
    });
    if (charge === undefined) return;
    // Writes in the oldest bucket, the third and the current one: room once
    // the oldest and the third have left.
    const counts = [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    expect(roomAt(charge, counts, 5_000)).toBe(T0 + 10_000);
    expect(roomAt(charge, [3, ...counts.slice(1)], 5_000)).toBe(T0 + 10_000);
    expect(roomAt(charge, [0, 0, 2, ...counts.slice(3)], 5_000)).toBe(
      T0 + 20_000,
    );
  });
});

describe("a paced installation client", () => {
  it("does not send an effect's first request without room: the effect is put back", async () => {
    const { comment, pacer } = pacedClient("effect");
    await pacer.take(42, "POST");
    await pacer.take(42, "POST");
    const error = await comment().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PacingDeferred);
    expect(error).toMatchObject({
      installationId: 42,
      budget: "writes/60s",
      retryAt: new Date(T0 + 65_000),
      message: `specwright: GitHub requests of installation 42 are paced (budget writes/60s is spent); this one waits until ${new Date(T0 + 65_000).toISOString()}`,
    });
    // Nothing reached GitHub: a request without a mock fails the test.
  });

  it("lets an effect that has begun wait for room, so that its first half is not done twice", async () => {
    const { comment, waits } = pacedClient("effect");
    const scope = github()
      .post("/repos/acme/web/issues/1/comments")
      .times(3)
      .reply(201, { id: 1 });
    await comment();
    await comment();
    await comment();
    expect(waits).toEqual([65_000]);
    expect(scope.isDone()).toBe(true);
  });

  it("counts a reused client's next effect from its first request again (beginEffect)", async () => {
    const { octokit, comment, waits } = pacedClient("effect");
    github().post("/repos/acme/web/issues/1/comments").twice().reply(201, {});
    await comment();
    await comment();

    // The same client, handed to the next effect (ClientPool): its first
    // request finds no room and is not sent, as for a new client; without
    // beginEffect it would wait, as the effect above's third would.
    beginEffect(octokit);
    await expect(comment()).rejects.toBeInstanceOf(PacingDeferred);
    expect(waits).toEqual([]);
  });

  it("puts back an effect that has begun when the wait is longer than allowed", async () => {
    const { comment } = pacedClient("effect", 10_000);
    github().post("/repos/acme/web/issues/1/comments").twice().reply(201, {});
    await comment();
    await comment();
    await expect(comment()).rejects.toBeInstanceOf(PacingDeferred);
  });

  it("sends a handler's reads whatever is left, counting them, and holds its writes", async () => {
    const { octokit, comment, waits, pacer } = pacedClient("handler");
    for (let i = 0; i < 100; i++) await pacer.take(42, "GET");
    const scope = github()
      .get("/repos/acme/web/collaborators/alice/permission")
      .reply(200, { permission: "write" });
    await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner: "acme",
      repo: "web",
      username: "alice",
    });
    // The hour's 100 requests are spent (101 with the read): writes wait.
    expect((await pacer.take(42, "GET")).taken).toBe(false);
    await expect(comment()).rejects.toBeInstanceOf(PacingDeferred);
    expect(waits).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it("makes a handler's write wait for room up to the longest wait", async () => {
    const { comment, waits } = pacedClient("handler");
    const scope = github()
      .post("/repos/acme/web/issues/1/comments")
      .times(3)
      .reply(201, {});
    await comment();
    await comment();
    await comment();
    expect(waits).toEqual([65_000]);
    expect(scope.isDone()).toBe(true);
  });

  it("leaves the reconciler's request for its next sweep", async () => {
    const { octokit, pacer } = pacedClient("sweep");
    await pacer.take(42, "POST");
    await pacer.take(42, "POST");
    github()
      .get("/repos/acme/web/actions/runs/7")
      .reply(200, { id: 7, status: "queued" });
    await octokit.rest.actions.getWorkflowRun({
      owner: "acme",
      repo: "web",
      run_id: 7,
    });
    await expect(
      octokit.rest.actions.cancelWorkflowRun({
        owner: "acme",
        repo: "web",
        run_id: 7,
      }),
    ).rejects.toBeInstanceOf(PacingDeferred);
  });
});
