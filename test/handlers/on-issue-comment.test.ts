import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { nockCreateComment, nockReaction } from "../mocks/issues.js";
import { nockConfig, nockPermission } from "../mocks/repository.js";
import { BRANCH, RUN, startRun } from "../support/flow.js";
import { github } from "../support/github.js";
import { commentPayload } from "../support/payloads.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { openTestStore } from "../support/test-store.js";

describe("issue comments", () => {
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
    app = await createTestApp(test.store, {
      runIds: [RUN],
      tokens: ["abc123"],
    });
  });

  async function runs() {
    return test.store.findRunsFor("acme", "web", 42);
  }

  describe("that run nothing, and ask GitHub nothing", () => {
    it.each([
      [
        "a comment from a bot",
        commentPayload("/specify Add a dark mode toggle", {
          login: "renovate[bot]",
          bot: true,
        }),
      ],
      [
        "the App's own comment",
        commentPayload("/specify Add x", {
          login: "specwright[bot]",
          bot: true,
        }),
      ],
      ["a comment without a command", commentPayload("Looks good to me")],
      [
        "a command inside a code block",
        commentPayload("Try this:\n```\n/specify Add x\n```"),
      ],
      ["a quoted command", commentPayload("> /specify Add x\n\nNot yet.")],
      [
        "a command on a line that continues a quote",
        commentPayload("> Someone wrote:\n/specify Add x"),
      ],
      [
        "a command in a <pre> block",
        commentPayload("<pre>\n/specify Add x\n</pre>"),
      ],
      [
        "a command folded in a <details> block",
        commentPayload(
          "<details><summary>Log</summary>\n\n/specify Add x\n\n</details>",
        ),
      ],
      ["a path at the start of a line", commentPayload("/usr/bin/env node")],
    ])("%s", async (_, payload) => {
      await app.receive("issue_comment", payload);
      expect(await runs()).toEqual([]);
    });
  });

  it("answers an unknown command with the commands the commenter may use", async () => {
    nockPermission("tom", "triage");
    nockConfig(null);
    const reply = nockCreateComment(42);
    await app.receive(
      "issue_comment",
      commentPayload("/lgtm\n/shipit", { login: "tom" }),
    );
    // One answer for the comment, however many unknown commands it holds.
    expect(reply.bodies).toEqual([
      {
        body: [
          "@tom `/lgtm` is not a Specwright command.",
          "",
          "Specwright commands you can use here (a line of a comment that starts with the command):",
          "",
          "- `/status`: where the run is",
          "- `/help`: this list",
        ].join("\n"),
      },
    ]);
    expect(await runs()).toEqual([]);
  });

  it("does not answer a reader's unknown commands (anyone can read a public repository)", async () => {
    nockPermission("rita", "read");
    nockConfig(null);
    await app.receive(
      "issue_comment",
      commentPayload("/lgtm", { login: "rita" }),
    );
    expect(await runs()).toEqual([]);
  });

  it("answers a comment of many commands once, acting on the first ten", async () => {
    nockPermission("tom", "triage");
    nockConfig(null);
    const reply = nockCreateComment(42);
    const body = Array.from({ length: 25 }, (_, i) => `/status ${i}`).join(
      "\n",
    );
    const payload = commentPayload(body, { login: "tom" });
    for (let i = 0; i < 10; i++) nockReaction(payload.comment.id, "eyes");
    await app.receive("issue_comment", payload);
    expect(reply.bodies).toHaveLength(1);
    const text = reply.bodies[0]?.body ?? "";
    expect(text).toContain("the other 15 were ignored");
    expect(text.match(/There is no Specwright run here yet/g)).toHaveLength(10);
  });

  it("refuses a commenter without write permission with a short reply, and does nothing else", async () => {
    nockPermission("mallory", "read");
    nockConfig(null);
    const reply = nockCreateComment(42);
    await app.receive(
      "issue_comment",
      commentPayload("/specify Add a dark mode toggle", { login: "mallory" }),
    );
    expect(reply.bodies).toEqual([
      {
        body: "@mallory `/specify` needs write permission on this repository; you have read. Specwright does not answer your commands here again.",
      },
    ]);
    expect(await runs()).toEqual([]);
  });

  it("uses the permission the config sets for a command", async () => {
    nockPermission("bob", "write");
    nockConfig("permissions:\n  specify: maintain\n");
    const reply = nockCreateComment(42);
    await app.receive(
      "issue_comment",
      commentPayload("/specify Add x", { login: "bob" }),
    );
    expect(reply.bodies[0]?.body).toBe(
      "@bob `/specify` needs maintain permission on this repository; you have write. Specwright does not answer your commands here again.",
    );
  });

  it("answers an invalid config with file, line and problem, a 😕, and no run", async () => {
    const config =
      "agent:\n  backend: gpt\nworkflow:\n  stages:\n    - id: plan\n      depend_on: [specify]\n";
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
        '.github/specwright.yml:2:12: expected one of claude, codex, gemini, copilot, command; got the string "gpt"',
        ".github/specwright.yml:6:7: unknown key 'depend_on' (did you mean 'depends_on'?)",
        "```",
        "",
        "Fix the file on the default branch and comment again; `npx specwright validate` checks it locally.",
      ].join("\n"),
    );
    expect(await runs()).toEqual([]);
  });

  it("answers though GitHub refuses its 😕 reaction (a reaction is only logged)", async () => {
    nockPermission("alice", "write");
    nockConfig("agent:\n  backend: gpt\n", { raw: true });
    const comment = commentPayload("/specify Add a dark mode toggle");
    const reaction = github()
      .post(`/repos/acme/web/issues/comments/${comment.comment.id}/reactions`, {
        content: "confused",
      })
      .reply(403, { message: "Resource not accessible by integration" });
    const reply = nockCreateComment(42);
    await expect(
      app.receive("issue_comment", comment),
    ).resolves.toBeUndefined();
    expect(reaction.isDone()).toBe(true);
    expect(reply.bodies[0]?.body).toContain(
      "Specwright did not act on `/specify`: `.github/specwright.yml` is invalid.",
    );
  });

  it("explains a config that is not YAML at all", async () => {
    const config = "workflow:\n  stages:\n    - id: a\n     name: x\n";
    nockPermission("alice", "write");
    nockConfig(config, { raw: true });
    const comment = commentPayload("/specify Add x");
    nockReaction(comment.comment.id, "confused");
    const reply = nockCreateComment(42);
    await app.receive("issue_comment", comment);
    expect(reply.bodies[0]?.body).toContain(
      ".github/specwright.yml:4:6: invalid YAML: bad indentation of a sequence entry",
    );
    expect(await runs()).toEqual([]);
  });

  it("starts one run for a delivery, however often it is delivered", async () => {
    const { comment } = await startRun(app, { deliveryId: "delivery-1" });
    const before = await runs();
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({
      id: RUN,
      branch: BRANCH,
      status: "in_progress",
      requested_by: "alice",
      // Links are made from the address GitHub gave (GHES has its own).
      html_url: comment.repository.html_url,
      // And its id: a name can be reused by another repository.
      repository_id: comment.repository.id,
    });

    // GitHub's redelivery keeps X-GitHub-Delivery: nothing is asked of
    // GitHub (no mocks are set) and nothing changes.
    await app.receive("issue_comment", comment, "delivery-1");
    expect(await runs()).toEqual(before);
  });

  it("refuses /specify without a description, and on a pull request", async () => {
    nockPermission("alice", "write");
    nockConfig(null);
    const empty = commentPayload("/specify");
    nockReaction(empty.comment.id, "eyes");
    const reply = nockCreateComment(42);
    await app.receive("issue_comment", empty);
    expect(reply.bodies[0]?.body).toBe(
      "`/specify` needs a description of the feature, for example: `/specify Add a dark mode toggle`.",
    );

    nockPermission("alice", "write");
    nockConfig(null);
    const onPull = commentPayload("/specify Add x", {
      pullRequest: true,
      issue: 12,
    });
    nockReaction(onPull.comment.id, "eyes");
    const pullReply = nockCreateComment(12);
    await app.receive("issue_comment", onPull);
    expect(pullReply.bodies[0]?.body).toBe(
      "`/specify` starts a run from an issue: comment it on an issue, not on a pull request.",
    );
    expect(await runs()).toEqual([]);
  });

  it("refuses a feature too large to dispatch before it makes a branch, and says why", async () => {
    nockPermission("alice", "write");
    nockConfig(null);
    const comment = commentPayload(`/specify ${"x".repeat(70_000)}`);
    nockReaction(comment.comment.id, "eyes");
    // The tracking comment, and the notice that the run ended: no labels,
    // no branch (none is mocked: a request for one would fail the test).
    const comments = nockCreateComment(42, 2);
    await app.receive("issue_comment", comment);
    const [run] = await runs();
    expect(run).toMatchObject({ status: "failed", base_sha: null });
    expect(run?.result_summary).toMatch(
      /^Stage Specify failed: the stage request is \d+ characters, over the 65000 GitHub allows in dispatch inputs; shorten the issue text or the stage's inputs; no branch was made$/,
    );
    expect(comments.bodies.map((b) => b.body).join("\n")).toContain(
      "over the 65000 GitHub allows in dispatch inputs",
    );
  });

  it("takes a multi-line feature from the lines after /specify", async () => {
    await startRun(app, {
      body: "/specify\nAdd a dark mode toggle\nthat follows the system setting",
    });
    const [run] = await runs();
    expect(run?.feature).toBe(
      "Add a dark mode toggle\nthat follows the system setting",
    );
  });
});
