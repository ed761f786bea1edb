import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { agentsOf, killAgents } from "../../../src/local/drive/kill-agents.js";
import {
  type RunPaths,
  runPaths,
} from "../../../src/local/run-folder/index.js";

// The agents a run's step folders name (each attempt's agent.pid, there
// while its agent runs), and stopping them all at once: a second Ctrl+C.

let repo: string;
let paths: RunPaths;

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), "specwright-kill-agents-"));
  paths = runPaths(repo, "5d1e0b7a-0000-4000-8000-000000000000");
  await mkdir(paths.steps, { recursive: true });
});
afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function step(name: string, agentPid?: string): Promise<string> {
  const folder = join(paths.steps, name);
  await mkdir(folder);
  if (agentPid !== undefined)
    await writeFile(join(folder, "agent.pid"), agentPid);
  return join(folder, "agent.pid");
}

it("finds each step folder's agent, and nothing that is no process number", async () => {
  const running = await step("03_plan", "4242\n");
  await step("01_specify");
  // Signals go to -pid: -1 would be every process, -0 this process group.
  await step("02_specify", "1\n");
  await step("04_tasks", "0\n");
  await step("05_tasks", "-7\n");
  await step("06_analyze", "12ab\n");
  await writeFile(join(paths.steps, "notes.txt"), "not a step\n");
  expect(await agentsOf(paths)).toEqual([{ file: running, pid: 4242 }]);
});

it("finds none in a run that has no steps yet", async () => {
  await rm(paths.steps, { recursive: true });
  expect(await agentsOf(paths)).toEqual([]);
});

it("kills each agent's whole process group", async () => {
  // An agent that started a helper of its own, which it prints.
  const agent = spawn("sh", ["-c", "sleep 60 & echo $!; wait"], {
    detached: true,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const exited = new Promise<string | null>((resolve) =>
    agent.on("exit", (_, signal) => resolve(signal)),
  );
  const helper = await new Promise<number>((resolve) =>
    agent.stdout.once("data", (chunk: Buffer) =>
      resolve(Number(chunk.toString())),
    ),
  );
  await step("02_plan", `${agent.pid}\n`);
  await killAgents(paths);
  expect(await exited).toBe("SIGKILL");
  // The helper (not this process's child) is gone or a zombie.
  await expect
    .poll(() => {
      try {
        process.kill(helper, 0);
        return /\) Z/.test(readFileSync(`/proc/${helper}/stat`, "utf8"));
      } catch {
        return true;
      }
    })
    .toBe(true);
});
