import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { git, headCommit } from "../../action/src/git.js";

let repo: string;

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), "specwright-git-"));
  for (const args of [
    ["init", "-q", "-b", "main"],
    ["config", "user.email", "test@example.com"],
    ["config", "user.name", "Test"],
  ])
    execFileSync("git", args, { cwd: repo });
  await writeFile(join(repo, "README.md"), "# Web\n");
  execFileSync("git", ["add", "README.md"], { cwd: repo });
  execFileSync("git", ["commit", "-q", "-m", "base"], { cwd: repo });
});

afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

describe("git", () => {
  it("returns what git prints", async () => {
    expect(await git(repo, ["ls-files"])).toBe("README.md\n");
  });

  it("fails with git's own message", async () => {
    await expect(
      git(repo, ["rev-parse", "--verify", "no-such-branch"]),
    ).rejects.toThrow("git rev-parse failed: fatal: Needed a single revision");
  });

  it("fails with the exit code when git says nothing", async () => {
    await writeFile(join(repo, "README.md"), "# Web, edited\n");
    await expect(git(repo, ["diff", "--quiet"])).rejects.toThrow(
      /^git diff failed: exit 1$/,
    );
  });

  it("adds the given variables, and never lets git ask for credentials", async () => {
    const alias =
      'alias.env=!printf "%s %s" "$GIT_TERMINAL_PROMPT" "$SPECWRIGHT_X"';
    expect(
      await git(repo, ["-c", alias, "env"], {
        SPECWRIGHT_X: "given",
        GIT_TERMINAL_PROMPT: "1",
      }),
    ).toBe("0 given");
  });
});

describe("headCommit", () => {
  const revParse = (cwd: string) =>
    execFileSync("git", ["rev-parse", "HEAD"], {
      cwd,
      encoding: "utf8",
    }).trim();

  it("reads the commit of a checkout on a branch, of a linked worktree on a branch, and of a detached one", async () => {
    expect(await headCommit(repo)).toBe(revParse(repo));
    const linked = join(repo, "..", `${repo.split("/").at(-1)}-linked`);
    const detached = `${linked}-detached`;
    try {
      execFileSync("git", ["worktree", "add", "-q", "-b", "feature", linked], {
        cwd: repo,
      });
      await writeFile(join(linked, "new.txt"), "new\n");
      execFileSync("git", ["add", "new.txt"], { cwd: linked });
      execFileSync("git", ["commit", "-q", "-m", "on feature"], {
        cwd: linked,
      });
      expect(await headCommit(linked)).toBe(revParse(linked));
      expect(await headCommit(linked)).not.toBe(revParse(repo));
      execFileSync(
        "git",
        ["worktree", "add", "-q", "--detach", detached, "main"],
        {
          cwd: repo,
        },
      );
      expect(await headCommit(detached)).toBe(revParse(repo));
    } finally {
      await rm(linked, { recursive: true, force: true });
      await rm(detached, { recursive: true, force: true });
    }
  });

  it("asks git when the branch's ref is packed", async () => {
    const head = revParse(repo);
    execFileSync("git", ["pack-refs", "--all"], { cwd: repo });
    expect(await headCommit(repo)).toBe(head);
  });
});
