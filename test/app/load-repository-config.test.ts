import { Context, ProbotOctokit } from "probot";
import { beforeEach, describe, expect, it } from "vitest";
import {
  forgetOwnerConfigs,
  loadRepositoryConfig,
  OWN_CONFIG_MEMORY_MS,
  OWNER_CONFIG_MEMORY_MS,
} from "../../src/app/load-repository-config.js";
import { github, requestLog } from "../support/github.js";
import { commentPayload } from "../support/payloads.js";

const TestOctokit = ProbotOctokit.defaults((options: object) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));
const FILE = ".github%2Fspecwright.yml";
const OWN = `/repos/acme/web/contents/${FILE}`;
const SHARED = `/repos/acme/.github/contents/${FILE}`;

let pushes = 0;

/**
 * A delivery's context, as Probot makes it. Its repository's `pushed_at`
 * is new each time (a branch moved since the last), unless given.
 */
function delivery(pushedAt?: string): Context<"issue_comment"> {
  const payload = commentPayload("/specify Add a dark mode toggle");
  payload.repository.pushed_at =
    pushedAt ?? new Date(Date.UTC(2026, 11, 5, 9, 0, pushes++)).toISOString();
  return new Context(
    {
      id: "d1",
      name: "issue_comment",
      payload,
    } as ConstructorParameters<typeof Context<"issue_comment">>[0],
    new TestOctokit({ auth: "token" }),
    console as never,
  );
}

/** The GitHub requests `act` made, as paths. */
async function requestsOf(act: () => Promise<unknown>): Promise<string[]> {
  const before = requestLog.length;
  await act();
  return requestLog.slice(before).map((r) => r.path);
}

describe("reading .github/specwright.yml", () => {
  const T0 = Date.parse("2026-12-05T10:00:00.000Z");
  beforeEach(() => forgetOwnerConfigs());

  it("reads the repository's file once, and says on which line a problem is", async () => {
    github().get(OWN).reply(200, "budgets:\n  run:\n    cost_usd: -1\n");
    const config = await loadRepositoryConfig(delivery(), T0);
    expect(config.ok).toBe(false);
    expect(config.ok ? [] : config.problems).toEqual([
      expect.stringMatching(/^\.github\/specwright\.yml:3:/),
    ]);
  });

  it("remembers for a minute that the owner's .github repository has no configuration", async () => {
    github().get(OWN).times(4).reply(404, { message: "Not Found" });
    github().get(SHARED).times(2).reply(404, { message: "Not Found" });
    expect(
      await requestsOf(() => loadRepositoryConfig(delivery(), T0)),
    ).toEqual([OWN, SHARED]);
    // The next command within the minute: the repository's file only.
    const soon = T0 + OWNER_CONFIG_MEMORY_MS - 1;
    expect(
      await requestsOf(() => loadRepositoryConfig(delivery(), soon)),
    ).toEqual([OWN]);
    const config = await loadRepositoryConfig(delivery(), soon);
    expect(config.ok).toBe(true);
    // A minute on, the owner's repository is asked again.
    const later = T0 + OWNER_CONFIG_MEMORY_MS;
    expect(
      await requestsOf(() => loadRepositoryConfig(delivery(), later)),
    ).toEqual([OWN, SHARED]);
  });

  it("uses the owner's configuration when the repository has none, and keeps asking for it", async () => {
    github().get(OWN).times(2).reply(404, { message: "Not Found" });
    github()
      .get(SHARED)
      .times(2)
      .reply(200, "permissions:\n  specify: admin\n");
    for (const at of [T0, T0 + 1]) {
      const config = await loadRepositoryConfig(delivery(), at);
      expect(config.ok && config.config.permissions.specify).toBe("admin");
    }
  });

  it("makes one read of each file for a burst of commands, shared while it is under way", async () => {
    github().get(OWN).delay(50).reply(404, { message: "Not Found" });
    github().get(SHARED).delay(50).reply(404, { message: "Not Found" });
    const sent = await requestsOf(() =>
      Promise.all(
        Array.from({ length: 5 }, () => loadRepositoryConfig(delivery(), T0)),
      ),
    );
    expect(sent).toEqual([OWN, SHARED]);
    // Once answered, the next command reads the repository's file again.
    github().get(OWN).reply(200, "permissions:\n  specify: admin\n");
    const config = await loadRepositoryConfig(delivery(), T0 + 1);
    expect(config.ok && config.config.permissions.specify).toBe("admin");
  });

  it("shares a failed read with those waiting on it, and reads again after", async () => {
    github().get(OWN).delay(50).reply(404, { message: "Not Found" });
    github().get(SHARED).delay(50).reply(500, { message: "boom" });
    const both = await Promise.all([
      loadRepositoryConfig(delivery(), T0),
      loadRepositoryConfig(delivery(), T0),
    ]);
    expect(both.map((c) => c.ok)).toEqual([false, false]);
    github().get(OWN).reply(404, { message: "Not Found" });
    github().get(SHARED).reply(404, { message: "Not Found" });
    expect((await loadRepositoryConfig(delivery(), T0 + 1)).ok).toBe(true);
  });

  it("reads the repository's file again only once a branch moved (its pushed_at), and after a minute", async () => {
    github().get(OWN).reply(200, "permissions:\n  specify: admin\n");
    const quiet = "2026-12-05T09:30:00Z";
    const first = await loadRepositoryConfig(delivery(quiet), T0);
    expect(first.ok && first.config.permissions.specify).toBe("admin");
    // No branch moved: the file is as it was read (strict nock: no request).
    expect(
      await requestsOf(() => loadRepositoryConfig(delivery(quiet), T0 + 1)),
    ).toEqual([]);
    // A push since: read again, and the new text is used.
    github().get(OWN).reply(200, "permissions:\n  specify: write\n");
    const pushed = await loadRepositoryConfig(
      delivery("2026-12-05T09:31:00Z"),
      T0 + 2,
    );
    expect(pushed.ok && pushed.config.permissions.specify).toBe("write");
    // A minute on, read again even with no push seen.
    github().get(OWN).reply(200, "permissions:\n  specify: admin\n");
    expect(
      await requestsOf(() =>
        loadRepositoryConfig(
          delivery("2026-12-05T09:31:00Z"),
          T0 + 2 + OWN_CONFIG_MEMORY_MS,
        ),
      ),
    ).toEqual([OWN]);
  });

  it("says GitHub did not give the file when reading it fails, not that it is invalid", async () => {
    github().get(OWN).reply(500, { message: "Server Error" });
    const config = await loadRepositoryConfig(delivery(), T0);
    expect(config).toStrictEqual({
      ok: false,
      problems: [
        ".github/specwright.yml: GitHub did not give the file (HTTP 500); try again in a while",
      ],
    });
  });

  it("says a folder at the file's path is not a file", async () => {
    github()
      .get(OWN)
      .reply(200, [
        { type: "file", name: "a.yml", path: ".github/specwright.yml/a.yml" },
      ]);
    const config = await loadRepositoryConfig(delivery(), T0);
    expect(config).toStrictEqual({
      ok: false,
      problems: [
        ".github/specwright.yml: is a folder or a submodule, not a file",
      ],
    });
  });

  it("still says where a file that is not YAML goes wrong", async () => {
    github().get(OWN).reply(200, "permissions: [specify\n");
    const config = await loadRepositoryConfig(delivery(), T0);
    expect(config.ok ? [] : config.problems).toEqual([
      expect.stringMatching(/^\.github\/specwright\.yml:\d+:\d+: /),
    ]);
  });
});
