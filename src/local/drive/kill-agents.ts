import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunPaths } from "../run-folder/index.js";
import { stepFolder } from "../stage/step-folder.js";

/**
 * The agents the run's step folders say may still run. An attempt's
 * `agent.pid` is removed when its agent ends, so the folders are the
 * record, whatever the attempts' status says (a cancelled attempt's agent
 * may still be stopping) and whatever state a caller holds.
 */
export async function agentsOf(
  paths: RunPaths,
): Promise<{ file: string; pid: number }[]> {
  const entries = await readdir(paths.steps, { withFileTypes: true }).catch(
    () => [],
  );
  const found: { file: string; pid: number }[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const file = stepFolder(join(paths.steps, entry.name)).agentPid;
    const pid = Number(await readFile(file, "utf8").catch(() => ""));
    // Signals go to the group, -pid: -1 would mean every process there is.
    if (Number.isInteger(pid) && pid > 1) found.push({ file, pid });
  }
  return found;
}

/**
 * Stops, with SIGKILL, the process group of every agent the run has under
 * way (a second Ctrl+C: no grace period, even for the agents the first
 * one asked to stop). The step folders say which.
 */
export async function killAgents(paths: RunPaths): Promise<void> {
  for (const { pid } of await agentsOf(paths)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
