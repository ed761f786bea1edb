import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, expect, it, onTestFinished } from "vitest";
import { git, gitSteps } from "../../../action/src/git.js";
import { useGitHelper } from "../../../src/local/drive/git-helper.js";

// While a local run is driven, git is started by a shell that stays,
// which forks far more cheaply than Node does: what git is asked and
// what it answers must be exactly as when it is a process of its own.

let repo: string;
let release: (() => void) | undefined;

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), "specwright-git-helper-"));
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
  release?.();
  release = undefined;
  delete process.env.SPECWRIGHT_GONE;
  await rm(repo, { recursive: true, force: true });
});

it("answers as git does: output, and failures with git's own message", async () => {
  release = useGitHelper();

  expect(await git(repo, ["rev-parse", "HEAD"])).toBe(
    execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: repo,
      encoding: "utf8",
    }),
  );
  await expect(
    git(repo, ["rev-parse", "--verify", "no-such-branch"]),
  ).rejects.toThrow("git rev-parse failed: fatal: Needed a single revision");
  await expect(git(join(repo, "gone"), ["status"])).rejects.toThrow(
    /^git status failed: /,
  );
});

it.each([
  ["through the helper", true],
  ["as processes of its own", false],
])(
  "runs several commands in one request, %s: each one's output, or the first failure's message",
  async (_, helped) => {
    if (helped) release = useGitHelper();
    await writeFile(join(repo, "new.txt"), "new\n");

    const [added, staged, tree] = await gitSteps(repo, [
      ["add", "--all"],
      ["diff", "--cached", "--name-only"],
      ["write-tree"],
    ]);
    expect(added).toBe("");
    expect(staged).toBe("new.txt\n");
    expect(tree?.trim()).toBe(
      execFileSync("git", ["write-tree"], {
        cwd: repo,
        encoding: "utf8",
      }).trim(),
    );

    // The second fails: the third never runs, and the message is the second's.
    await expect(
      gitSteps(repo, [
        ["rev-parse", "HEAD"],
        ["rev-parse", "--verify", "no-such-branch"],
        ["update-ref", "refs/heads/made", "HEAD"],
      ]),
    ).rejects.toThrow("git rev-parse failed: fatal: Needed a single revision");
    expect(
      execFileSync("git", ["branch", "--list", "made"], {
        cwd: repo,
        encoding: "utf8",
      }),
    ).toBe("");
    // Where the folder is gone, the first says so.
    await expect(
      gitSteps(join(repo, "gone"), [["status"], ["status"]]),
    ).rejects.toThrow(/^git status failed: /);
  },
);

it("passes every argument as it is, whatever is in it", async () => {
  release = useGitHelper();
  const words = ["a b", "it's", "$HOME", "`id`", "line\nbreak", "ü", ""];

  expect(
    await git(repo, ["-c", "alias.words=!printf '%s|'", "words", ...words]),
  ).toBe(`${words.join("|")}|`);
});

it("gives git the environment asked for: variables added, changed and removed", async () => {
  process.env.SPECWRIGHT_GONE = "set before the shell started";
  release = useGitHelper();
  delete process.env.SPECWRIGHT_GONE;
  const alias =
    'alias.env=!printf "%s/%s/%s/%s" "$GIT_TERMINAL_PROMPT" "$SPECWRIGHT_X" "${SPECWRIGHT_GONE-unset}" "$GIT_INDEX_FILE"';

  expect(
    await git(repo, ["-c", alias, "env"], {
      SPECWRIGHT_X: "it's\ngiven",
      GIT_TERMINAL_PROMPT: "1",
      GIT_INDEX_FILE: join(repo, "another index"),
    }),
  ).toBe(`0/it's\ngiven/unset/${join(repo, "another index")}`);
});

it("runs commands side by side", async () => {
  release = useGitHelper();
  // Each waits (a bounded while) for the other to have started.
  const meet = (mine: string, theirs: string) =>
    git(repo, [
      "-c",
      `alias.meet=!touch ${mine}; i=0; while [ ! -e ${theirs} ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; [ -e ${theirs} ] && echo met`,
      "meet",
    ]);

  expect(await Promise.all([meet("a", "b"), meet("b", "a")])).toStrictEqual([
    "met\n",
    "met\n",
  ]);
});

it("starts git as a process of its own for what the shell cannot pass, and once released", async () => {
  release = useGitHelper();
  expect(
    await git(repo, ["rev-parse", "--abbrev-ref", "HEAD"], {
      "NOT-A-SHELL-NAME": "x",
    }),
  ).toBe("main\n");
  release();
  release = undefined;
  expect(await git(repo, ["rev-parse", "--abbrev-ref", "HEAD"])).toBe("main\n");
});

it("does not keep a process alive once git has answered, and leaves nothing behind", async () => {
  const marker = join(repo, "answered");
  const temp = await mkdtemp(join(tmpdir(), "specwright-git-helper-tmp-"));
  onTestFinished(() => rm(temp, { recursive: true, force: true }));
  const tsx = pathToFileURL(resolve("node_modules/tsx/dist/loader.mjs")).href;
  const script = `
    import { writeFileSync } from "node:fs";
    import { git } from ${JSON.stringify(resolve("action/src/git.ts"))};
    import { useGitHelper } from ${JSON.stringify(resolve("src/local/drive/git-helper.ts"))};
    useGitHelper();
    writeFileSync(${JSON.stringify(marker)}, await git(${JSON.stringify(repo)}, ["rev-parse", "HEAD"]));
  `;
  const child = spawn(
    process.execPath,
    ["--import", tsx, "--input-type=module", "-e", script],
    { stdio: "ignore", env: { ...process.env, TMPDIR: temp } },
  );
  const code = await new Promise<number | null>((done) => {
    // A bound far above what it takes: a process kept alive fails here.
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (exit) => {
      clearTimeout(timer);
      done(exit);
    });
  });

  expect(code).toBe(0);
  expect(existsSync(marker)).toBe(true);
  // (tsx keeps its cache there too.)
  expect(
    (await readdir(temp)).filter((name) => name.startsWith("specwright-")),
  ).toStrictEqual([]);
});
