import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { nockCreateComment, nockReaction } from "../mocks/issues.js";
import { nockConfig, nockPermission } from "../mocks/repository.js";
import { RUN } from "../support/flow.js";
import { commentPayload } from "../support/payloads.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { openTestStore } from "../support/test-store.js";

describe("budgets and prices that are wrong, in the reply to /specify", () => {
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
    app = await createTestApp(test.store, { runIds: [RUN] });
  });

  it("answers with the located problems, and starts no run", async () => {
    const config = [
      "budgets:",
      "  run:",
      "    cost_usd: -1",
      "    time: 2x",
      "prices:",
      "  gpt-5:",
      "    input_per_mtok: cheap",
      "    output_per_mtok: 10",
      "",
    ].join("\n");
    nockPermission("alice", "write");
    nockConfig(config, { raw: true });
    const comment = commentPayload("/specify Add a dark mode toggle");
    nockReaction(comment.comment.id, "confused");
    const reply = nockCreateComment(42);
    await app.receive("issue_comment", comment);
    expect(reply.bodies[0]?.body).toBe(
      [
        "Specwright did not act on `/specify`: `.github/specwright.yml` is invalid.",
        "",
        "```",
        ".github/specwright.yml:3:15: a cost budget must be more than 0; got -1",
        '.github/specwright.yml:4:11: expected a duration such as 30s, 5m, 2h, 7d or 1h30m; got the string "2x"',
        '.github/specwright.yml:7:21: expected a number, got the string "cheap"',
        "```",
        "",
        "Fix the file on the default branch and comment again; `npx specwright validate` checks it locally.",
      ].join("\n"),
    );
    expect(await test.store.findRunsFor("acme", "web", 42)).toEqual([]);
  });

  it("names a price for an unknown model", async () => {
    nockPermission("alice", "write");
    nockConfig(
      "prices:\n  claude-sonet-4-5:\n    input_per_mtok: 3\n    output_per_mtok: 15\n",
      { raw: true },
    );
    const comment = commentPayload("/specify Add a dark mode toggle");
    nockReaction(comment.comment.id, "confused");
    const reply = nockCreateComment(42);
    await app.receive("issue_comment", comment);
    expect(reply.bodies[0]?.body).toContain(
      ".github/specwright.yml:2:3: unknown model 'claude-sonet-4-5': not a model of claude, codex, gemini or copilot that Specwright knows, nor one this configuration runs (agent.model or a stage's agent.model) (did you mean 'claude-sonnet-4-5'?)",
    );
  });
});
