import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import {
  recordAgentPid,
  stepFolder,
} from "../../../src/local/stage/step-folder.js";

// `agent.pid` is what a `resume` after `kill -9` has to stop the agent the
// killed CLI left running: it must never be seen empty or half written.

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "specwright-step-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it("records the agent's pid whole before it returns, with nothing else left beside it", async () => {
  const step = stepFolder(dir);
  recordAgentPid(step, 4242);
  // No await between: a kill -9 now finds the whole number.
  expect(await readFile(step.agentPid, "utf8")).toBe("4242\n");
  expect(await readdir(dir)).toEqual(["agent.pid"]);
});

it("replaces an earlier agent's pid (a fallback prompt after Spec Kit's command)", async () => {
  const step = stepFolder(dir);
  await writeFile(step.agentPid, "1111\n");
  recordAgentPid(step, 2222);
  expect(await readFile(step.agentPid, "utf8")).toBe("2222\n");
  expect(await readdir(dir)).toEqual(["agent.pid"]);
});

it("does not throw when the step folder is gone (the stage goes on)", () => {
  const step = stepFolder(join(dir, "missing"));
  expect(() => recordAgentPid(step, 3333)).not.toThrow();
});
