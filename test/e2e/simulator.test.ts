import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ProbotOctokit } from "probot";
import githubAppJwt from "universal-github-app-jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubSimulator } from "../support/simulator/simulator.js";
import type { Repository } from "../support/simulator/state.js";

// The simulator stands in for GitHub in the end-to-end scenarios, so it must
// refuse what GitHub refuses. These tests speak to it with a plain Octokit.

const PRIVATE_KEY = readFileSync("test/fixtures/mock-cert.pem", "utf8");

describe("the GitHub simulator", () => {
  let sim: GitHubSimulator;
  let dir: string;
  let repo: Repository;
  let octokit: InstanceType<typeof ProbotOctokit>;
  const client = (auth: string) =>
    new ProbotOctokit({
      baseUrl: `${sim.url}/api/v3`,
      auth: { token: auth },
      throttle: { enabled: false },
      retry: { enabled: false },
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sim-"));
    sim = new GitHubSimulator({
      appId: 123,
      privateKey: PRIVATE_KEY,
      webhookSecret: "s",
      dataDir: dir,
      actionDir: resolve("action"),
      agentPath: [],
    });
    await sim.start();
    repo = await sim.createRepository("acme/web", {
      files: { "README.md": "# Web\n" },
      roles: { alice: "write" },
    });
    // The App's way in: a JWT for an installation token.
    const { token: jwt } = await githubAppJwt({
      id: 123,
      privateKey: PRIVATE_KEY,
    });
    const { token } = (await (
      await fetch(`${sim.url}/api/v3/app/installations/2/access_tokens`, {
        method: "POST",
        headers: { authorization: `bearer ${jwt}` },
      })
    ).json()) as { token: string };
    octokit = client(token);
  });
  afterAll(async () => {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const owner = "acme";
  const name = "web";

  it("refuses a request GitHub's REST description refuses, with GitHub's error shape", async () => {
    const before = sim.problems.length;
    await expect(
      // `name` is required: the types know it, so the request is untyped.
      octokit.request("POST /repos/{owner}/{repo}/check-runs", {
        owner,
        repo: name,
        head_sha: "x",
      } as never),
    ).rejects.toMatchObject({
      status: 422,
      response: {
        data: { message: expect.stringContaining("Invalid request.") },
      },
    });
    expect(sim.problems.length).toBe(before + 1);
    sim.problems.length = before;
  });

  it("answers a file's raw media type as GitHub does, text Octokit reads as a string", async () => {
    const { data, headers } = await octokit.rest.repos.getContent({
      owner,
      repo: name,
      path: "README.md",
      mediaType: { format: "raw" },
    });
    expect(headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(data).toBe("# Web\n");
  });

  it("refuses a JWT not signed with the App's key, and a token it did not issue", async () => {
    const stranger = client("ghs_forged");
    await expect(
      stranger.rest.repos.getCollaboratorPermissionLevel({
        owner,
        repo: name,
        username: "alice",
      }),
    ).rejects.toMatchObject({ status: 401 });
    await expect(
      fetch(`${sim.url}/api/v3/app/installations/2/access_tokens`, {
        method: "POST",
        headers: { authorization: "Bearer a.b.c" },
      }).then((r) => r.status),
    ).resolves.toBe(401);
  });

  it("answers roles as the collaborator-permission API does", async () => {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo: name,
      username: "alice",
    });
    expect(data).toMatchObject({ permission: "write", role_name: "write" });
    const reader = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo: name,
      username: "bob",
    });
    expect(reader.data.permission).toBe("read");
  });

  it("writes the Git Data API's objects into the real repository, fast-forward only", async () => {
    const { data: main } = await octokit.rest.git.getRef({
      owner,
      repo: name,
      ref: "heads/main",
    });
    const { data: parent } = await octokit.rest.git.getCommit({
      owner,
      repo: name,
      commit_sha: main.object.sha,
    });
    const { data: blob } = await octokit.rest.git.createBlob({
      owner,
      repo: name,
      content: Buffer.from([0, 1, 2, 255]).toString("base64"),
      encoding: "base64",
    });
    const { data: tree } = await octokit.rest.git.createTree({
      owner,
      repo: name,
      base_tree: parent.tree.sha,
      tree: [
        { path: "docs/a/b.md", mode: "100644", type: "blob", content: "# B\n" },
        { path: "bin/data", mode: "100755", type: "blob", sha: blob.sha },
        { path: "README.md", mode: "100644", type: "blob", sha: null },
      ],
    });
    const { data: commit } = await octokit.rest.git.createCommit({
      owner,
      repo: name,
      message: "Add docs\n\nSpecwright-Run: x",
      tree: tree.sha,
      parents: [main.object.sha],
    });
    await octokit.rest.git.createRef({
      owner,
      repo: name,
      ref: "refs/heads/feature",
      sha: commit.sha,
    });
    const files = await repo.git.text([
      "ls-tree",
      "-r",
      "--format=%(objectmode) %(path)",
      "feature",
    ]);
    expect(files.split("\n").sort()).toEqual([
      "100644 docs/a/b.md",
      "100755 bin/data",
    ]);
    expect(await repo.git.subjects("feature")).toEqual([
      "Add docs",
      "Initial commit",
    ]);
    expect((await repo.git.read("feature", "bin/data"))?.toJSON().data).toEqual(
      [0, 1, 2, 255],
    );

    // Moving the branch back is not a fast-forward: GitHub refuses it.
    await expect(
      octokit.rest.git.updateRef({
        owner,
        repo: name,
        ref: "heads/feature",
        sha: main.object.sha,
        force: false,
      }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining("Update is not a fast forward"),
    });
    await expect(
      octokit.rest.git.createRef({
        owner,
        repo: name,
        ref: "refs/heads/feature",
        sha: commit.sha,
      }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining("Reference already exists"),
    });
  });

  it("refuses a check run on a commit the repository does not have", async () => {
    await expect(
      octokit.rest.checks.create({
        owner,
        repo: name,
        name: "x",
        head_sha: "f".repeat(40),
      }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it("refuses a draft pull request where the plan has no drafts, as GitHub does, and takes a ready one", async () => {
    const plain = await sim.createRepository("acme/free", {
      files: { "README.md": "# Free\n" },
      draftPullRequests: false,
    });
    const head = await plain.git.resolve("refs/heads/main");
    await octokit.rest.git.createRef({
      owner,
      repo: "free",
      ref: "refs/heads/feature",
      sha: head ?? "",
    });
    const pull = { owner, repo: "free", head: "feature", base: "main" };
    const refused = await octokit.rest.pulls
      .create({ ...pull, title: "Draft", draft: true })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({
      status: 422,
      message: expect.stringContaining(
        "Draft pull requests are not supported in this repository.",
      ),
      response: {
        data: {
          message: "Draft pull requests are not supported in this repository.",
          documentation_url:
            "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
        },
      },
    });
    expect(
      (refused as { response: { data: object } }).response.data,
    ).not.toHaveProperty("errors");
    expect(sim.pulls(plain)).toEqual([]);

    const { data } = await octokit.rest.pulls.create({
      ...pull,
      title: "Ready",
      draft: false,
    });
    expect(data).toMatchObject({ draft: false, state: "open" });
  });

  it("refuses a dispatch of a workflow the default branch does not have", async () => {
    await expect(
      octokit.rest.actions.createWorkflowDispatch({
        owner,
        repo: name,
        workflow_id: "specwright.yml",
        ref: "main",
        inputs: { request: "{}" },
      }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("pages comments with a Link header, and refuses to edit someone else's", async () => {
    const issue = sim.openIssue(repo, { title: "T", body: "B", user: "alice" });
    for (let i = 0; i < 3; i++)
      sim.comment(repo, issue, `comment ${i}`, "alice");
    await sim.webhooks.settled();
    const pages = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo: name,
      issue_number: issue,
      per_page: 2,
    });
    expect(pages.map((c) => c.body)).toEqual([
      "comment 0",
      "comment 1",
      "comment 2",
    ]);
    await expect(
      octokit.rest.issues.updateComment({
        owner,
        repo: name,
        comment_id: pages[0]?.id ?? 0,
        body: "x",
      }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it("keeps the App's delivery log, pages it by cursor, and redelivers an attempt under its guid", async () => {
    // The App: answers 500 to the comment "first", 200 to the others.
    const received: string[] = [];
    const app = createServer((request, response) => {
      received.push(String(request.headers["x-github-delivery"]));
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        response.writeHead(body.includes('"body":"first"') ? 500 : 200);
        response.end();
      });
    });
    await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
    sim.webhooks.url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
    const before = sim.webhooks.log.length;
    let dropped = false;
    sim.webhooks.policy = {
      // The second comment's first attempt never arrives.
      drop: ({ redelivery }) => {
        if (redelivery || dropped || sim.webhooks.log.length === before) {
          return false;
        }
        dropped = true;
        return true;
      },
    };
    try {
      const issue = sim.openIssue(repo, {
        title: "T",
        body: "B",
        user: "alice",
      });
      sim.comment(repo, issue, "first", "alice");
      sim.comment(repo, issue, "second", "alice");
      sim.comment(repo, issue, "third", "alice");
      await sim.idle();

      const { token: jwt } = await githubAppJwt({
        id: 123,
        privateKey: PRIVATE_KEY,
      });
      const asApp = client(jwt);
      const log = await asApp.paginate(asApp.rest.apps.listWebhookDeliveries, {
        per_page: 2,
      });
      const mine = log.slice(0, 3);
      expect(
        mine.map((d) => [d.event, d.action, d.status_code, d.redelivery]),
      ).toEqual([
        ["issue_comment", "created", 200, false],
        ["issue_comment", "created", 0, false],
        ["issue_comment", "created", 500, false],
      ]);
      expect(mine[1]).toMatchObject({
        status: "failed to connect to host",
        installation_id: 2,
        repository_id: repo.id,
        delivered_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:]{8}Z$/),
      });
      expect(received.sort()).toEqual([mine[2]?.guid, mine[0]?.guid].sort());
      const failures = await asApp.rest.apps.listWebhookDeliveries({
        status: "failure",
      });
      expect(failures.data.slice(0, 2).map((d) => d.id)).toEqual([
        mine[1]?.id,
        mine[2]?.id,
      ]);

      // Asked again, the dropped one arrives under the same guid.
      const again = await asApp.rest.apps.redeliverWebhookDelivery({
        delivery_id: mine[1]?.id ?? 0,
      });
      expect(again.status).toBe(202);
      await sim.idle();
      expect(received.at(-1)).toBe(mine[1]?.guid);
      const [newest] = (await asApp.rest.apps.listWebhookDeliveries()).data;
      expect(newest).toMatchObject({
        guid: mine[1]?.guid,
        redelivery: true,
        status_code: 200,
        status: "OK",
      });

      await expect(
        asApp.rest.apps.redeliverWebhookDelivery({ delivery_id: 999_999 }),
      ).rejects.toMatchObject({ status: 404 });
      // GitHub keeps three days of deliveries, and redelivers none older.
      const old = sim.webhooks.log.find((d) => d.id === mine[2]?.id);
      if (old) {
        old.delivered_at = new Date(Date.now() - 4 * 86_400_000).toISOString();
      }
      await expect(
        asApp.rest.apps.redeliverWebhookDelivery({
          delivery_id: mine[2]?.id ?? 0,
        }),
      ).rejects.toMatchObject({ status: 422 });
      // The log is the App's: an installation token may not read it.
      await expect(
        octokit.rest.apps.listWebhookDeliveries(),
      ).rejects.toMatchObject({ status: 401 });
    } finally {
      sim.webhooks.policy = {};
      sim.webhooks.url = undefined;
      app.close();
    }
  });
});
