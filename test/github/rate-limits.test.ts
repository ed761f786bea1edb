import { readFileSync } from "node:fs";
import { Probot } from "probot";
import { describe, expect, it, vi } from "vitest";
import {
  MAX_RATE_LIMIT_RETRIES,
  onLimit,
  rateLimitCounts,
} from "../../src/github/rate-limits.js";
import { SpecwrightOctokit } from "../../src/github/specwright-octokit.js";
import { github } from "../support/github.js";

const request = { method: "GET", url: "/repos/{owner}/{repo}" };

/** Specwright's client, with these options for server errors' retries. */
function client(retry: object) {
  return new SpecwrightOctokit({
    auth: "token",
    retry,
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
}

/** Without server errors' retries: rate limits alone. */
const limitsOnly = () => client({ enabled: false });
/** Server errors' retries waiting 1, 4, 9 … milliseconds. */
const quickRetries = (retry: object = {}) =>
  client({ retryAfterBaseValue: 1, ...retry });

/** acme/web's full name, as the client reads it. */
async function repoName(octokit: ReturnType<typeof client>): Promise<string> {
  const { data } = await octokit.rest.repos.get({ owner: "acme", repo: "web" });
  return data.full_name;
}

describe("rate limits", () => {
  it("retries a limited request as GitHub asks, a bounded number of times, counting each hit", () => {
    const log = { warn: vi.fn() };
    const before = rateLimitCounts.secondary;
    const decide = onLimit("secondary");
    expect(decide(5, request, { log }, 0)).toBe(true);
    expect(decide(5, request, { log }, MAX_RATE_LIMIT_RETRIES - 1)).toBe(true);
    expect(decide(5, request, { log }, MAX_RATE_LIMIT_RETRIES)).toBe(false);
    expect(rateLimitCounts.secondary - before).toBe(3);
    expect(log.warn).toHaveBeenNthCalledWith(
      1,
      expect.stringMatching(
        /^specwright: secondary rate limit on GET \/repos\/\{owner\}\/\{repo\} \(hit \d+ since start\); retrying in 5s \(retry 1 of 2\)$/,
      ),
    );
    expect(log.warn).toHaveBeenLastCalledWith(
      expect.stringContaining("giving up on this request for now"),
    );
  });

  it("does not hold a request for a long wait: it fails, and the effect backs off", () => {
    const log = { warn: vi.fn() };
    expect(onLimit("primary")(3_600, request, { log }, 0)).toBe(false);
  });

  it("sends a request again after a secondary rate limit, and gets the answer", {
    timeout: 15_000,
  }, async () => {
    github()
      .get("/repos/acme/web")
      .reply(
        403,
        { message: "You have exceeded a secondary rate limit." },
        { "retry-after": "1" },
      )
      .get("/repos/acme/web")
      .reply(200, { full_name: "acme/web" });
    expect(await repoName(limitsOnly())).toBe("acme/web");
  });

  it("gives up after its retries, with GitHub's error", {
    timeout: 15_000,
  }, async () => {
    github()
      .get("/repos/acme/web")
      .times(MAX_RATE_LIMIT_RETRIES + 1)
      .reply(
        403,
        { message: "You have exceeded a secondary rate limit." },
        { "retry-after": "1" },
      );
    await expect(repoName(limitsOnly())).rejects.toMatchObject({ status: 403 });
  });
});

describe("server errors", () => {
  it("sends a request that failed with a server error or no answer again, and gets the answer", async () => {
    github()
      .get("/repos/acme/web")
      .reply(502, { message: "Bad Gateway" })
      .get("/repos/acme/web")
      .replyWithError("socket hang up")
      .get("/repos/acme/web")
      .reply(200, { full_name: "acme/web" });
    expect(await repoName(quickRetries())).toBe("acme/web");
  });

  it("gives up after three retries, with GitHub's error", async () => {
    const scope = github()
      .get("/repos/acme/web")
      .times(4)
      .reply(500, { message: "Server Error" });
    await expect(repoName(quickRetries())).rejects.toMatchObject({
      status: 500,
      message: "Server Error",
    });
    expect(scope.isDone()).toBe(true);
  });

  it("does not send again what a retry would not change, nor when retries are off", async () => {
    github().get("/repos/acme/web").reply(404, { message: "Not Found" });
    await expect(repoName(quickRetries())).rejects.toMatchObject({
      status: 404,
    });

    github().get("/repos/acme/web").reply(502, { message: "Bad Gateway" });
    await expect(
      repoName(quickRetries({ enabled: false })),
    ).rejects.toMatchObject({ status: 502 });
    // A request without a mock would fail: nothing was sent twice.
  });
});

describe("rate limits under Probot", () => {
  it("keeps the bounded handlers on the clients Probot makes", async () => {
    const probot = new Probot({
      appId: 123,
      privateKey: readFileSync("test/fixtures/mock-cert.pem", "utf8"),
      secret: "s",
      Octokit: SpecwrightOctokit,
      logLevel: "fatal",
    });
    github()
      .post("/app/installations/2/access_tokens")
      .reply(201, { token: "t", expires_at: "2999-01-01T00:00:00Z" })
      .get("/repos/acme/web")
      .times(MAX_RATE_LIMIT_RETRIES + 1)
      .reply(
        403,
        { message: "You have exceeded a secondary rate limit." },
        { "retry-after": "1" },
      );
    const before = rateLimitCounts.secondary;
    const octokit = await probot.auth(2);
    await expect(
      octokit.rest.repos.get({ owner: "acme", repo: "web" }),
    ).rejects.toMatchObject({ status: 403 });
    expect(rateLimitCounts.secondary - before).toBe(MAX_RATE_LIMIT_RETRIES + 1);
  }, 15_000);
});
