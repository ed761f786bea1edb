import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newAttempt, pendingStage } from "../../../src/engine/run-state.js";
import { recoveryEvents } from "../../../src/local/drive/recover-run.js";
import {
  type RunMetadata,
  type RunPaths,
  readRunMetadata,
  runPaths,
  writeRunMetadata,
} from "../../../src/local/run-folder/index.js";
import { specwrightInProcess } from "../../support/in-process-cli.js";
import { LocalRunWorld } from "../../support/local-run-world.js";

// How a run is brought back after the process advancing it ended without
// finishing its work: what recoveryEvents finds in the run folder, and
// `specwright resume` going on from it. The run folder is a real one, made
// by running the built-in workflow to its gate once; each case edits a
// copy of its metadata as a crash at another moment would have left it.

const BY = "tester";
const now = () => new Date("2026-05-01T12:00:00.000Z");
const ENDED = `${BY} (the process that ran the stage ended before it finished)`;

let world: LocalRunWorld;
let paths: RunPaths;
/** The run at its gate: specify, plan, tasks and analyze done. */
let gate: RunMetadata;

beforeAll(async () => {
  world = await LocalRunWorld.create();
  const started = await specwrightInProcess(
    ["run", "--feature", "Add a dark mode toggle"],
    { cwd: world.repo, env: world.env() },
  );
  expect(started.code).toBe(0);
  paths = runPaths(world.repo, LocalRunWorld.runId(started.stderr));
  gate = await readRunMetadata(paths);
}, 60_000);
afterAll(async () => {
  await world.remove();
});

function commitOf(metadata: RunMetadata, stage: string): string {
  const sha = metadata.state.stages.find((s) => s.id === stage)?.attempts[0]
    ?.commit_sha;
  if (!sha) throw new Error(`no commit for ${stage}`);
  return sha;
}

/**
 * The run as a crash leaves it between committing `tasks`' work and
 * recording that it did: the attempt ran to success and the commit is on
 * the branch, but the state still has the attempt running, the branch at
 * plan's commit, and nothing after tasks started.
 */
function crashedAfterTasksCommit(): RunMetadata {
  const crashed = structuredClone(gate);
  const { state } = crashed;
  const tasks = state.stages.find((s) => s.id === "tasks");
  const done = tasks?.attempts[0];
  if (tasks === undefined || done === undefined) throw new Error("no tasks");
  Object.assign(tasks, pendingStage("tasks"), {
    status: "running",
    attempts: [
      {
        ...newAttempt(1, done.base_sha, done.dispatched_at, done.trigger),
        status: "running",
        conclusion: "success",
        workflow_run_id: done.workflow_run_id,
        workflow_run_url: done.workflow_run_url,
        started_at: done.started_at,
      },
    ],
  });
  for (const id of ["analyze", "implement"]) {
    const stage = state.stages.find((s) => s.id === id);
    if (stage) Object.assign(stage, pendingStage(id));
  }
  state.head_sha = commitOf(gate, "plan");
  delete crashed.steps["analyze#1"];
  return crashed;
}

/** Each commit on the run's branch as `<stage>#<attempt>`, oldest first. */
async function commits(): Promise<string[]> {
  return (await world.runCommits(paths.id)).map(
    (c) => `${c.stage}#${c.attempt}`,
  );
}

describe("recoveryEvents", () => {
  it("collects an attempt whose bundle is complete, finding the commit made before the crash, and resume goes on without a second one", async () => {
    const crashed = crashedAfterTasksCommit();
    const tasksCommit = commitOf(gate, "tasks");
    const events = await recoveryEvents(paths, crashed, {
      by: BY,
      now,
      resume: true,
    });
    expect(events).toEqual([
      {
        type: "result_collected",
        stage: "tasks",
        attempt: 1,
        result: expect.objectContaining({
          status: "succeeded",
          commit_sha: tasksCommit,
          commit_parent: commitOf(gate, "plan"),
          changed_paths: ["specs/001-add-a-dark-mode/tasks.md"],
        }),
        at: now().toISOString(),
      },
    ]);
    expect(await commits()).toEqual(["specify#1", "plan#1", "tasks#1"]);

    await writeRunMetadata(paths, crashed);
    await rm(join(paths.steps, gate.steps["analyze#1"] as string), {
      recursive: true,
    });
    const resumed = await specwrightInProcess(["resume", paths.id], {
      cwd: world.repo,
      env: world.env(),
    });
    expect(resumed.stderr).toContain("is waiting for approval of implement");
    expect(resumed.code).toBe(0);
    expect(await commits()).toEqual(["specify#1", "plan#1", "tasks#1"]);
    const after = await readRunMetadata(paths);
    expect(after.state.stages.map((s) => `${s.id}: ${s.status}`)).toEqual([
      "specify: succeeded",
      "plan: succeeded",
      "tasks: succeeded",
      "analyze: succeeded",
      "implement: waiting_approval",
    ]);
    expect(after.state.head_sha).toBe(tasksCommit);
    expect(commitOf(after, "tasks")).toBe(tasksCommit);
    expect(
      after.state.stages.find((s) => s.id === "analyze")?.attempts,
    ).toEqual([expect.objectContaining({ attempt: 1, trigger: null })]);
  });

  describe("an attempt cut short", () => {
    let outside: string;
    let notACheckout: string;
    const step = "09_analyze";
    /** What the ended process left, by step folder: an agent, a checkout. */
    const left: {
      agent: ChildProcess;
      root: string;
      exited: Promise<string | null>;
    }[] = [];

    /** The run with analyze running in `step`, as a crash mid-stage leaves it. */
    function crashedInAnalyze(): RunMetadata {
      const crashed = structuredClone(gate);
      const analyze = crashed.state.stages.find((s) => s.id === "analyze");
      const attempt = analyze?.attempts[0];
      if (analyze === undefined || attempt === undefined)
        throw new Error("no analyze");
      Object.assign(analyze, pendingStage("analyze"), {
        status: "running",
        attempts: [{ ...attempt, status: "running", conclusion: null }],
      });
      Object.assign(
        crashed.state.stages.find((s) => s.id === "implement") ?? {},
        pendingStage("implement"),
      );
      crashed.steps["analyze#1"] = step;
      return crashed;
    }

    /**
     * An agent in a process group of its own and a checkout (a worktree
     * outside the repository), named in the step folder as the stage
     * runner names them.
     */
    async function leaveBehind(folder: string, label: string) {
      const agent = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
      const exited = new Promise<string | null>((resolve) =>
        agent.on("exit", (_, signal) => resolve(signal)),
      );
      const root = join(outside, `specwright-${label}-abc123`);
      await mkdir(root);
      await world.git(
        "worktree",
        "add",
        "--detach",
        "--quiet",
        join(root, "checkout"),
        "HEAD",
      );
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, "agent.pid"), `${agent.pid}\n`);
      await writeFile(join(folder, "checkout.path"), `${root}\n`);
      left.push({ agent, root, exited });
    }

    beforeAll(async () => {
      outside = await mkdtemp(join(tmpdir(), "recover-run-"));
      await leaveBehind(join(paths.steps, step), "analyze-1");
      // An attempt recorded as ended whose agent was still stopping (a
      // second Ctrl+C ends the process before it could wait for it).
      await leaveBehind(
        join(paths.steps, gate.steps["plan#1"] as string),
        "plan-1",
      );
      // A step folder edited to name a folder that is no checkout: it stays.
      notACheckout = join(outside, "specwright-precious");
      await mkdir(join(notACheckout, "checkout"), { recursive: true });
      await writeFile(join(notACheckout, "checkout", "keep.txt"), "mine\n");
      await writeFile(
        join(paths.steps, gate.steps["specify#1"] as string, "checkout.path"),
        `${notACheckout}\n`,
      );
    });
    afterAll(async () => {
      for (const { agent } of left) agent.kill("SIGKILL");
      await rm(outside, { recursive: true, force: true });
    });

    it("is cancelled with the reason; every agent and checkout left is removed", async () => {
      const events = await recoveryEvents(paths, crashedInAnalyze(), {
        by: BY,
        now,
        resume: false,
      });
      expect(events).toEqual([
        { type: "cancel", by: ENDED, at: now().toISOString() },
      ]);
      for (const { exited, root } of left) {
        expect(await exited).toBe("SIGTERM");
        expect(existsSync(root)).toBe(false);
        expect(await world.git("worktree", "list")).not.toContain(root);
      }
      expect(await readdir(join(paths.steps, step))).toEqual([]);
      const plan = await readdir(
        join(paths.steps, gate.steps["plan#1"] as string),
      );
      expect(plan).not.toContain("agent.pid");
      expect(plan).not.toContain("checkout.path");
      expect(existsSync(join(notACheckout, "checkout", "keep.txt"))).toBe(true);
    });

    it("is run again when resuming", async () => {
      expect(
        await recoveryEvents(paths, crashedInAnalyze(), {
          by: BY,
          now,
          resume: true,
        }),
      ).toEqual([
        { type: "cancel", by: ENDED, at: now().toISOString() },
        { type: "resume", by: BY, at: now().toISOString() },
      ]);
    });
  });

  it.each([
    {
      what: "a run waiting at a gate, resumed",
      edit: (m: RunMetadata) => m,
      resume: true,
      events: [],
    },
    {
      what: "a failed run, resumed",
      edit: (m: RunMetadata) => ({
        ...m,
        state: { ...m.state, status: "failed" as const },
      }),
      resume: true,
      events: [{ type: "resume", by: BY, at: now().toISOString() }],
    },
    {
      what: "a failed run, approved",
      edit: (m: RunMetadata) => ({
        ...m,
        state: { ...m.state, status: "failed" as const },
      }),
      resume: false,
      events: [],
    },
    {
      what: "a run that never started",
      edit: (m: RunMetadata) => ({
        ...m,
        state: { ...m.state, status: "queued" as const, started_at: null },
      }),
      resume: true,
      events: [{ type: "start", at: now().toISOString() }],
    },
  ])("$what", async ({ edit, resume, events }) => {
    expect(
      await recoveryEvents(paths, edit(structuredClone(gate)), {
        by: BY,
        now,
        resume,
      }),
    ).toEqual(events);
  });
});
