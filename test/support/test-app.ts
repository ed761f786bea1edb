import { randomUUID } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import { createDependencies } from "../../src/app/create-dependencies.js";
import type { Dependencies } from "../../src/app/dependencies.js";
import type { Octokit } from "../../src/github/octokit.js";
import { createApp } from "../../src/index.js";
import type { Store } from "../../src/store/store.js";

export interface TestApp {
  probot: Probot;
  deps: Dependencies;
  /** Delivers a webhook and waits until every effect it caused is done. */
  receive(name: string, payload: unknown, id?: string): Promise<void>;
}

/**
 * The real App on a real Probot, with retries and throttling off (GitHub is
 * nock here), a given store, a fixed clock and predictable ids.
 */
export async function createTestApp(
  store: Store,
  options: { now?: () => Date; runIds?: string[]; tokens?: string[] } = {},
): Promise<TestApp> {
  const TestOctokit = ProbotOctokit.defaults({
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  const probot = new Probot({
    githubToken: "test",
    Octokit: TestOctokit,
    logLevel: "fatal",
  });
  let deps: Dependencies | undefined;
  const runIds = [...(options.runIds ?? [])];
  const tokens = [...(options.tokens ?? [])];
  await probot.load(
    createApp(async (app) => {
      const made = await createDependencies(app, {
        store,
        now: options.now ?? (() => new Date("2026-11-21T10:00:00.000Z")),
        // In token mode Probot's app.auth() keeps throttling on, which
        // spaces writes a second apart; tests want neither.
        octokitFor: async () =>
          new TestOctokit({ auth: "test" }) as unknown as Octokit,
      });
      deps = {
        ...made,
        newRunId: () => runIds.shift() ?? randomUUID(),
        newToken: () => tokens.shift() ?? "abc123",
      };
      return deps;
    }),
  );
  if (deps === undefined) throw new Error("the App did not start");
  const ready = deps;
  return {
    probot,
    deps: ready,
    async receive(name, payload, id = randomUUID()) {
      await probot.receive({ id, name, payload } as Parameters<
        Probot["receive"]
      >[0]);
      await ready.runner.idle();
    },
  };
}
