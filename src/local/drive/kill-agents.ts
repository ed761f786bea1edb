import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunMetadata, RunPaths } from "../run-folder/index.js";
import { stepFolder } from "../stage/run-local-stage.js";

/**
 * Stops, with SIGKILL, the process group of every agent the run has under
 * way (a second Ctrl+C: no grace period).
 */
export async function killAgents(
  paths: RunPaths,
  metadata: RunMetadata,
): Promise<void> {
  for (const stage of metadata.state.stages) {
    const attempt = stage.attempts.at(-1);
    if (attempt?.status !== "running" && attempt?.status !== "dispatched")
      continue;
    const name = metadata.steps[`${stage.id}#${attempt.attempt}`];
    if (name === undefined) continue;
    const pid = Number(
      await readFile(
        stepFolder(join(paths.steps, name)).agentPid,
        "utf8",
      ).catch(() => ""),
    );
    try {
      if (pid > 0) process.kill(-pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
