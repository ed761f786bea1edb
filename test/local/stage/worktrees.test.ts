import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type GitStarter,
  gitAsProcesses,
  startGitWith,
} from "../../../action/src/git.js";
import { createWorkspace } from "../../../src/local/drive/workspace.js";
import { openAttemptCheckout } from "../../../src/local/stage/attempt-checkout.js";
import {
  pruneWorktrees,
  WORKTREE_TRIES,
} from "../../../src/local/stage/worktrees.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../../src/workflow/default-workflow.js";
import { makeRun } from "../../engine/fixtures.js";

// Stages of one batch each get a worktree of the commit they were
// dispatched on, asked for at the same moment. Git's `worktree add` is
// not safe side by side: one can read another's record half-written and
// die ("failed to read .git/worktrees/checkout/commondir: Success", seen
// in CI), which failed a stage for nothing.

const run = promisify(execFile);
let repo: string;
let head: string;

async function git(cwd: string, args: string[]): Promise<string> {
  return (await run("git", args, { cwd })).stdout.trim();
}

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), "specwright-attempt-checkout-"));
  await git(repo, ["init", "--quiet", "--initial-branch=main"]);
  await git(repo, [
    "-c",
    "user.name=Test Person",
    "-c",
    "user.email=person@example.com",
    "commit",
    "--quiet",
    "--allow-empty",
    "-m",
    "Initial commit",
  ]);
  head = await git(repo, ["rev-parse", "HEAD"]);
});

afterEach(async () => {
  startGitWith(undefined);
  await rm(repo, { recursive: true, force: true });
});

/** A git starter that runs real git and says when worktree commands overlapped. */
function watchWorktreeCommands(
  fail?: (args: readonly string[]) => boolean,
  watch: { onStart?: () => void; slowMs?: number } = {},
) {
  const seen = { started: [] as string[], mostAtOnce: 0 };
  let running = 0;
  const starter: GitStarter = async (commands, options) => {
    const args =
      commands[0]?.filter(
        (_, i, all) => all[i - 1] !== "-c" && all[i] !== "-c",
      ) ?? [];
    if (args[0] !== "worktree") return gitAsProcesses(commands, options);
    seen.started.push(args.slice(0, 2).join(" "));
    running++;
    seen.mostAtOnce = Math.max(seen.mostAtOnce, running);
    watch.onStart?.();
    try {
      await sleep(watch.slowMs ?? 0);
      if (fail?.(args))
        return [
          {
            code: 128,
            signal: null,
            stdout: "",
            stderr:
              "fatal: failed to read .git/worktrees/checkout/commondir: Success\n",
            timedOut: false,
          },
        ];
      return await gitAsProcesses(commands, options);
    } finally {
      running--;
    }
  };
  startGitWith(starter);
  return seen;
}

describe("createWorkspace", () => {
  const state = {
    ...makeRun(DEFAULT_WORKFLOW_SOURCE),
    base_branch: "main",
    branch: "speckit/20261206/dark-mode",
  };

  it("checks the run's new branch out at the base branch's head", async () => {
    const workspace = join(repo, ".specwright", "workspace");

    const event = await createWorkspace(repo, workspace, state, () => "now");

    expect(event).toStrictEqual({
      type: "branch_created",
      sha: head,
      at: "now",
    });
    expect(await git(workspace, ["symbolic-ref", "HEAD"])).toBe(
      `refs/heads/${state.branch}`,
    );
  });

  it("checks the branch out on the next try when a failed one had made it", async () => {
    const workspace = join(repo, ".specwright", "workspace");
    let failed = false;
    const seen = watchWorktreeCommands(() => {
      if (failed) return false;
      failed = true;
      // As `worktree add -b` does: the branch first, then the worktree.
      execFileSync("git", ["branch", state.branch, head], { cwd: repo });
      return true;
    });

    const event = await createWorkspace(repo, workspace, state, () => "now");

    expect(event).toMatchObject({ type: "branch_created", sha: head });
    expect(seen.started).toStrictEqual(["worktree add", "worktree add"]);
    expect(await git(workspace, ["symbolic-ref", "HEAD"])).toBe(
      `refs/heads/${state.branch}`,
    );
  });

  it("says why when every try failed", async () => {
    watchWorktreeCommands(() => true);

    const event = await createWorkspace(
      repo,
      join(repo, ".specwright", "workspace"),
      state,
      () => "now",
    );

    expect(event).toStrictEqual({
      type: "branch_failed",
      error:
        "git worktree failed: fatal: failed to read .git/worktrees/checkout/commondir: Success",
      at: "now",
    });
  });
});

describe("openAttemptCheckout", () => {
  it("adds the worktrees of attempts opened together one at a time, each at its commit", async () => {
    const seen = watchWorktreeCommands();

    const checkouts = await Promise.all(
      ["b", "c", "d", "e"].map((stage) =>
        openAttemptCheckout(repo, head, `${stage}-1`),
      ),
    );

    expect(seen.started).toStrictEqual(Array(4).fill("worktree add"));
    expect(seen.mostAtOnce).toBe(1);
    for (const checkout of checkouts) {
      expect(await git(checkout.dir, ["rev-parse", "HEAD"])).toBe(head);
      expect(existsSync(checkout.tempDir)).toBe(true);
    }
  });

  it("has the prune wait for the adds asked before it", async () => {
    let resolve = () => {};
    const adding = new Promise<void>((done) => {
      resolve = done;
    });
    const seen = watchWorktreeCommands(undefined, {
      onStart: resolve,
      slowMs: 100,
    });

    const opened = openAttemptCheckout(repo, head, "b-1");
    await adding;
    await pruneWorktrees(repo);
    const checkout = await opened;

    expect(seen.started).toStrictEqual(["worktree add", "worktree prune"]);
    expect(seen.mostAtOnce).toBe(1);
    expect(await git(checkout.dir, ["rev-parse", "HEAD"])).toBe(head);
  });

  it("asks again when git's add fails as it does beside another", async () => {
    // Two failures in a row: a slow machine can meet the race twice.
    let failures = 2;
    const seen = watchWorktreeCommands(() => failures-- > 0);

    const checkout = await openAttemptCheckout(repo, head, "c-1");

    expect(seen.started).toStrictEqual(Array(3).fill("worktree add"));
    expect(await git(checkout.dir, ["rev-parse", "HEAD"])).toBe(head);
  });

  it("fails with git's message after the last try, leaving no folder behind", async () => {
    const seen = watchWorktreeCommands(() => true);
    const before = await readdir(tmpdir());

    await expect(openAttemptCheckout(repo, head, "zz-1")).rejects.toThrow(
      "git worktree failed: fatal: failed to read .git/worktrees/checkout/commondir: Success",
    );

    expect(seen.started).toHaveLength(WORKTREE_TRIES);
    const left = (await readdir(tmpdir())).filter(
      (name) => name.startsWith("specwright-zz-1-") && !before.includes(name),
    );
    expect(left).toStrictEqual([]);
  });

  it("opens a dozen at once with real git, round after round", async () => {
    for (let round = 0; round < 5; round++) {
      const checkouts = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          openAttemptCheckout(repo, head, `s${i}-${round}`),
        ),
      );
      // Each is a worktree of its own, git's records of all of them whole,
      // each at the commit it was asked for.
      const listed = await git(repo, ["worktree", "list", "--porcelain"]);
      const worktrees = listed
        .split("\n")
        .filter((line) => line.startsWith("worktree "))
        .map((line) => line.slice("worktree ".length));
      for (const checkout of checkouts) {
        expect(basename(checkout.dir)).toBe("checkout");
        expect(dirname(checkout.dir)).toBe(checkout.root);
        expect(worktrees).toContain(await realpath(checkout.dir));
        expect((await git(checkout.dir, ["rev-parse", "HEAD"])).trim()).toBe(
          head,
        );
      }
      // The repository's own and these twelve (those removed in earlier
      // rounds stay listed, prunable, until the prune).
      expect(new Set(worktrees.filter((dir) => existsSync(dir))).size).toBe(13);
      for (const checkout of checkouts) await checkout.remove();
    }
    await pruneWorktrees(repo);
    const listed = await git(repo, ["worktree", "list", "--porcelain"]);
    expect(
      listed.split("\n").filter((line) => line.startsWith("worktree ")),
    ).toHaveLength(1);
  });
});
