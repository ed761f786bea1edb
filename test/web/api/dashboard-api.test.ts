import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { OpenAPIBackend } from "openapi-backend";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunState } from "../../../src/engine/run-state.js";
import { RunDetail, RunPage } from "../../../src/web/api/schemas.js";
import { at } from "../../engine/fixtures.js";
import { DashboardWorld } from "../../support/dashboard-world.js";
import { implementWaiting } from "../../support/seed-run.js";
import { BACKENDS } from "../../support/test-store.js";

const API = "/specwright/api/v1";

/** The committed OpenAPI description, to check every answer against. */
const openapi = new OpenAPIBackend({
  definition: JSON.parse(readFileSync("docs/api/openapi.json", "utf8")),
  strict: true,
  quick: false,
  validate: true,
  ajvOpts: { strict: false },
});

/** The body, after checking it against the OpenAPI description of the operation and status. */
async function conforming(
  response: Response,
  operationId: string,
): Promise<Record<string, unknown>> {
  const body = (await response.json()) as Record<string, unknown>;
  const result = openapi.validateResponse(body, operationId, response.status);
  expect(result.errors ?? [], `${operationId} ${response.status}`).toEqual([]);
  return body;
}

/** A run like `implementWaiting()`, elsewhere and at another time. */
function runOf(
  repository: string,
  minute: number,
  changes: Partial<RunState> = {},
): RunState {
  const [owner = "", repo = ""] = repository.split("/");
  const base = implementWaiting();
  // Seconds apart: nothing the run waits for falls due in between.
  const created = new Date(
    Date.parse(base.created_at) + minute * 1000,
  ).toISOString();
  // Workflow run ids are unique across runs, as on GitHub.
  const offset = minute * 1000;
  const stages = base.stages.map((stage) => ({
    ...stage,
    attempts: stage.attempts.map((a) => ({
      ...a,
      workflow_run_id:
        a.workflow_run_id === null ? null : a.workflow_run_id + offset,
    })),
  }));
  return {
    ...base,
    stages,
    id: randomUUID(),
    owner,
    repo,
    html_url: `https://github.com/${repository}`,
    created_at: created,
    ...changes,
  };
}

describe.each(BACKENDS)("the dashboard API (%s)", (backend) => {
  let world: DashboardWorld;
  let alice: string;
  let mallory: string;
  const web: RunState[] = [];
  let secret: RunState;

  beforeAll(async () => {
    await openapi.init();
    // The fixtures' runs wait at their gate from minute 9: minute 20 is soon after.
    world = await DashboardWorld.start(backend, () => new Date(at(20)));
    await world.repository("acme/web", { alice: "write", mallory: "read" });
    await world.repository("acme/secret", { bob: "admin" }, { private: true });
    for (let i = 0; i < 23; i++) {
      const run = runOf("acme/web", i, i % 2 ? { requested_by: "hubot" } : {});
      web.push(run);
      await world.seed(run);
    }
    secret = runOf("acme/secret", 100);
    await world.seed(secret);
    alice = await world.signIn("alice");
    mallory = await world.signIn("mallory");
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
  });

  it("asks for a session first: 401, in the one envelope", async () => {
    for (const path of [
      "/session",
      "/runs",
      `/runs/${secret.id}`,
      `/runs/${secret.id}/events`,
    ]) {
      const response = await world.call(undefined, "GET", `${API}${path}`);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: {
          code: "unauthorized",
          message: "Sign in with GitHub first: /specwright/auth/sign-in.",
        },
      });
    }
  });

  it("lists the runs of repositories the person can read, newest first, a page at a time", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await world.call(
        alice,
        "GET",
        `${API}/runs?limit=10${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(response.status).toBe(200);
      const page = RunPage.parse(await conforming(response, "listRuns"));
      seen.push(...page.runs.map((r) => r.id));
      cursor = page.next_cursor;
      expect(page.has_more).toBe(cursor !== null);
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    // Newest first, each once, and none of acme/secret's.
    expect(seen).toEqual([...web].reverse().map((r) => r.id));
  });

  it("shows a row with what the list needs", async () => {
    const response = await world.call(alice, "GET", `${API}/runs?limit=1`);
    const page = RunPage.parse(await response.json());
    const newest = web.at(-1) as RunState;
    expect(page.runs[0]).toMatchObject({
      id: newest.id,
      repository: "acme/web",
      issue_number: 42,
      feature: newest.feature,
      status: "in_progress",
      current_stage: "implement",
      requested_by: newest.requested_by,
      pull_request_number: 12,
      created_at: newest.created_at,
      links: {
        repository: `${world.sim.url}/acme/web`,
        issue: `${world.sim.url}/acme/web/issues/42`,
        pull_request: `${world.sim.url}/acme/web/pull/12`,
      },
    });
  });

  it("filters by who asked and by status, and names a malformed filter", async () => {
    const hubot = RunPage.parse(
      await (
        await world.call(
          alice,
          "GET",
          `${API}/runs?requested_by=hubot&limit=100`,
        )
      ).json(),
    );
    expect(hubot.runs).toHaveLength(11);
    expect(hubot.runs.every((r) => r.requested_by === "hubot")).toBe(true);
    const done = RunPage.parse(
      await (
        await world.call(alice, "GET", `${API}/runs?status=succeeded`)
      ).json(),
    );
    expect(done.runs).toEqual([]);
    for (const [query, field] of [
      ["status=finished", "status"],
      ["cursor=bm9wZQ", "cursor"],
      ["limit=1000", "limit"],
      ["created_after=soon", "created_after"],
    ]) {
      const response = await world.call(alice, "GET", `${API}/runs?${query}`);
      expect(response.status).toBe(400);
      const body = await conforming(response, "listRuns");
      expect(body).toMatchObject({ error: { code: "bad_request", field } });
    }
  });

  it("a private repository's run is as unknown as none: 404 from every route, and not listed", async () => {
    const unknown = randomUUID();
    const answers = [];
    for (const id of [secret.id, unknown]) {
      const response = await world.call(alice, "GET", `${API}/runs/${id}`);
      expect(response.status).toBe(404);
      answers.push(
        ((await conforming(response, "getRun")) as { error: { code: string } })
          .error.code,
      );
      const events = await world.call(alice, "GET", `${API}/runs/${id}/events`);
      expect(events.status).toBe(404);
      const approve = await world.call(
        alice,
        "POST",
        `${API}/runs/${id}/stages/implement/approve`,
      );
      expect(approve.status).toBe(404);
    }
    expect(answers).toEqual(["not_found", "not_found"]);
    const listed = RunPage.parse(
      await (
        await world.call(alice, "GET", `${API}/runs?repository=acme/secret`)
      ).json(),
    );
    expect(listed.runs).toEqual([]);
    const bob = await world.signIn("bob");
    const own = await world.call(bob, "GET", `${API}/runs/${secret.id}`);
    expect(own.status).toBe(200);
  });

  it("shows a run with what this person may press", async () => {
    const run = web[0] as RunState;
    const forAlice = RunDetail.parse(
      await conforming(
        await world.call(alice, "GET", `${API}/runs/${run.id}`),
        "getRun",
      ),
    );
    expect(forAlice.permission).toBe("write");
    expect(forAlice.stages.at(-1)?.controls).toEqual({
      approve: true,
      reject: true,
      retry: false,
    });
    expect(forAlice.controls).toEqual({
      cancel: true,
      hold: true,
      unhold: false,
    });
    const forMallory = RunDetail.parse(
      await (await world.call(mallory, "GET", `${API}/runs/${run.id}`)).json(),
    );
    expect(forMallory.permission).toBe("read");
    expect(forMallory.stages.at(-1)?.controls).toEqual({
      approve: false,
      reject: false,
      retry: false,
    });
  });

  it("a control goes through the engine once; refusals say why (403, 409) and change nothing", async () => {
    const run = web[1] as RunState;
    const path = `${API}/runs/${run.id}/stages/implement/approve`;

    const forged = await world.call(alice, "POST", path, { csrf: false });
    expect(forged.status).toBe(403);
    expect(await conforming(forged, "approveStage")).toMatchObject({
      error: { code: "forbidden" },
    });
    const wrongToken = await world.call(alice, "POST", path, {
      csrf: "x".repeat(43),
    });
    expect(wrongToken.status).toBe(403);
    const reader = await world.call(mallory, "POST", path);
    expect(reader.status).toBe(403);
    expect(await reader.json()).toEqual({
      error: {
        code: "forbidden",
        message: "Approve needs write permission on acme/web; you have read.",
      },
    });
    expect((await world.store.loadRun(run.id))?.stages.at(-1)?.status).toBe(
      "waiting_approval",
    );
    const kicks = world.kicks;

    const approved = await world.call(alice, "POST", path);
    expect(approved.status).toBe(200);
    const body = (await conforming(approved, "approveStage")) as {
      run: RunDetail;
    };
    expect(body.run.stages.at(-1)).toMatchObject({
      status: "dispatched",
      approved_by: "alice",
    });
    expect(world.kicks).toBe(kicks + 1);
    const stored = await world.store.loadRun(run.id);
    expect(stored?.stages.at(-1)).toMatchObject({
      status: "dispatched",
      approved_by: "alice",
    });

    const again = await world.call(alice, "POST", path);
    expect(again.status).toBe(409);
    expect(await conforming(again, "approveStage")).toEqual({
      error: { code: "conflict", message: "Nothing is waiting for approval." },
    });
  });

  it("reject takes a reason; other bodies are refused by name", async () => {
    const run = web[2] as RunState;
    const path = `${API}/runs/${run.id}/stages/implement/reject`;
    const odd = await world.call(alice, "POST", path, { body: { why: "no" } });
    expect(odd.status).toBe(400);
    expect(await odd.json()).toMatchObject({ error: { field: "why" } });
    const text = await fetch(`${world.url}${path}`, {
      method: "POST",
      headers: {
        cookie: alice,
        "x-csrf-token": await world.csrfOf(alice),
        "content-type": "text/plain",
      },
      body: "Not this sprint.",
    });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({
      error: { code: "unsupported_media_type" },
    });
    expect((await world.store.loadRun(run.id))?.stages.at(-1)?.status).toBe(
      "waiting_approval",
    );
    const rejected = await world.call(
      alice,
      "POST",
      `${API}/runs/${web[3]?.id}/stages/implement/reject`,
      {
        body: { reason: "Not this sprint." },
      },
    );
    expect(rejected.status).toBe(200);
    const after = await world.store.loadRun(web[3]?.id ?? "");
    expect(after?.stages.at(-1)).toMatchObject({
      status: "failed",
      rejected_by: "alice",
    });
  });

  it("hold and unhold, and cancel, as the comments do", async () => {
    const run = web[4] as RunState;
    const hold = await world.call(alice, "POST", `${API}/runs/${run.id}/hold`);
    expect(hold.status).toBe(200);
    expect(((await hold.json()) as { run: RunDetail }).run.hold?.by).toBe(
      "alice",
    );
    expect(
      (await world.call(alice, "POST", `${API}/runs/${run.id}/hold`)).status,
    ).toBe(409);
    const unhold = await world.call(
      alice,
      "POST",
      `${API}/runs/${run.id}/unhold`,
    );
    expect(unhold.status).toBe(200);
    const cancel = await world.call(
      alice,
      "POST",
      `${API}/runs/${run.id}/cancel`,
    );
    expect(cancel.status).toBe(200);
    expect(((await cancel.json()) as { run: RunDetail }).run.status).toBe(
      "cancelled",
    );
    const late = await world.call(
      alice,
      "POST",
      `${API}/runs/${run.id}/cancel`,
    );
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({
      error: {
        message: expect.stringContaining("has already ended (cancelled)"),
      },
    });
  });

  it("streams a run's events as they are committed, and a reconnect starts after Last-Event-ID", async () => {
    const run = web[5] as RunState;
    const before = RunDetail.parse(
      await (await world.call(alice, "GET", `${API}/runs/${run.id}`)).json(),
    );
    const stream = await readEvents(world, alice, run.id, before.last_event_id);
    await world.call(
      alice,
      "POST",
      `${API}/runs/${run.id}/stages/implement/reject`,
      {
        body: { reason: "Not now." },
      },
    );
    const events = await stream.until((e) =>
      e.some((x) => x.name === "run_completed"),
    );
    expect(events.map((e) => e.name)).toEqual([
      "stage_failed",
      "run_completed",
    ]);
    expect(events[0]?.data).toMatchObject({
      event: "stage_failed",
      run_id: run.id,
      stage: "implement",
      attempt: null,
    });
    expect(await stream.ended).toBe(true);
    // From the first event on: only what came after it.
    const again = await readEvents(world, alice, run.id, String(events[0]?.id));
    const rest = await again.until((e) => e.length > 0);
    expect(rest.map((e) => e.name)).toEqual(["run_completed"]);
    expect(await again.ended).toBe(true);
    const bad = await world.call(alice, "GET", `${API}/runs/${run.id}/events`, {
      headers: { "last-event-id": "yesterday" },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { field: "Last-Event-ID" },
    });
  });

  it("unknown routes and methods get the envelope too", async () => {
    const nowhere = await world.call(alice, "GET", `${API}/nowhere`);
    expect(nowhere.status).toBe(404);
    const wrong = await world.call(alice, "DELETE", `${API}/runs`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
    expect(await wrong.json()).toMatchObject({
      error: { code: "method_not_allowed" },
    });
  });
});

interface StreamedEvent {
  id: number;
  name: string;
  data: Record<string, unknown>;
}

/** An event stream read as a browser would, from after `lastEventId`. */
async function readEvents(
  world: DashboardWorld,
  cookie: string,
  runId: string,
  lastEventId: string | null,
) {
  const response = await world.call(
    cookie,
    "GET",
    `${API}/runs/${runId}/events`,
    {
      headers: lastEventId ? { "last-event-id": lastEventId } : {},
    },
  );
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/event-stream");
  const events: StreamedEvent[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let done = false;
  const waiters: (() => void)[] = [];
  const ended = (async () => {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      const frames = buffer.split("\n\n");
      buffer = frames.pop() ?? "";
      for (const frame of frames) {
        const fields = Object.fromEntries(
          frame
            .split("\n")
            .map((line) => [
              line.slice(0, line.indexOf(":")),
              line.slice(line.indexOf(":") + 2),
            ]),
        );
        if (fields.id && fields.event && fields.data) {
          events.push({
            id: Number(fields.id),
            name: fields.event,
            data: JSON.parse(fields.data),
          });
        }
      }
      for (const w of waiters.splice(0)) w();
    }
    done = true;
    for (const w of waiters.splice(0)) w();
    return true;
  })();
  return {
    ended,
    async until(
      check: (events: StreamedEvent[]) => boolean,
    ): Promise<StreamedEvent[]> {
      while (!check(events)) {
        if (done)
          throw new Error(`the stream ended with ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      return events;
    },
  };
}
