import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Session, SignedOutError } from "../../../src/web/auth/index.js";
import { AuthWorld } from "./auth-world.js";

// What a signed-in person may see and do, as GitHub answers it for their
// user token, and how often GitHub is asked (requests counted at the
// simulator).

describe("a signed-in person's access to repositories", () => {
  let world: AuthWorld;

  /** A session signed in as `login`, read through the real auth. */
  async function sessionOf(login: string): Promise<Session> {
    const { cookie } = await world.signIn(login);
    await world.probe(cookie);
    if (world.lastSession === undefined) throw new Error("not signed in");
    return world.lastSession;
  }

  beforeAll(async () => {
    // Pages of one item: every list is paginated.
    world = await AuthWorld.start({ perPage: 1 });
    const files = { "README.md": "# Repo\n" };
    await world.sim.createRepository("acme/web", {
      files,
      roles: { ann: "admin", wes: "write", tia: "triage", max: "maintain" },
    });
    await world.sim.createRepository("acme/public", { files });
    await world.sim.createRepository("acme/vault", {
      files,
      private: true,
      roles: { ann: "read" },
    });
    await world.sim.createRepository("other/tools", {
      files,
      installation: 9,
      private: true,
      roles: { ann: "write" },
    });
  });
  afterEach(() => {
    expect(world.sim.problems).toEqual([]);
  });
  afterAll(async () => {
    await world.stop();
  });

  it.each([
    { login: "ann", repo: "acme/web", permission: "admin" },
    { login: "max", repo: "acme/web", permission: "maintain" },
    { login: "wes", repo: "acme/web", permission: "write" },
    { login: "tia", repo: "acme/web", permission: "triage" },
    { login: "rita", repo: "acme/web", permission: "read" },
    { login: "ann", repo: "acme/vault", permission: "read" },
    { login: "rita", repo: "acme/vault", permission: "none" },
    { login: "rita", repo: "acme/missing", permission: "none" },
  ])(
    "gives $login $permission on $repo",
    async ({ login, repo, permission }) => {
      const session = await sessionOf(login);
      const [owner = "", name = ""] = repo.split("/");
      expect(await world.auth.permission(session, owner, name)).toBe(
        permission,
      );
    },
  );

  it("asks GitHub once a minute per person and repository", async () => {
    const session = await sessionOf("wes");
    const before = world.count("GET", "/repos/acme/web");
    expect(await world.auth.permission(session, "acme", "web")).toBe("write");
    expect(await world.auth.permission(session, "acme", "web")).toBe("write");
    expect(await world.auth.permission(session, "ACME", "Web")).toBe("write");
    expect(world.count("GET", "/repos/acme/web")).toBe(before + 1);

    // A role taken away counts once the minute is over.
    world.sim.repo("acme/web").roles.set("wes", "read");
    world.clock += 59_000;
    expect(await world.auth.permission(session, "acme", "web")).toBe("write");
    world.clock += 2_000;
    expect(await world.auth.permission(session, "acme", "web")).toBe("read");
    expect(world.count("GET", "/repos/acme/web")).toBe(before + 2);
    world.sim.repo("acme/web").roles.set("wes", "write");
  });

  it("does not share answers between people", async () => {
    const ann = await sessionOf("ann");
    const rita = await sessionOf("rita");
    expect(await world.auth.permission(ann, "acme", "vault")).toBe("read");
    expect(await world.auth.permission(rita, "acme", "vault")).toBe("none");
  });

  it("asks nothing of GitHub for a name that is not a repository's", async () => {
    const session = await sessionOf("ann");
    const before = world.sim.requests.length;
    expect(await world.auth.permission(session, "acme", "../user")).toBe(
      "none",
    );
    expect(await world.auth.permission(session, "", "web")).toBe("none");
    expect(world.sim.requests.length).toBe(before);
  });

  it("finds the repositories among the candidates a person can read, through their installations, page by page", async () => {
    const session = await sessionOf("ann");
    const candidates = [
      "acme/web",
      "acme/vault",
      "acme/public",
      "other/tools",
      "acme/missing",
    ];
    const paths = [
      "/user/installations",
      "/user/installations/2/repositories",
      "/user/installations/9/repositories",
      "/repos/acme/public",
      "/repos/acme/missing",
      "/repos/other/tools",
    ];
    const baseline = paths.map((p) => world.count("GET", p));
    const asked = (path: string) =>
      world.count("GET", path) - (baseline[paths.indexOf(path)] ?? 0);
    const readable = await world.auth.readableRepositories(session, candidates);
    expect([...readable].sort()).toEqual([
      "acme/public",
      "acme/vault",
      "acme/web",
      "other/tools",
    ]);
    // Two installations over pages of one; ann has roles on two of acme's
    // repositories (two pages) and on other/tools (one).
    expect(asked("/user/installations")).toBe(2);
    expect(asked("/user/installations/2/repositories")).toBe(2);
    expect(asked("/user/installations/9/repositories")).toBe(1);
    // The listed ones need no question of their own; the others do.
    expect(asked("/repos/other/tools")).toBe(0);
    expect(asked("/repos/acme/public")).toBe(1);
    expect(asked("/repos/acme/missing")).toBe(1);

    const before = world.sim.requests.length;
    expect(await world.auth.readableRepositories(session, candidates)).toEqual(
      readable,
    );
    expect(world.sim.requests.length).toBe(before);
  });

  it("shows someone without roles only the public repositories", async () => {
    const session = await sessionOf("rita");
    const readable = await world.auth.readableRepositories(session, [
      "acme/web",
      "acme/vault",
      "other/tools",
      "not-a-name",
    ]);
    expect([...readable]).toEqual(["acme/web"]);
  });

  it("signs the person out when GitHub refuses their token", async () => {
    const { cookie } = await world.signIn("tia");
    await world.probe(cookie);
    const session = world.lastSession as Session;
    world.sim.oauth.revoke("tia");
    await expect(
      world.auth.permission(session, "acme", "public"),
    ).rejects.toBeInstanceOf(SignedOutError);
    await expect(
      world.auth.readableRepositories(session, ["acme/vault"]),
    ).rejects.toMatchObject({ status: 401 });
    expect((await world.probe(cookie)).session).toBeNull();
  });

  it("refuses a session object it did not read itself", async () => {
    const forged: Session = {
      login: "ann",
      userId: 1,
      avatarUrl: null,
      csrfToken: "x",
      expiresAt: new Date(world.clock + 1000),
    };
    await expect(world.auth.permission(forged, "acme", "web")).rejects.toThrow(
      /session\(req\) first/,
    );
  });
});
