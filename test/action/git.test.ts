import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { git } from "../../action/src/git.js";

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
