import { existsSync, realpathSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunEvent } from "../../../src/engine/events.js";
import { newAttempt, pendingStage } from "../../../src/engine/run-state.js";
import type { DriveEnd } from "../../../src/local/drive/drive-options.js";
import { driveRun } from "../../../src/local/drive/drive-run.js";
import { recoveryEvents } from "../../../src/local/drive/recover-run.js";
import {
  type RunMetadata,
  type RunPaths,
  readRunMetadata,
} from "../../../src/local/run-folder/index.js";
import { LocalRunWorld } from "../../support/local-run-world.js";

// A stage that runs alone — nothing else running or waiting in the run —
// runs in the run's workspace/ itself rather than in a worktree of its
// own: its work is already where it is committed. What it leaves behind
// that is not committed (a failure, a read-only stage, a cancel) is
// discarded, so the next stage starts from the run's head; a workspace
// somebody changed is never used, nor reset.

let world: LocalRunWorld;

beforeEach(async () => {
  world = await LocalRunWorld.create();
  // Each stage notes where it ran and which worktrees existed meanwhile.
  const notes = world.dir;
  await world.program(
    "stage-agent",
    `cat > /dev/null
pwd -P > "${notes}/$SPECWRIGHT_STAGE.cwd"
git worktree list --porcelain | sed -n 's/^worktree //p' > "${notes}/$SPECWRIGHT_STAGE.worktrees"
case "$SPECWRIGHT_STAGE" in
  broken)
    echo "half done" > partial.txt
    echo "edited" >> README.md
    git add README.md
    exit 1 ;;
  analyze)
    echo "notes" > notes.txt ;;
  slow)
    echo "half done" > partial.txt
    touch "${notes}/slow.started"
    sleep 30 ;;
  limited)
    if [ -e partial.txt ]; then
      echo "finished" >> partial.txt
      exit 0
    fi
    echo "half done" > partial.txt
    sleep 30 ;;
  committer)
    echo "made by committer" > committer.txt
    git add committer.txt
    git -c user.name=Agent -c user.email=agent@example.com commit -q -m "The agent's own commit"
    exit 0 ;;
esac
echo "made by $SPECWRIGHT_STAGE" > "$SPECWRIGHT_STAGE.txt"`,
  );
});
afterEach(async () => {
  await world.remove();
});

/** Commits a workflow of the stage agent with these stages (YAML list items). */
async function workflow(stages: string): Promise<void> {
  await world.write(
    ".github/specwright.yml",
    `agent:
  backend: command
  command: stage-agent
workflow:
  name: Lone stages
  stages:
${stages}`,
  );
  await world.commit("A workflow");
}

const startRun = () => world.startRun("Lone stages");

async function drive(
  paths: RunPaths,
  metadata: RunMetadata,
  first: RunEvent[],
  options: { concurrency?: number; interrupt?: AbortSignal } = {},
): Promise<{ metadata: RunMetadata; end: DriveEnd }> {
  return driveRun(
    {
      paths,
      metadata,
      concurrency: options.concurrency ?? 3,
      env: world.env(),
      now: () => new Date(),
      by: "tester",
      onChange: () => undefined,
      onNote: () => undefined,
      interrupt: options.interrupt ?? new AbortController().signal,
    },
    first,
  );
}

const start = (): RunEvent[] => [
  { type: "start", at: new Date().toISOString() },
];

async function inWorkspace(paths: RunPaths, ...args: string[]) {
  return (await world.git("-C", paths.workspace, ...args)).trim();
}

/** Where a stage's agent ran, and the worktrees there were meanwhile. */
async function noted(stage: string): Promise<{ cwd: string; trees: string[] }> {
  const read = (ext: string) =>
    readFile(join(world.dir, `${stage}.${ext}`), "utf8");
  return {
    cwd: (await read("cwd")).trim(),
    trees: (await read("worktrees")).trim().split("\n"),
  };
}

/**
 * The workspace is on the run's branch at the head the run recorded, with
 * nothing uncommitted, no attempt's mark left, and no worktree but itself.
 */
async function expectCleanAtHead(paths: RunPaths): Promise<RunMetadata> {
  const metadata = await readRunMetadata(paths);
  const head = metadata.state.head_sha ?? metadata.state.base_sha;
  expect(await inWorkspace(paths, "rev-parse", "HEAD")).toBe(head);
  expect(await inWorkspace(paths, "symbolic-ref", "HEAD")).toBe(
    `refs/heads/${metadata.branch}`,
  );
  expect(
    await inWorkspace(paths, "status", "--porcelain", "--untracked-files=all"),
  ).toBe("");
  for (const step of await readdir(paths.steps))
    expect(existsSync(join(paths.steps, step, "in-workspace"))).toBe(false);
  expect(
    (await world.git("worktree", "list", "--porcelain"))
      .split("\n")
      .filter((line) => line.startsWith("worktree ")),
  ).toStrictEqual([`worktree ${world.repo}`, `worktree ${paths.workspace}`]);
  return metadata;
}

/** The run branch's commits after main, oldest first, as their subjects. */
async function subjects(metadata: RunMetadata): Promise<string[]> {
  const out = await world.git(
    "log",
    "--reverse",
    "--format=%s",
    metadata.branch,
    "^main",
  );
  return out.trim() === "" ? [] : out.trim().split("\n");
}

describe("a stage that runs alone", () => {
  it("runs in workspace/, with no worktree of its own, and its work is committed there once", async () => {
    await workflow(`    - { id: a, prompt: First }
    - { id: b, depends_on: [a], prompt: Second }
`);
    const { paths, metadata } = await startRun();
    const { end } = await drive(paths, metadata, start());

    expect(end).toBe("finished");
    const workspace = realpathSync(paths.workspace);
    for (const stage of ["a", "b"]) {
      expect(await noted(stage)).toStrictEqual({
        cwd: workspace,
        trees: [world.repo, paths.workspace],
      });
    }
    const done = await expectCleanAtHead(paths);
    expect(done.status).toBe("succeeded");
    expect(await subjects(done)).toStrictEqual([
      'specwright(a): a for "Lone stages"',
      'specwright(b): b for "Lone stages"',
    ]);
    const b = done.state.stages[1]?.attempts[0];
    expect(b?.commit_sha).toBe(done.state.head_sha);
    expect(b?.changed_paths).toStrictEqual(["b.txt"]);
    expect(await world.git("show", `${done.branch}:b.txt`)).toBe("made by b\n");
    // The stage runner told the tree it staged; that tree is b's commit's.
    const told = JSON.parse(
      await readFile(
        join(paths.steps, done.steps["b#1"] as string, "staged-tree.json"),
        "utf8",
      ),
    ) as { tree: string };
    expect(await world.git("rev-parse", `${b?.commit_sha}^{tree}`)).toBe(
      `${told.tree}\n`,
    );
    expect(await world.git("fsck", "--strict", "--no-progress")).toBe("");
  });

  it("that failed leaves the workspace at the run's head: its files, edits and index are discarded", async () => {
    await workflow(`    - { id: a, prompt: First }
    - { id: broken, depends_on: [a], prompt: Second }
`);
    const { paths, metadata } = await startRun();
    await drive(paths, metadata, start());

    expect((await noted("broken")).cwd).toBe(realpathSync(paths.workspace));
    const done = await expectCleanAtHead(paths);
    expect(done.status).toBe("failed");
    expect(done.state.head_sha).toBe(
      done.state.stages[0]?.attempts[0]?.commit_sha,
    );
    expect(existsSync(join(paths.workspace, "partial.txt"))).toBe(false);
    expect(await readFile(join(paths.workspace, "README.md"), "utf8")).toBe(
      "# A project\n",
    );
    expect(await subjects(done)).toStrictEqual([
      'specwright(a): a for "Lone stages"',
    ]);
  });

  it("stopped at its time limit has its work so far committed, and resume goes on from it", async () => {
    await workflow(`    - { id: a, prompt: First }
    - { id: limited, depends_on: [a], prompt: Take too long, error_policy: { timeout: 2s, retry: { max_attempts: 1 } } }
`);
    const { paths, metadata } = await startRun();
    await drive(paths, metadata, start());

    const stopped = await expectCleanAtHead(paths);
    expect(stopped.status).toBe("failed");
    const attempt = stopped.state.stages[1]?.attempts[0];
    expect(attempt?.commit_sha).toBe(stopped.state.head_sha);
    expect(attempt?.error_message).toBe(
      `the agent was stopped at its time limit (2s); its work so far is committed (${attempt?.commit_sha?.slice(0, 7)}) and the next attempt goes on from it`,
    );
    expect(await subjects(stopped)).toStrictEqual([
      'specwright(a): a for "Lone stages"',
      'specwright(limited): limited for "Lone stages" (unfinished: stopped at its time limit (2s))',
    ]);

    await drive(paths, stopped, [
      { type: "resume", by: "tester", at: new Date().toISOString() },
    ]);
    const done = await expectCleanAtHead(paths);
    expect(done.status).toBe("succeeded");
    expect(done.state.stages[1]?.attempts[1]?.base_sha).toBe(
      attempt?.commit_sha,
    );
    expect(await world.git("show", `${done.branch}:partial.txt`)).toBe(
      "half done\nfinished\n",
    );
  });

  it("that is read-only (analyze) succeeds without a commit, and what it wrote is discarded", async () => {
    await workflow(`    - { id: a, prompt: First }
    - { id: analyze, depends_on: [a], prompt: Look }
`);
    const { paths, metadata } = await startRun();
    await drive(paths, metadata, start());

    const done = await expectCleanAtHead(paths);
    expect(done.status).toBe("succeeded");
    expect(existsSync(join(paths.workspace, "notes.txt"))).toBe(false);
    expect(existsSync(join(paths.workspace, "analyze.txt"))).toBe(false);
    expect(await subjects(done)).toStrictEqual([
      'specwright(a): a for "Lone stages"',
    ]);
  });

  it("whose agent committed on the run's branch is committed once, on the run's head, with the agent's work", async () => {
    await workflow(`    - { id: a, prompt: First }
    - { id: committer, depends_on: [a], prompt: Commit yourself }
`);
    const { paths, metadata } = await startRun();
    await drive(paths, metadata, start());

    const done = await expectCleanAtHead(paths);
    expect(done.status).toBe("succeeded");
    expect(await subjects(done)).toStrictEqual([
      'specwright(a): a for "Lone stages"',
      'specwright(committer): committer for "Lone stages"',
    ]);
    expect(await world.git("show", `${done.branch}:committer.txt`)).toBe(
      "made by committer\n",
    );
  });

  it("cancelled by Ctrl+C leaves the workspace at the run's head", async () => {
    await workflow(`    - { id: a, prompt: First }
    - { id: slow, depends_on: [a], prompt: Take your time }
`);
    const { paths, metadata } = await startRun();
    const interrupt = new AbortController();
    const driving = drive(paths, metadata, start(), {
      interrupt: interrupt.signal,
    });
    // A bound on the wait, far above what it takes: never a timing.
    for (
      let i = 0;
      i < 400 && !existsSync(join(world.dir, "slow.started"));
      i++
    )
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(join(paths.workspace, "partial.txt"))).toBe(true);
    // While it runs, the run folder says so.
    let running = "";
    for (let i = 0; i < 400 && running !== "running"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      running =
        (await readRunMetadata(paths)).state.stages[1]?.attempts[0]?.status ??
        "";
    }
    expect(running).toBe("running");
    interrupt.abort();
    const { end } = await driving;

    expect(end).toBe("interrupted");
    const done = await expectCleanAtHead(paths);
    expect(done.status).toBe("cancelled");
    expect(existsSync(join(paths.workspace, "partial.txt"))).toBe(false);
  });

  it("does not use a workspace somebody changed while the run waited: it runs in a worktree, and the change stays", async () => {
    await workflow(`    - { id: a, prompt: First }
    - { id: b, depends_on: [a], prompt: Second, gate: {} }
`);
    const { paths, metadata } = await startRun();
    const waiting = await drive(paths, metadata, start());
    expect(waiting.end).toBe("waiting");
    await writeFile(join(paths.workspace, "mine.txt"), "my own work\n");

    const at = new Date().toISOString();
    await drive(paths, await readRunMetadata(paths), [
      { type: "approve", stage: "b", by: "tester", at },
    ]);

    const b = await noted("b");
    expect(b.cwd).not.toBe(realpathSync(paths.workspace));
    expect(b.trees).toHaveLength(3);
    const done = await readRunMetadata(paths);
    expect(done.status).toBe("failed");
    expect(done.state.stages[1]?.attempts[0]?.error_message).toMatch(
      /^the workspace has changes nobody committed \(1 path, e\.g\. mine\.txt\)/,
    );
    expect(await readFile(join(paths.workspace, "mine.txt"), "utf8")).toBe(
      "my own work\n",
    );
    expect(await subjects(done)).toStrictEqual([
      'specwright(a): a for "Lone stages"',
    ]);
  });
});

describe("stages of one batch", () => {
  it("run side by side in worktrees of their own; the stages alone before and after them in workspace/", async () => {
    await workflow(`    - { id: a, prompt: Start }
    - { id: b, depends_on: [a], prompt: One side }
    - { id: c, depends_on: [a], prompt: The other side }
    - { id: d, depends_on: [b, c], prompt: Join }
`);
    const { paths, metadata } = await startRun();
    await drive(paths, metadata, start(), { concurrency: 2 });

    const workspace = realpathSync(paths.workspace);
    expect((await noted("a")).cwd).toBe(workspace);
    expect((await noted("d")).cwd).toBe(workspace);
    for (const stage of ["b", "c"]) {
      const { cwd, trees } = await noted(stage);
      expect(cwd).not.toBe(workspace);
      expect(trees).toContain(cwd);
    }
    const done = await expectCleanAtHead(paths);
    expect(done.status).toBe("succeeded");
    expect(await subjects(done)).toHaveLength(4);
  });
});

describe("a crash while a stage's work is in the workspace", () => {
  /**
   * The run of a and b as a crash during b's collection leaves it: b ran
   * to success in the workspace and its bundle is complete, but the state
   * still has it running, the head at a's commit; its mark is there.
   */
  async function crashedDuringB(): Promise<{
    paths: RunPaths;
    crashed: RunMetadata;
    aCommit: string;
    bCommit: string;
  }> {
    await workflow(`    - { id: a, prompt: First }
    - { id: b, depends_on: [a], prompt: Second }
`);
    const { paths, metadata } = await startRun();
    const { metadata: done } = await drive(paths, metadata, start());
    const crashed = structuredClone(done);
    const { state } = crashed;
    const [a, b] = state.stages;
    const finished = b?.attempts[0];
    if (a === undefined || b === undefined || finished === undefined)
      throw new Error("the run did not get to b");
    Object.assign(b, pendingStage("b"), {
      status: "running",
      attempts: [
        {
          ...newAttempt(1, finished.base_sha, finished.dispatched_at, null),
          status: "running",
          conclusion: "success",
          workflow_run_id: finished.workflow_run_id,
          workflow_run_url: finished.workflow_run_url,
          started_at: finished.started_at,
        },
      ],
    });
    Object.assign(state, { status: "in_progress", completed_at: null });
    Object.assign(crashed, { status: "in_progress", completed_at: null });
    state.head_sha = finished.base_sha;
    await writeFile(
      join(paths.steps, done.steps["b#1"] as string, "in-workspace"),
      `${finished.base_sha}\n`,
    );
    return {
      paths,
      crashed,
      aCommit: a.attempts[0]?.commit_sha as string,
      bCommit: finished.commit_sha as string,
    };
  }

  it("after the stage's commit: resume finds that commit, keeps it, and makes no second one", async () => {
    const { paths, crashed, aCommit } = await crashedDuringB();
    // Dated in the past, so that a commit made again would differ from it.
    await world.git(
      "-C",
      paths.workspace,
      "commit",
      "--quiet",
      "--amend",
      "--no-edit",
      "--date=2001-01-01T00:00:00Z",
    );
    const bCommit = await inWorkspace(paths, "rev-parse", "HEAD");

    const events = await recoveryEvents(paths, crashed, {
      by: "tester",
      now: () => new Date(),
      resume: true,
    });
    expect(events).toEqual([
      expect.objectContaining({
        type: "result_collected",
        stage: "b",
        attempt: 1,
        result: expect.objectContaining({
          commit_sha: bCommit,
          commit_parent: aCommit,
        }),
      }),
    ]);
    await drive(paths, crashed, events);

    const done = await expectCleanAtHead(paths);
    expect(done.status).toBe("succeeded");
    expect(done.state.head_sha).toBe(bCommit);
    expect(await subjects(done)).toStrictEqual([
      'specwright(a): a for "Lone stages"',
      'specwright(b): b for "Lone stages"',
    ]);
  });

  it("before the stage's commit: resume puts the workspace back and commits the stage's bundle once", async () => {
    const { paths, crashed, aCommit } = await crashedDuringB();
    // b's work is staged, not committed; a stray file is beside it.
    await world.git("-C", paths.workspace, "reset", "--soft", aCommit);
    await writeFile(join(paths.workspace, "stray.txt"), "left behind\n");

    const events = await recoveryEvents(paths, crashed, {
      by: "tester",
      now: () => new Date(),
      resume: true,
    });
    // Made anew from the bundle (the same commit, within the same second).
    const made = await inWorkspace(paths, "rev-parse", "HEAD");
    expect(await inWorkspace(paths, "rev-parse", "HEAD^")).toBe(aCommit);
    expect(events).toEqual([
      expect.objectContaining({
        type: "result_collected",
        stage: "b",
        result: expect.objectContaining({
          commit_sha: made,
          changed_paths: ["b.txt"],
        }),
      }),
    ]);
    await drive(paths, crashed, events);

    const done = await expectCleanAtHead(paths);
    expect(done.status).toBe("succeeded");
    expect(existsSync(join(paths.workspace, "stray.txt"))).toBe(false);
    expect(await subjects(done)).toStrictEqual([
      'specwright(a): a for "Lone stages"',
      'specwright(b): b for "Lone stages"',
    ]);
  });
});
