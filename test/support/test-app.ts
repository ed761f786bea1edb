import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Probot, ProbotOctokit } from "probot";
import { afterEach } from "vitest";
import { createDependencies } from "../../src/app/create-dependencies.js";
import type { Dependencies } from "../../src/app/dependencies.js";
import { createApp } from "../../src/index.js";
import type { Store } from "../../src/store/store.js";
import { github } from "./github.js";

/** The apps a test made: their effect runners stop when it ends. */
const made: Dependencies[] = [];
afterEach(async () => {
  for (const deps of made.splice(0)) {
    await deps.runner.stop();
    await deps.reconciler?.stop();
  }
});

export interface TestApp {
  probot: Probot;
  deps: Dependencies;
  /** Delivers a webhook and waits until every effect it caused is done. */
  receive(name: string, payload: unknown, id?: string): Promise<void>;
}

/**
 * The real App on a real Probot, with retries and throttling off (GitHub is
 * nock here), a given store, a fixed clock and predictable ids. It is
 * authenticated as an App with the test key (a plain token would keep
 * Probot's throttling on); installation tokens are answered by a mock.
 */
export async function createTestApp(
  store: Store,
  options: {
    now?: () => Date;
    runIds?: string[];
    tokens?: string[];
    /** Redeliver failed webhook deliveries this far back (default: never). */
    redeliverWithinMs?: number;
  } = {},
): Promise<TestApp> {
  github()
    .post(/^\/app\/installations\/\d+\/access_tokens$/)
    .optionally()
    .reply(201, {
      token: "test-installation-token",
      expires_at: "2999-01-01T00:00:00Z",
    })
    .persist();
  const probot = new Probot({
    appId: 123,
    privateKey: readFileSync("test/fixtures/mock-cert.pem", "utf8"),
    secret: "test-secret",
    // A function, so that it wins over the options Probot passes each
    // client it makes (installation clients keep throttling on otherwise).
    Octokit: ProbotOctokit.defaults((options: object) => ({
      ...options,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
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
        // Tests sweep by hand (deps.reconciler.sweep()); the timer never fires.
        reconcileIntervalMs: 3_600_000,
        redeliverWithinMs: options.redeliverWithinMs ?? 0,
        // GitHub is nock here, with no limits (pacing: test/github/pacing*).
        pacing: false,
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
  made.push(ready);
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
