import { describe, expect, it, vi } from "vitest";
import { SpecwrightOctokit } from "../../src/github/specwright-octokit.js";
import { github } from "../support/github.js";

/** A client whose log keeps debug lines or not, as a pino logger says. */
function client(debugKept: boolean) {
  const log = {
    debug: vi.fn(),
    info() {},
    warn() {},
    error() {},
    isLevelEnabled: (level: string) => debugKept || level !== "debug",
  };
  const octokit = new SpecwrightOctokit({
    auth: "token",
    retry: { enabled: false },
    log,
  });
  return { octokit, debug: log.debug };
}

describe("Specwright's Octokit", () => {
  it("logs each request's line at debug, as Probot does, when debug lines are kept", async () => {
    github()
      .patch("/repos/acme/web/issues/comments/5", { body: "hi" })
      .reply(200, { id: 5 })
      .get("/repos/acme/web")
      .reply(404, { message: "Not Found" });
    const { octokit, debug } = client(true);

    await octokit.rest.issues.updateComment({
      owner: "acme",
      repo: "web",
      comment_id: 5,
      body: "hi",
    });
    await expect(
      octokit.rest.repos.get({ owner: "acme", repo: "web" }),
    ).rejects.toMatchObject({ status: 404 });

    expect(debug.mock.calls).toEqual([
      [
        { body: "hi" },
        "GitHub request: PATCH https://api.github.com/repos/acme/web/issues/comments/5 - 200",
      ],
      [{}, "GitHub request: GET https://api.github.com/repos/acme/web - 404"],
    ]);
  });

  it("makes no request line when debug lines are dropped", async () => {
    github().get("/repos/acme/web").reply(200, { full_name: "acme/web" });
    const { octokit, debug } = client(false);

    const { data } = await octokit.rest.repos.get({
      owner: "acme",
      repo: "web",
    });

    expect(data.full_name).toBe("acme/web");
    expect(debug).not.toHaveBeenCalled();
  });

  it("says it is Specwright, and keeps Probot's configuration reading and pagination", async () => {
    const seen: string[] = [];
    github()
      .get("/repos/acme/web/issues/1/comments")
      .query(true)
      .reply(function () {
        seen.push(String(this.req.headers["user-agent"]));
        return [200, [{ id: 1 }]];
      });
    const { octokit } = client(false);

    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: "acme",
      repo: "web",
      issue_number: 1,
    });

    expect(comments).toEqual([{ id: 1 }]);
    expect(seen[0]).toMatch(/^specwright octokit-core\.js\//);
    expect(typeof octokit.config.get).toBe("function");
  });
});
