import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gitAsProcesses, startGitWith } from "../../../action/src/git.js";
import { readIndexStamp } from "../../../action/src/index-stamp.js";
import {
  commitStaged,
  type StagedCommit,
} from "../../../src/local/stage/commit-staged.js";
import { readCommitSettings } from "../../../src/local/stage/git-commit.js";
import {
  cleanMessage,
  writeCommit,
} from "../../../src/local/stage/write-commit.js";

// A stage that ran in the run's workspace is committed as staged. When
// the stage runner said which tree it staged and the index is as it
// left it, Specwright writes the commit and moves the branch itself: the
// result must be exactly git's own — the same object, the same branch,
// the same logs — and wherever it cannot be sure of that, git commits.

const run = promisify(execFile);
let repo: string;
let workspace: string;

async function git(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  return (
    await run("git", args, { cwd, env: { ...process.env, ...env } })
  ).stdout.trim();
}

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), "specwright-commit-staged-"));
  await git(repo, ["init", "--quiet", "--initial-branch=main"]);
  await git(repo, ["config", "user.name", "Test Person"]);
  await git(repo, ["config", "user.email", "person@example.com"]);
  await writeFile(join(repo, "README.md"), "# A project\n");
  await git(repo, ["add", "README.md"]);
  await git(repo, ["commit", "--quiet", "-m", "Initial commit"]);
  // The run's workspace is a linked worktree, as `specwright run` makes it.
  workspace = join(repo, ".specwright", "workspace");
  await git(repo, [
    "worktree",
    "add",
    "--quiet",
    "-b",
    "speckit/local",
    workspace,
  ]);
});
/** The git commands Specwright starts from here on. */
function watchGit(): string[][] {
  const started: string[][] = [];
  startGitWith((commands, options) => {
    for (const args of commands)
      started.push(
        args.filter((_, i) => args[i - 1] !== "-c" && args[i] !== "-c"),
      );
    return gitAsProcesses(commands, options);
  });
  return started;
}

afterEach(async () => {
  startGitWith(undefined);
  await rm(repo, { recursive: true, force: true });
});

/** Stages a change as the stage runner does; returns what it would tell. */
async function stage(content = "# Tasks\n") {
  await writeFile(join(workspace, "tasks.md"), content);
  await git(workspace, ["add", "--all"]);
  const tree = await git(workspace, ["write-tree"]);
  return { tree, index: await readIndexStamp(workspace) };
}

function request(parent: string, staged: StagedCommit["staged"]): StagedCommit {
  return {
    workspace,
    branch: "speckit/local",
    parent,
    message: 'specwright(tasks): Tasks for "Add a dark mode toggle"',
    trailers: {
      "Specwright-Run": "7f1c2d3e-0000-4000-8000-000000000000",
      "Specwright-Stage": "tasks",
      "Specwright-Attempt": "1",
    },
    staged,
  };
}

describe("a staged stage's commit", () => {
  it("is written as git writes it: the object, the branch, the logs, a clean workspace", async () => {
    const parent = await git(workspace, ["rev-parse", "HEAD"]);
    const staged = await stage();
    const started = watchGit();

    const sha = await commitStaged(request(parent, staged));

    // git was asked for its settings, and nothing else.
    expect(started.map((args) => args[0])).toEqual(["config"]);
    expect(await git(workspace, ["rev-parse", "HEAD"])).toBe(sha);
    expect(await git(repo, ["rev-parse", "speckit/local"])).toBe(sha);
    expect(await git(workspace, ["rev-parse", `${sha}^{tree}`])).toBe(
      staged.tree,
    );
    expect(await git(workspace, ["rev-parse", `${sha}^`])).toBe(parent);
    expect(
      await git(workspace, ["log", "-1", "--format=%an <%ae>|%cn <%ce>"]),
    ).toBe("Test Person <person@example.com>|Test Person <person@example.com>");
    expect(await git(workspace, ["log", "-1", "--format=%B"])).toBe(
      'specwright(tasks): Tasks for "Add a dark mode toggle"\n\nSpecwright-Run: 7f1c2d3e-0000-4000-8000-000000000000\nSpecwright-Stage: tasks\nSpecwright-Attempt: 1',
    );
    // The same commit git makes from the same tree, parent, people, time and message.
    const date = await git(workspace, [
      "log",
      "-1",
      "--format=%ad",
      "--date=raw",
    ]);
    const message = await git(workspace, ["log", "-1", "--format=%B"]);
    expect(
      await git(
        workspace,
        ["commit-tree", staged.tree, "-p", parent, "-m", message],
        { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
      ),
    ).toBe(sha);
    expect(await git(repo, ["fsck", "--strict", "--no-progress"])).toBe("");
    expect(
      await git(workspace, ["status", "--porcelain", "--untracked-files=all"]),
    ).toBe("");
    expect(
      await git(repo, ["reflog", "show", "--format=%H %gs", "speckit/local"]),
    ).toBe(
      `${sha} commit: specwright(tasks): Tasks for "Add a dark mode toggle"\n${parent} branch: Created from HEAD`,
    );
    expect(
      (
        await git(workspace, ["reflog", "show", "--format=%H %gs", "HEAD"])
      ).split("\n")[0],
    ).toBe(
      `${sha} commit: specwright(tasks): Tasks for "Add a dark mode toggle"`,
    );
  });

  it("is made by git when the index changed since it was staged", async () => {
    const parent = await git(workspace, ["rev-parse", "HEAD"]);
    const staged = await stage();
    await writeFile(join(workspace, "later.md"), "staged after the stage\n");
    await git(workspace, ["add", "later.md"]);
    const started = watchGit();

    const sha = await commitStaged(request(parent, staged));

    expect(started.map((args) => args[0])).toContain("commit");
    // git committed the index as it is now: the later file is in it.
    expect(await git(workspace, ["ls-tree", "--name-only", sha])).toBe(
      "README.md\nlater.md\ntasks.md",
    );
    expect(await git(workspace, ["rev-parse", "HEAD"])).toBe(sha);
  });

  it("is made by git when nothing was told, and when git would sign it", async () => {
    const parent = await git(workspace, ["rev-parse", "HEAD"]);
    await stage();
    const sha = await commitStaged(request(parent, null));
    expect(await git(workspace, ["rev-parse", "HEAD^"])).toBe(parent);
    expect(sha).toBe(await git(workspace, ["rev-parse", "HEAD"]));

    expect(readCommitSettings("commit.gpgsign true\n").writable).toBe(false);
    expect(readCommitSettings("commit.gpgsign\n").writable).toBe(false);
    expect(readCommitSettings("commit.gpgsign false\n").writable).toBe(true);
    expect(
      readCommitSettings("extensions.objectformat sha256\n").writable,
    ).toBe(false);
    expect(
      readCommitSettings("extensions.refstorage reftable\n").writable,
    ).toBe(false);
    expect(
      readCommitSettings("i18n.commitencoding ISO-8859-1\n").writable,
    ).toBe(false);
    expect(readCommitSettings("commit.cleanup verbatim\n").writable).toBe(
      false,
    );
    expect(readCommitSettings("user.name <Someone>\n").writable).toBe(false);
  });

  it("takes identities as git does: author and committer over user, Specwright where none is set", () => {
    const settings = readCommitSettings(
      [
        "user.name Ada",
        "user.email ada@example.com",
        "committer.name Bot",
        "committer.email bot@example.com",
        "core.logallrefupdates false",
      ].join("\n"),
    );
    expect(settings.author).toEqual({ name: "Ada", email: "ada@example.com" });
    expect(settings.committer).toEqual({
      name: "Bot",
      email: "bot@example.com",
    });
    expect(settings.startLogs).toBe(false);
    expect(settings.identityArgs).toEqual([]);
    expect(readCommitSettings("")).toMatchObject({
      author: { name: "Specwright", email: "specwright@localhost" },
      identityArgs: [
        "-c",
        "user.name=Specwright",
        "-c",
        "user.email=specwright@localhost",
      ],
      writable: true,
      startLogs: true,
    });
  });

  it("leaves the branch alone and says so when git holds its lock", async () => {
    const parent = await git(workspace, ["rev-parse", "HEAD"]);
    const staged = await stage();
    const lock = join(repo, ".git", "refs", "heads", "speckit", "local.lock");
    await writeFile(lock, "");

    await expect(commitStaged(request(parent, staged))).rejects.toThrow(
      "cannot move refs/heads/speckit/local: another git process holds its lock",
    );
    expect(await git(repo, ["rev-parse", "speckit/local"])).toBe(parent);
    expect(await readFile(lock, "utf8")).toBe("");
  });
});

describe("the commit object", () => {
  it("is git's own: the message cleaned as `git commit -m` cleans it, the time in this process's zone", async () => {
    const zone = process.env.TZ;
    process.env.TZ = "Asia/Kolkata";
    try {
      const parent = await git(workspace, ["rev-parse", "HEAD"]);
      const { tree } = await stage();
      const message = "\n\nsubject  \n\n\n\nbody line\t\n  indented\n\n\n";
      const when = new Date("2026-12-05T10:00:00Z");
      const who = { name: "Test Person", email: "person@example.com", when };

      const sha = await writeCommit(
        {
          common: join(repo, ".git"),
          gitDir: join(repo, ".git", "worktrees", "workspace"),
          ref: "refs/heads/speckit/local",
          startLogs: true,
        },
        { tree, parent, author: who, committer: who, message },
      );

      expect(cleanMessage(message)).toBe("subject\n\nbody line\n  indented\n");
      expect(
        await git(workspace, ["log", "-1", "--format=%ad", "--date=raw"]),
      ).toBe(`${when.getTime() / 1000} +0530`);
      const date = `${when.getTime() / 1000} +0530`;
      await git(workspace, ["reset", "--quiet", "--soft", parent]);
      await git(
        workspace,
        ["commit", "--quiet", "--no-verify", "-m", message],
        {
          GIT_AUTHOR_DATE: date,
          GIT_COMMITTER_DATE: date,
        },
      );
      expect(await git(workspace, ["rev-parse", "HEAD"])).toBe(sha);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});
