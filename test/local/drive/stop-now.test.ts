import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { driveRun } from "../../../src/local/drive/drive-run.js";
import {
  type RunMetadata,
  readRunMetadata,
} from "../../../src/local/run-folder/index.js";
import { LocalRunWorld } from "../../support/local-run-world.js";

// A second Ctrl+C: the CLI kills the agents and exits without waiting for
// the stages to wind down. What the terminal has already shown — the run
// cancelled by the first Ctrl+C — must be on disk by then, even when the
// write of it was still under way (CI saw `in_progress` left behind).

let world: LocalRunWorld;
/** The agent's pid, for clean-up should a test fail before it is killed. */
let agentPid = 0;

beforeEach(async () => {
  world = await LocalRunWorld.create();
  const notes = world.dir;
  // Ignores SIGTERM: only the kill of its process group stops it.
  await world.program(
    "stubborn-agent",
    `cat > /dev/null
trap '' TERM
echo $$ > "${notes}/agent.pid"
sleep 60`,
  );
  await world.write(
    ".github/specwright.yml",
    `agent:
  backend: command
  command: stubborn-agent
workflow:
  name: Stubborn
  stages:
    - { id: slow, prompt: Take your time }
`,
  );
  await world.commit("A workflow");
});
afterEach(async () => {
  try {
    if (agentPid > 1) process.kill(agentPid, "SIGKILL");
  } catch {
    // Gone, as it should be.
  }
  await world.remove();
});

const startRun = () => world.startRun("Stubborn");

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  // A zombie nobody reaped has ended too.
  const stat = (() => {
    try {
      return readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      return "";
    }
  })();
  return /^\d+ \(.*\) Z/.test(stat);
}

it("writes the cancel the terminal showed before it says the agents are stopped", async () => {
  const { paths, metadata } = await startRun();
  const interrupt = new AbortController();
  const stopNow = new AbortController();
  let onDisk: RunMetadata | undefined;
  let stopped!: () => void;
  const whenStopped = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  const driving = driveRun(
    {
      paths,
      metadata,
      concurrency: 1,
      env: world.env(),
      now: () => new Date(),
      by: "tester",
      onChange: (_, after) => {
        // The second Ctrl+C the moment the cancel is shown: its write has
        // not even started.
        if (after.status === "cancelled") stopNow.abort();
      },
      onNote: () => undefined,
      interrupt: interrupt.signal,
      stopNow: {
        signal: stopNow.signal,
        stopped: () => {
          readRunMetadata(paths).then((read) => {
            onDisk = read;
            stopped();
          });
        },
      },
    },
    [{ type: "start", at: new Date().toISOString() }],
  );
  const pidFile = join(world.dir, "agent.pid");
  // A bound on the wait, far above what it takes: never a timing.
  for (let i = 0; i < 400 && !existsSync(pidFile); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  agentPid = Number(await readFile(pidFile, "utf8"));
  interrupt.abort();
  await whenStopped;

  expect(onDisk?.status).toBe("cancelled");
  expect(onDisk?.state.stages[0]?.attempts[0]?.status).toBe("cancelled");
  for (let i = 0; i < 400 && !isGone(agentPid); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  expect(isGone(agentPid)).toBe(true);
  // The driver, not exited here, winds down as the CLI would have.
  expect((await driving).end).toBe("interrupted");
});
