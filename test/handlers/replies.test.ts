import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { at, failed, on, RUN_ID, step } from "../engine/fixtures.js";
import { nockCreateComment, nockReaction } from "../mocks/issues.js";
import { nockConfig, nockPermission } from "../mocks/repository.js";
import { commentPayload } from "../support/payloads.js";
import { implementWaiting, seedRun } from "../support/seed-run.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { openTestStore } from "../support/test-store.js";

/**
 * What the App says back to a comment: a refused person is told once per
 * issue (anyone may comment on a public repository), and what a reply
 * quotes of a run is untrusted text. The strict HTTP mocks fail a test on
 * any comment not expected.
 */
describe("replies to commands", () => {
  let test: Awaited<ReturnType<typeof openTestStore>>;
  let app: TestApp;

  beforeAll(async () => {
    test = await openTestStore("pglite");
  });
  afterAll(async () => {
    await test.close();
  });
  beforeEach(async () => {
    await test.reset();
    app = await createTestApp(test.store);
  });

  /** `body` commented on issue `issue` by `login`, with `permission`. */
  async function comment(
    body: string,
    options: {
      login?: string;
      permission?: Parameters<typeof nockPermission>[1];
      issue?: number;
    } = {},
  ) {
    const login = options.login ?? "rita";
    nockPermission(login, options.permission ?? "read");
    nockConfig(null);
    await app.receive(
      "issue_comment",
      commentPayload(body, { login, issue: options.issue ?? 42 }),
    );
  }

  it("tells a person without the permission once per issue, and then nothing", async () => {
    const reply = nockCreateComment(42);
    await comment("/approve\n/cancel");
    expect(reply.bodies).toEqual([
      {
        body: "@rita `/approve` needs write permission on this repository; you have read. Specwright does not answer your commands here again.",
      },
    ]);
    // Later comments, with any command: no reply (none is mocked).
    await comment("/retry");
    await comment("/specify Add x");
    await comment("/approve");
    // Not the login's case either.
    await comment("/plan", { login: "RITA" });
  });

  it("tells them once on each issue, and tells each person", async () => {
    const first = nockCreateComment(42);
    await comment("/cancel");
    const other = nockCreateComment(43);
    await comment("/cancel", { issue: 43 });
    const someoneElse = nockCreateComment(42);
    await comment("/cancel", { login: "mallory" });
    expect([first, other, someoneElse].map((r) => r.bodies[0]?.body)).toEqual([
      expect.stringMatching(/^@rita `\/cancel` needs write permission/),
      expect.stringMatching(/^@rita `\/cancel` needs write permission/),
      expect.stringMatching(/^@mallory `\/cancel` needs write permission/),
    ]);
  });

  it("says nothing, after the once, to a reader's comment of many commands", async () => {
    const reply = nockCreateComment(42);
    const many = Array.from({ length: 25 }, (_, i) => `/cancel ${i}`).join(
      "\n",
    );
    await comment(many);
    const text = reply.bodies[0]?.body ?? "";
    expect(text).toContain("the other 15 were ignored");
    expect(text.match(/needs write permission/g)).toHaveLength(1);
    await comment(many);
  });

  it("answers /status with the run's untrusted text neutralised", async () => {
    const broken = step(
      step(implementWaiting(), on.approve("implement", "lead", at(11))).state,
      on.resultCollected(
        "implement",
        1,
        failed(`Fixes #7 for @acme/admins <!-- hidden ghp_${"a".repeat(36)}`),
        at(20),
      ),
    ).state;
    await seedRun(test.store, broken);
    const reply = nockCreateComment(12);
    const payload = commentPayload("/status", {
      login: "rita",
      issue: 12,
      pullRequest: true,
    });
    nockPermission("rita", "read");
    nockConfig(null);
    nockReaction(payload.comment.id, "eyes");
    await app.receive("issue_comment", payload);
    const text = reply.bodies[0]?.body ?? "";
    expect(text).toContain(`Run \`${RUN_ID}\``);
    expect(text).toContain(
      "| Implement | failed (F\u200Bixes #\u200B7 for @\u200Bacme/admins &lt;\\!-- hidden ***) | 1 |",
    );
    expect(text).not.toMatch(/Fixes #7|@acme|<!--|ghp_/);
  });
});
