import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { World } from "../support/e2e-world.js";
import type { RecordedRequest } from "../support/simulator/simulator.js";
import type { Repository } from "../support/simulator/state.js";
import type { Delivery } from "../support/simulator/webhooks.js";

// Probot checks `X-Hub-Signature-256` against WEBHOOK_SECRET before any
// handler runs. A real `/specify` delivery from a writer, sent to the App as
// raw HTTP with a wrong, missing, empty or only a legacy sha1 signature, is
// refused and does nothing. The same delivery correctly signed starts a run,
// so the refusals are the signature's doing and the test can fail.

const TIMEOUT = 120_000;

/** The reconciler reads GitHub's delivery log every sweep, whatever comes in. */
function isSweep(request: RecordedRequest): boolean {
  return request.method === "GET" && request.path === "/app/hook/deliveries";
}

/** Signature headers for a delivery's body, and what Probot says of them. */
type Case = [
  name: string,
  headers: (body: string, world: World) => Record<string, string>,
  error: string,
];

const refused: Case[] = [
  [
    "a wrong X-Hub-Signature-256",
    (body) => ({
      "x-hub-signature-256": `sha256=${createHmac("sha256", "not-the-secret").update(body).digest("hex")}`,
    }),
    "signature does not match event payload and secret",
  ],
  ["no signature", () => ({}), "Required headers missing: x-hub-signature-256"],
  [
    "an empty X-Hub-Signature-256",
    () => ({ "x-hub-signature-256": "" }),
    "signature does not match event payload and secret",
  ],
  [
    "only the legacy sha1 X-Hub-Signature",
    (body, world) => ({
      "x-hub-signature": world.sim.webhooks.sign(body, "sha1"),
    }),
    "Required headers missing: x-hub-signature-256",
  ],
];

/**
 * The delivery the simulated GitHub sends for what `act` does, caught on
 * its way: it reaches a stand-in endpoint answering 200, not the App, so it
 * is not in the delivery log as failed for the App to ask again.
 */
async function capture(world: World, act: () => void): Promise<Delivery> {
  const sink = createServer((request, response) => {
    request.resume();
    request.on("end", () => response.writeHead(200).end());
  });
  await new Promise<void>((done) => sink.listen(0, "127.0.0.1", done));
  const { port } = sink.address() as AddressInfo;
  world.sim.webhooks.url = `http://127.0.0.1:${port}/`;
  try {
    act();
    await world.sim.webhooks.settled();
  } finally {
    world.sim.webhooks.url = undefined;
    sink.closeAllConnections();
    await new Promise((done) => sink.close(done));
  }
  const delivery = world.sim.webhooks.log.at(-1);
  if (delivery?.status !== 200) {
    throw new Error(`the delivery was not caught: ${delivery?.status}`);
  }
  return delivery;
}

describe("webhook signatures", () => {
  let world: World;
  let repo: Repository;
  let issue: number;
  let delivery: Delivery;

  beforeAll(async () => {
    world = await World.create();
    repo = await world.repository();
    issue = world.sim.openIssue(repo, {
      title: "Dark mode",
      body: "Users want a dark mode that follows the system setting.",
      user: "alice",
    });
    delivery = await capture(world, () =>
      world.sim.comment(repo, issue, "/specify Add dark mode", "alice"),
    );
    expect(delivery).toMatchObject({
      event: "issue_comment",
      action: "created",
    });
    await world.startApp();
  }, TIMEOUT);

  afterAll(async () => {
    await world?.close();
  });

  /** Sends the delivery to the App as GitHub does, with these signatures. */
  async function post(signatures: Record<string, string>) {
    const response = await fetch(world.sim.webhooks.url ?? "", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "GitHub-Hookshot/simulator",
        "x-github-event": delivery.event,
        "x-github-delivery": delivery.guid,
        ...signatures,
      },
      body: delivery.body,
    });
    return { status: response.status, body: await response.text() };
  }

  function trackingComment() {
    return world.sim
      .commentsOn(repo, issue)
      .find((c) => c.body.includes("<!-- specwright:run="));
  }

  it.each(refused)(
    "refuses the delivery with %s, and does nothing",
    async (_, headers, error) => {
      const w = world;
      const before = w.sim.requests.length;
      const answer = await post(headers(delivery.body, w));
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({
        error: expect.stringContaining(error),
      });
      // Time to act, had it taken the delivery in: two of its sweeps.
      await w.until(
        "two reconciler sweeps",
        () => w.sim.requests.slice(before).filter(isSweep).length >= 2,
      );
      const made = w.sim.requests.slice(before).filter((r) => !isSweep(r));
      expect(made).toEqual([]);
      expect(
        w.sim.commentsOn(repo, issue).map((c) => [c.user.login, c.body]),
      ).toEqual([["alice", "/specify Add dark mode"]]);
      expect(await repo.git.text(["for-each-ref", "refs/heads/speckit"])).toBe(
        "",
      );
      expect(w.sim.workflowRunsOf(repo)).toEqual([]);
      expect(w.sim.checkRunsOf(repo)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "acts on the same delivery correctly signed",
    async () => {
      const w = world;
      const answer = await post({
        "x-hub-signature-256": w.sim.webhooks.sign(delivery.body),
      });
      // 202 when handling outlasts Probot's 9 s answer timeout.
      expect([200, 202]).toContain(answer.status);
      await w.until(
        "the run's tracking comment",
        () => trackingComment() !== undefined,
      );
      expect(trackingComment()?.user.login).toBe("specwright[bot]");
      expect(w.problems()).toEqual([]);
    },
    TIMEOUT,
  );
});
