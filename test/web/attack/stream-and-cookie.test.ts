// Attack review of the dashboard: each test states what a safe dashboard
// would do; a failure demonstrates the finding.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunState } from "../../../src/engine/run-state.js";
import { at } from "../../engine/fixtures.js";
import { DashboardWorld } from "../../support/dashboard-world.js";
import { implementWaiting } from "../../support/seed-run.js";

const API = "/specwright/api/v1";

function runOf(repository: string, minute: number): RunState {
  const [owner = "", repo = ""] = repository.split("/");
  const base = implementWaiting();
  const offset = minute * 1000;
  return {
    ...base,
    stages: base.stages.map((stage) => ({
      ...stage,
      attempts: stage.attempts.map((a) => ({
        ...a,
        workflow_run_id:
          a.workflow_run_id === null ? null : a.workflow_run_id + offset,
      })),
    })),
    id: randomUUID(),
    owner,
    repo,
    html_url: `https://github.com/${repository}`,
    created_at: new Date(Date.parse(base.created_at) + offset).toISOString(),
  };
}

/** Opens an event stream and collects event names as they arrive. */
async function openStream(world: DashboardWorld, cookie: string, id: string) {
  const controller = new AbortController();
  const response = await fetch(`${world.url}${API}/runs/${id}/events`, {
    headers: { cookie },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  const names: string[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  const done = (async () => {
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        text += decoder.decode(chunk.value, { stream: true });
        for (const m of text.matchAll(/^event: (.+)$/gm))
          names.push(m[1] ?? "");
        text = text.slice(text.lastIndexOf("\n\n") + 2);
      }
    } catch {
      // aborted
    }
  })();
  return { names, done, close: () => controller.abort() };
}

describe("dashboard attack review: streams and cookies", () => {
  let world: DashboardWorld;

  beforeAll(async () => {
    world = await DashboardWorld.start("pglite", () => new Date(at(20)));
    await world.repository(
      "acme/secret",
      { alice: "write", bob: "write" },
      { private: true },
    );
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
  });

  it("an event stream stops once its session is signed out", async () => {
    const run = runOf("acme/secret", 1);
    await world.seed(run);
    const alice = await world.signIn("alice");
    const bob = await world.signIn("bob");
    const stream = await openStream(world, alice, run.id);

    const out = await world.call(alice, "POST", "/specwright/auth/sign-out");
    expect(out.status).toBe(303);
    // The cookie is dead for every new request...
    expect((await world.call(alice, "GET", `${API}/session`)).status).toBe(401);
    expect(
      (await world.call(alice, "GET", `${API}/runs/${run.id}`)).status,
    ).toBe(401);

    // ...but the stream opened with it keeps delivering the private run.
    const rejected = await world.call(
      bob,
      "POST",
      `${API}/runs/${run.id}/stages/implement/reject`,
      { body: { reason: "private reason" } },
    );
    expect(rejected.status).toBe(200);
    await Promise.race([stream.done, new Promise((r) => setTimeout(r, 2000))]);
    stream.close();
    expect(stream.names).toEqual([]);
  });

  it("one person cannot hold an unbounded number of streams: the eleventh is a 429", async () => {
    const run = runOf("acme/secret", 2);
    await world.seed(run);
    const alice = await world.signIn("alice");
    const before = world.hub.size;
    const streams = [];
    for (let i = 0; i < 10; i++)
      streams.push(await openStream(world, alice, run.id));
    expect(world.hub.size - before).toBe(10);
    const refused = await world.call(
      alice,
      "GET",
      `${API}/runs/${run.id}/events`,
    );
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({
      error: { code: "too_many_requests" },
    });
    expect(world.hub.size - before).toBe(10);
    // Another person is not held back by alice's streams.
    const bob = await world.signIn("bob");
    const theirs = await openStream(world, bob, run.id);
    theirs.close();
    for (const s of streams) s.close();
  });

  it("HEAD on the events route does not park a stream in the hub", async () => {
    const run = runOf("acme/secret", 3);
    await world.seed(run);
    const alice = await world.signIn("alice");
    const before = world.hub.size;
    const controller = new AbortController();
    // Node writes no headers for a HEAD until the response ends, so the
    // client waits (as long as the run lives) and the hub keeps it.
    const head = fetch(`${world.url}${API}/runs/${run.id}/events`, {
      method: "HEAD",
      headers: { cookie: alice },
      signal: controller.signal,
    }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1000));
    const parked = world.hub.size - before;
    controller.abort();
    await head;
    expect(parked).toBe(0);
  });

  it("behind a TLS proxy without SPECWRIGHT_PUBLIC_URL the cookies are still Secure", async () => {
    const start = await fetch(
      `${world.url}/specwright/auth/sign-in?return_to=/specwright/`,
      { redirect: "manual", headers: { "x-forwarded-proto": "https" } },
    );
    const location = new URL(start.headers.get("location") ?? "");
    // The App knows it is served over https: its callback says so.
    expect(location.searchParams.get("redirect_uri")).toMatch(/^https:\/\//);
    const cookie = start.headers.getSetCookie().join("\n");
    expect(cookie).toContain("specwright_sign_in=");
    expect(cookie).toMatch(/;\s*Secure/);
  });
});
