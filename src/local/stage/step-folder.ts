import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Where one attempt's files go: its step folder. */
export interface StepFolder {
  root: string;
  /** The stage runner's own log, with the agent's output as it streams. */
  log: string;
  outputs: string;
  /** The agent's process id while it runs (a later `resume` stops it). */
  agentPid: string;
  /**
   * Names the attempt's checkout (outside the repository) while it exists:
   * a `resume` after a crash removes what the crashed process left.
   */
  checkout: string;
  /**
   * Says the attempt ran in the run's workspace itself, from the commit
   * it holds, until its work there is committed or discarded: a `resume`
   * after a crash puts the workspace back.
   */
  inWorkspace: string;
  /**
   * The tree the stage runner staged in the workspace's index, and the
   * index's stamp then (JSON): collecting commits that tree while the
   * index is as it was.
   */
  stagedTree: string;
}

export function stepFolder(root: string): StepFolder {
  return {
    root,
    log: join(root, "specwright.log"),
    outputs: join(root, "outputs"),
    agentPid: join(root, "agent.pid"),
    checkout: join(root, "checkout.path"),
    inWorkspace: join(root, "in-workspace"),
    stagedTree: join(root, "staged-tree.json"),
  };
}

/**
 * Records a running agent's process id in its step folder, whole or not at
 * all (a file beside it, renamed), before the caller goes on: a `kill -9`
 * of the CLI right after the spawn must not leave an empty `agent.pid`
 * that a `resume` cannot act on, an agent nobody stops. A failure to write
 * it costs only that clean-up, so it does not fail the stage.
 */
export function recordAgentPid(step: StepFolder, pid: number): void {
  const temp = `${step.agentPid}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, `${pid}\n`);
    renameSync(temp, step.agentPid);
  } catch {
    // The step folder is gone or unwritable: nothing left to clean up with.
  }
}
