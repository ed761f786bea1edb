import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { RunEvent } from "../../engine/events.js";
import type { RunState } from "../../engine/run-state.js";
import type { RunMetadata, RunPaths } from "../run-folder/index.js";
import { collectLocally } from "../stage/collect-locally.js";
import { BUNDLE_COMPLETE } from "../stage/run-local-stage.js";
import { agentsOf } from "./kill-agents.js";
import { removeLeftoverCheckouts } from "./remove-leftover-checkouts.js";
import { restoreWorkspace } from "./restore-workspace.js";
import { createWorkspace } from "./workspace.js";

/** Sends `signal` to a process group; false when there is none. */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops the agents a process that ended left running (each its whole
 * group: SIGTERM, then SIGKILL), and forgets their numbers: they may be
 * other processes' soon.
 */
async function stopLeftoverAgents(paths: RunPaths): Promise<void> {
  const agents = await agentsOf(paths);
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    const signalled = agents.filter(({ pid }) => signalGroup(pid, signal));
    if (signalled.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  for (const { file } of agents) await rm(file, { force: true });
}

/**
 * The events that bring a run back after the process advancing it ended
 * without finishing its work (a crash, `kill -9`): an attempt whose bundle
 * is complete is collected (a commit it already made is found by its
 * trailers, not made twice); one that was cut short is recorded as
 * cancelled, with the reason, and runs again; a branch that was being made
 * is made. The agents and checkouts the process left are removed. A run
 * that ended (failed, cancelled) goes on: `resume`.
 */
export async function recoveryEvents(
  paths: RunPaths,
  metadata: RunMetadata,
  options: { by: string; now: () => Date; resume: boolean },
): Promise<RunEvent[]> {
  const at = () => options.now().toISOString();
  const state: RunState = metadata.state;
  const events: RunEvent[] = [];
  if (state.status === "queued") {
    if (state.started_at === null) return [{ type: "start", at: at() }];
    return [await createWorkspace(paths.repoRoot, paths.workspace, state, at)];
  }
  // First what the ended process left under way: its agents (whatever
  // their attempts' status says), then their checkouts and the workspace.
  await stopLeftoverAgents(paths);
  await removeLeftoverCheckouts(paths, metadata);
  await restoreWorkspace(paths, metadata);
  let interrupted = false;
  for (const stage of state.stages) {
    const attempt = stage.attempts.at(-1);
    if (
      attempt === undefined ||
      (attempt.status !== "dispatched" && attempt.status !== "running")
    )
      continue;
    const name = metadata.steps[`${stage.id}#${attempt.attempt}`];
    const step = name === undefined ? undefined : join(paths.steps, name);
    if (step !== undefined && existsSync(join(step, BUNDLE_COMPLETE))) {
      const result = JSON.parse(
        await readFile(join(step, "result.json"), "utf8"),
      ) as { status?: string };
      const conclusion = result.status === "succeeded" ? "success" : "failure";
      events.push(
        await collectLocally({
          state: {
            ...state,
            stages: state.stages.map((s) =>
              s.id === stage.id
                ? {
                    ...s,
                    attempts: s.attempts.map((a) =>
                      a === attempt ? { ...a, conclusion } : a,
                    ),
                  }
                : s,
            ),
          },
          stage: stage.id,
          attempt: attempt.attempt,
          conclusion,
          step,
          runFolder: paths.root,
          workspace: paths.workspace,
          now: options.now,
        }),
      );
    } else {
      interrupted = true;
    }
  }
  if (interrupted) {
    events.push({
      type: "cancel",
      by: `${options.by} (the process that ran the stage ended before it finished)`,
      at: at(),
    });
  }
  if (
    options.resume &&
    (interrupted || state.status === "failed" || state.status === "cancelled")
  ) {
    events.push({ type: "resume", by: options.by, at: at() });
  }
  return events;
}
