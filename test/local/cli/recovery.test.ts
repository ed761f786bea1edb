import { existsSync, readFileSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { RunMetadata } from "../../../src/local/run-folder/index.js";
import {
  IN_PROCESS_USER,
  specwrightInProcess,
} from "../../support/in-process-cli.js";
import { LocalRunWorld, type Running } from "../../support/local-run-world.js";

// A local run that stops before it is done — a stage that failed, Ctrl+C,
// `kill -9`, a cancel from another terminal — and `specwright resume`
// going on from there: what finished stays, what did not runs again, each
// stage's work is committed once. A run that is signalled runs as its own
// process; the commands after it run in this one (the executable takes
// seconds to start, and says what the in-process CLI says: bad-input.test.ts).

const FEATURE = "Add a dark mode toggle";
/** Who the CLI process says cancelled: the user running the tests. */
const USER = userInfo().username;
/** Who the in-process CLI says resumed and cancelled. */
const TESTER = IN_PROCESS_USER;
/** A bound on waits for a process, far above what they take. */
const PATIENCE_MS = 20_000;

let world: LocalRunWorld;
/** Agents the tests saw started, stopped for good after each test. */
const agents: number[] = [];

beforeEach(async () => {
  world = await LocalRunWorld.create();
});
afterEach(async () => {
  for (const pid of agents.splice(0)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Already gone, as it should be.
    }
  }
  await world.remove();
});

/** `promise`, or a failure naming `what` after PATIENCE_MS (a bound, not a timing). */
async function within<T>(
  promise: Promise<T>,
  what: string | (() => string),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const said = typeof what === "string" ? what : what();
      reject(new Error(`no ${said} within ${PATIENCE_MS} ms`));
    }, PATIENCE_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function eventually(
  check: () => boolean,
  what: string | (() => string),
): Promise<void> {
  await within(
    (async () => {
      while (!check()) await new Promise((r) => setTimeout(r, 25));
    })(),
    what,
  );
}

/** No such process, or a zombie nobody has reaped (this container's init may not). */
function hasEnded(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  const stat = (() => {
    try {
      return readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      return "";
    }
  })();
  return stat === "" || stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
}

/** A process as /proc says it (state, parent, group), for a failure's message. */
function described(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [state, ppid, pgid] = stat
      .slice(stat.lastIndexOf(")") + 2)
      .split(" ");
    return `${pid}: state ${state}, parent ${ppid}, group ${pgid}`;
  } catch {
    return `${pid}: not in /proc`;
  }
}

/** The pid the scripted agent of `stage` wrote once it was under way ("slow"). */
async function agentOf(stage: string): Promise<number> {
  const file = join(world.dir, `${stage}.pid`);
  let pid = Number.NaN;
  await eventually(() => {
    pid = existsSync(file) ? Number(readFileSync(file, "utf8")) : Number.NaN;
    return pid > 0;
  }, `${stage} agent`);
  agents.push(pid);
  return pid;
}

/** A run with its plan under way ("slow"): the CLI process, the run and plan's agent. */
async function runWithPlanUnderWay(): Promise<{
  running: Running;
  id: string;
  agent: number;
}> {
  await world.behave({ plan: "slow" });
  const running = world.start(["run", "--feature", FEATURE]);
  const agent = await agentOf("plan");
  await running.waitFor("plan: started");
  return { running, id: LocalRunWorld.runId(running.stderr), agent };
}

function attempts(metadata: RunMetadata, stage: string) {
  const found = metadata.state.stages.find((s) => s.id === stage);
  return (found?.attempts ?? []).map((a) => ({
    attempt: a.attempt,
    status: a.status,
    trigger: a.trigger,
    error: a.error_message,
  }));
}

const statuses = (metadata: RunMetadata) =>
  metadata.state.stages.map((s) => `${s.id}: ${s.status}`);

const AT_THE_GATE = [
  "specify: succeeded",
  "plan: succeeded",
  "tasks: succeeded",
  "analyze: succeeded",
  "implement: waiting_approval",
];

/** Each commit on the run's branch as `<stage>#<attempt>`, oldest first. */
async function commits(id: string): Promise<string[]> {
  return (await world.runCommits(id)).map((c) => `${c.stage}#${c.attempt}`);
}

/** The worktrees of the repository: itself and the run's workspace, nothing an attempt left. */
async function worktrees(): Promise<string[]> {
  return (await world.git("worktree", "list", "--porcelain"))
    .split("\n")
    .filter((line) => line.startsWith("worktree "))
    .map((line) => line.slice("worktree ".length));
}

/** The CLI in this process, in the world's repository. */
function cli(args: string[]) {
  return specwrightInProcess(args, { cwd: world.repo, env: world.env() });
}

/** Resumes the run with a scripted agent that behaves; it reaches the gate. */
async function resumeToTheGate(id: string): Promise<RunMetadata> {
  await world.behave({});
  const resumed = await cli(["resume", id]);
  expect(resumed.stderr).toContain(
    `Run ${id.slice(0, 8)} is waiting for approval of implement`,
  );
  expect(resumed.code).toBe(0);
  const metadata = await world.metadata(id);
  expect(statuses(metadata)).toEqual(AT_THE_GATE);
  expect(attempts(metadata, "specify")).toHaveLength(1);
  expect(await commits(id)).toEqual(["specify#1", "plan#2", "tasks#1"]);
  expect(await worktrees()).toEqual([
    world.repo,
    join(world.repo, ".specwright/runs", id, "workspace"),
  ]);
  return metadata;
}

it("resumes a run whose stage failed from that stage, to the gate", async () => {
  await world.behave({ plan: "fail" });
  const failed = await cli(["run", "--feature", FEATURE]);
  const id = LocalRunWorld.runId(failed.stderr);
  const short = id.slice(0, 8);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain(
    `Run ${short} failed: Stage Plan failed: the agent exited with code 1: the model refused the plan stage`,
  );
  expect(failed.stderr).toContain(
    `\`specwright resume ${short}\` runs what did not finish again.`,
  );
  const stopped = await world.metadata(id);
  expect(stopped.status).toBe("failed");
  expect(statuses(stopped)).toEqual([
    "specify: succeeded",
    "plan: failed",
    "tasks: skipped",
    "analyze: skipped",
    "implement: skipped",
  ]);
  expect(attempts(stopped, "plan")).toEqual([
    {
      attempt: 1,
      status: "failed",
      trigger: null,
      error: expect.stringMatching(
        /^the agent exited with code 1: the model refused the plan stage;/,
      ),
    },
  ]);
  expect(attempts(stopped, "tasks")).toEqual([]);
  expect(await commits(id)).toEqual(["specify#1"]);

  const resumed = await resumeToTheGate(id);
  expect(resumed.status).toBe("in_progress");
  expect(attempts(resumed, "plan")).toEqual([
    expect.objectContaining({ attempt: 1, status: "failed" }),
    {
      attempt: 2,
      status: "succeeded",
      trigger: `resumed by ${TESTER}`,
      error: null,
    },
  ]);
});

it("cancels on Ctrl+C, stopping the agent, and resumes to the gate", async () => {
  const { running, id, agent } = await runWithPlanUnderWay();
  const short = id.slice(0, 8);
  // Not in a terminal, the agent gets no SIGINT of its own: the CLI stops it.
  running.child.kill("SIGINT");
  const ended = await within(running.done, "end of the CLI after Ctrl+C");
  expect(ended.code).toBe(1);
  expect(ended.stderr).toContain(
    `Run ${short} cancelled. \`specwright resume ${short}\` goes on from where it stopped.`,
  );
  await eventually(() => hasEnded(agent), "end of the plan agent");
  const cancelled = await world.metadata(id);
  expect(cancelled.status).toBe("cancelled");
  expect(attempts(cancelled, "plan")).toEqual([
    {
      attempt: 1,
      status: "cancelled",
      trigger: null,
      error: `Cancelled by @${USER}`,
    },
  ]);
  expect(await commits(id)).toEqual(["specify#1"]);
  expect(existsSync(join(world.repo, ".specwright/runs", id, "lock"))).toBe(
    false,
  );

  const resumed = await resumeToTheGate(id);
  expect(attempts(resumed, "plan")).toEqual([
    expect.objectContaining({ attempt: 1, status: "cancelled" }),
    {
      attempt: 2,
      status: "succeeded",
      trigger: `resumed by ${TESTER}`,
      error: null,
    },
  ]);
});

it("a second Ctrl+C stops an agent that ignores the first at once; resume cleans up after it", async () => {
  await world.behave({ plan: "stubborn" });
  const running = world.start(["run", "--feature", FEATURE]);
  const agent = await agentOf("plan");
  await running.waitFor("plan: started");
  const id = LocalRunWorld.runId(running.stderr);
  running.child.kill("SIGINT");
  // The run is cancelled; the CLI waits for the agent to stop.
  await within(running.waitFor("plan: cancelled"), "cancel of the plan");
  expect(hasEnded(agent)).toBe(false);
  running.child.kill("SIGINT");
  const ended = await within(running.done, "end of the CLI");
  expect(ended.code).toBe(1);
  expect(ended.stderr).toContain("specwright: stopping the agents now\n");
  await eventually(() => hasEnded(agent), "end of the plan agent");
  expect((await world.metadata(id)).status).toBe("cancelled");

  const resumed = await resumeToTheGate(id);
  expect(attempts(resumed, "plan")).toEqual([
    expect.objectContaining({ attempt: 1, status: "cancelled" }),
    expect.objectContaining({ attempt: 2, status: "succeeded" }),
  ]);
});

it("after kill -9, resume takes the stale lock, stops the agent left running and runs its stage again", async () => {
  const { running, id, agent } = await runWithPlanUnderWay();
  const folder = join(world.repo, ".specwright/runs", id);
  const stepPid = join(folder, "steps/02_plan/agent.pid");
  await eventually(() => existsSync(stepPid), "steps/02_plan/agent.pid");
  expect(Number(await readFile(stepPid, "utf8"))).toBe(agent);

  running.child.kill("SIGKILL");
  await within(running.done, "end of the killed CLI");
  // The agent has a process group of its own: it outlives the CLI.
  expect(hasEnded(agent)).toBe(false);
  const lock = JSON.parse(await readFile(join(folder, "lock"), "utf8")) as {
    pid: number;
  };
  expect(lock.pid).toBe(running.child.pid);
  expect(hasEnded(lock.pid)).toBe(true);
  expect(attempts(await world.metadata(id), "plan")).toEqual([
    expect.objectContaining({ attempt: 1, status: "running" }),
  ]);

  const resumed = await resumeToTheGate(id);
  // Stopped by resume; a process signalled may take a moment to be gone.
  await eventually(() => hasEnded(agent), "end of the crashed run's agent");
  expect(attempts(resumed, "plan")).toEqual([
    {
      attempt: 1,
      status: "cancelled",
      trigger: null,
      error: `Cancelled by @${TESTER} (the process that ran the stage ended before it finished)`,
    },
    {
      attempt: 2,
      status: "succeeded",
      trigger: `resumed by ${TESTER}`,
      error: null,
    },
  ]);
  expect(existsSync(join(folder, "lock"))).toBe(false);
  // Nothing of the ended process is left to stop or remove again.
  expect(existsSync(stepPid)).toBe(false);
  expect(existsSync(join(folder, "steps/02_plan/checkout.path"))).toBe(false);
});

it("a second process cannot resume a run that is running; its cancel asks the process running it, which stops", async () => {
  const { running, id, agent } = await runWithPlanUnderWay();
  const short = id.slice(0, 8);
  // Only the process holding the lock advances the run.
  const busy = await cli(["resume", short]);
  expect(busy.code).toBe(1);
  expect(busy.stderr).toMatch(
    new RegExp(
      `^specwright resume: run ${short}… is being advanced by another specwright process \\(pid ${running.child.pid}, \`specwright run\`, since \\d\\d:\\d\\d:\\d\\d\\); wait for it, or stop it\n$`,
    ),
  );
  const cancel = await cli(["cancel", short]);
  expect(cancel.stderr).toBe(
    `specwright: done; run ${short} goes on in the process running it (pid ${running.child.pid})\n`,
  );
  expect(cancel.code).toBe(0);

  const ended = await within(running.done, "end of the run after the cancel");
  expect(ended.code).toBe(1);
  expect(ended.stderr).toContain(
    `Run ${short} cancelled: Cancelled by @${TESTER}.`,
  );
  await eventually(() => hasEnded(agent), "end of the plan agent");
  const cancelled = await world.metadata(id);
  expect(cancelled.status).toBe("cancelled");
  expect(attempts(cancelled, "plan")).toEqual([
    {
      attempt: 1,
      status: "cancelled",
      trigger: null,
      error: `Cancelled by @${TESTER}`,
    },
  ]);
  expect(await commits(id)).toEqual(["specify#1"]);
  // The request was taken from the inbox, once.
  expect(
    await readdir(join(world.repo, ".specwright/runs", id, "inbox")),
  ).toEqual([]);
});

it("after kill -9 of a stage running in the workspace, resume discards its half-done work there and commits its new attempt once", async () => {
  // A stage that runs alone runs in workspace/ itself: the first try of
  // b leaves a file there, then waits to be killed.
  const notes = world.dir;
  await world.program(
    "stage-agent",
    `cat > /dev/null
if [ "$SPECWRIGHT_STAGE" = b ] && [ -e "${notes}/b.slow" ]; then
  echo "half done" > partial.txt
  echo "edited" >> README.md
  echo $$ > "${notes}/b.pid"
  exec sleep 30
fi
echo "made by $SPECWRIGHT_STAGE" > "$SPECWRIGHT_STAGE.txt"`,
  );
  await world.write(
    ".github/specwright.yml",
    `agent:
  backend: command
  command: stage-agent
workflow:
  name: Two steps
  stages:
    - { id: a, prompt: First }
    - { id: b, depends_on: [a], prompt: Second }
`,
  );
  await world.commit("A two-step workflow");
  await world.write("../b.slow", "");
  const running = world.start(["run", "--feature", FEATURE]);
  const agent = await agentOf("b");
  const id = LocalRunWorld.runId(running.stderr);
  const folder = join(world.repo, ".specwright/runs", id);
  const workspace = join(folder, "workspace");
  const mark = join(folder, "steps/02_b/in-workspace");
  const stepPid = join(folder, "steps/02_b/agent.pid");
  await eventually(() => existsSync(stepPid), "steps/02_b/agent.pid");
  // Whole as soon as it exists: an empty one (it used to be written after
  // the spawn, in two steps) left resume nothing to stop.
  expect(Number(await readFile(stepPid, "utf8"))).toBe(agent);
  expect(existsSync(mark)).toBe(true);
  expect(existsSync(join(workspace, "partial.txt"))).toBe(true);

  running.child.kill("SIGKILL");
  await within(running.done, "end of the killed CLI");
  await rm(join(world.dir, "b.slow"));
  const resumed = await cli(["resume", id]);

  expect(resumed.code, resumed.stderr).toBe(0);
  // Stopped by resume; a process signalled may take a moment to be gone.
  await eventually(
    () => hasEnded(agent),
    () => `end of the killed CLI's agent (${described(agent)})`,
  );
  const metadata = await world.metadata(id);
  expect(metadata.status).toBe("succeeded");
  expect(attempts(metadata, "b")).toEqual([
    expect.objectContaining({ attempt: 1, status: "cancelled" }),
    expect.objectContaining({ attempt: 2, status: "succeeded" }),
  ]);
  expect(await commits(id)).toEqual(["a#1", "b#2"]);
  expect(
    await world.git(
      "-C",
      workspace,
      "status",
      "--porcelain",
      "--untracked-files=all",
    ),
  ).toBe("");
  expect((await world.git("-C", workspace, "rev-parse", "HEAD")).trim()).toBe(
    metadata.state.head_sha,
  );
  expect(existsSync(join(workspace, "partial.txt"))).toBe(false);
  expect(await readFile(join(workspace, "README.md"), "utf8")).toBe(
    "# A project\n",
  );
  expect(existsSync(mark)).toBe(false);
  expect(await worktrees()).toEqual([world.repo, workspace]);
});
