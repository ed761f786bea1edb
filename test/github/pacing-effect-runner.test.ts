import { ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EffectRunner } from "../../src/app/effect-runner.js";
import { budgetsFor } from "../../src/github/pacing/budgets.js";
import { paceOctokit } from "../../src/github/pacing/pace-octokit.js";
import { Pacer } from "../../src/github/pacing/pacer.js";
import { storePacingLedger } from "../../src/store/pacing-ledger.js";
import { effects as effectsTable } from "../../src/store/schema.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import { makeRun, on } from "../engine/fixtures.js";
import { github } from "../support/github.js";
import { openTestStore } from "../support/test-store.js";

const TestOctokit = ProbotOctokit.defaults((options: object) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

describe("the effect runner, paced", () => {
  let test: Awaited<ReturnType<typeof openTestStore>>;
  let clock = new Date("2026-12-05T10:00:00.000Z");

  beforeAll(async () => {
    test = await openTestStore("pglite", () => clock);
  }, 120_000);
  afterAll(async () => {
    await test.close();
  });

  it("puts an effect back until its installation's budget has room, without counting a try", async () => {
    // Two requests an hour for the installation, spent already.
    const pacer = new Pacer({
      ledger: storePacingLedger(test.store.db, () => clock),
      budgets: budgetsFor({
        requestsPerHour: 2,
        writesPerMinute: 0,
        writesPerHour: 0,
        windowScale: 1,
      }),
      now: () => clock,
    });
    const state = makeRun(DEFAULT_WORKFLOW_SOURCE, { issue: null });
    for (let i = 0; i < 2; i++)
      expect((await pacer.take(state.installation_id, "GET")).taken).toBe(true);
    await test.store.createRun(state, on.start(clock.toISOString()), {
      agent: {
        backend: "claude",
        version: null,
        prompt_pack_version: "1",
        runtime_env: {},
      },
    });
    const effect = async (kind: string) =>
      (await test.store.db.select().from(effectsTable)).find(
        (e) => e.kind === kind,
      );
    await test.store.completeEffect((await effect("ensure_labels"))?.id ?? -1);
    const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const runner = new EffectRunner({
      store: test.store,
      octokitFor: async (installationId) =>
        paceOctokit(new TestOctokit({ auth: "token" }), {
          pacer,
          installationId,
          mode: "effect",
          maxWaitMs: 90_000,
          now: () => clock,
        }),
      log,
      now: () => clock,
      maxTries: 1,
    });

    // create_branch's first request finds no room: nothing is sent (a
    // request without a mock fails the test), the effect waits for the
    // hour's oldest bucket to leave, and one try is still left.
    runner.kick();
    await runner.idle();
    const roomAt = new Date(clock.getTime() + 3_900_000);
    const deferred = await effect("create_branch");
    expect(deferred).toMatchObject({
      status: "pending",
      tries: 0,
      leasedUntil: null,
    });
    expect(Date.parse(deferred?.availableAt ?? "")).toBe(roomAt.getTime());
    expect(log.warn).not.toHaveBeenCalled();

    clock = roomAt;
    const scope = github()
      .get("/repos/acme/web/branches/main")
      .reply(200, {
        name: "main",
        commit: {
          sha: "a".repeat(40),
          commit: { tree: { sha: "t".repeat(40) } },
        },
      })
      .post("/repos/acme/web/git/refs")
      .reply(201, {
        ref: `refs/heads/${state.branch}`,
        object: { sha: "a".repeat(40) },
      });
    // Both leave the window together: the effect's two requests go.
    runner.kick();
    await runner.idle();
    expect(scope.isDone()).toBe(true);
    expect(await effect("create_branch")).toMatchObject({
      status: "done",
      tries: 1,
    });
    expect(log.warn).not.toHaveBeenCalled();
    await runner.stop();
  });
});
