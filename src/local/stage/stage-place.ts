import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StageRequest } from "../../contracts/stage-request.js";
import { openAttemptCheckout } from "./attempt-checkout.js";
import type { StepFolder } from "./step-folder.js";
import { isWorkspaceCleanAt } from "./workspace-status.js";

/** The run's workspace, offered to a stage that runs alone. */
export interface LoneWorkspace {
  dir: string;
  branch: string;
  /** Specwright left it clean at the stage's base commit: no need to look. */
  known: boolean;
}

/** Where a stage attempt runs. */
export interface StagePlace {
  dir: string;
  /** Scratch space for the stage runner (prompt files, the bundle). */
  tempDir: string;
  /** The attempt runs in the run's workspace itself. */
  inWorkspace: boolean;
  /** Removes what only the attempt needed (its worktree, its scratch space). */
  close(): Promise<void>;
}

/**
 * Where an attempt runs: in the run's workspace when it is offered (the
 * stage runs alone) and is clean at the commit the stage was dispatched
 * on — no checkout to make, and its work is where it will be committed —
 * else in a worktree of its own. A workspace holding changes nobody
 * committed is left alone: collecting the attempt then says so.
 */
export async function openStagePlace(options: {
  repoRoot: string;
  request: StageRequest;
  step: StepFolder;
  workspace?: LoneWorkspace | undefined;
}): Promise<StagePlace> {
  const { request, step, workspace } = options;
  const label = `${request.stage}-${request.attempt}`;
  if (
    workspace !== undefined &&
    (workspace.known ||
      (await isWorkspaceCleanAt(
        workspace.dir,
        workspace.branch,
        request.base_sha,
      )))
  ) {
    // Before the agent starts: a crash from here on leaves the mark.
    await writeFile(step.inWorkspace, `${request.base_sha}\n`);
    const tempDir = await mkdtemp(join(tmpdir(), `specwright-${label}-`));
    return {
      dir: workspace.dir,
      tempDir,
      inWorkspace: true,
      close: () => rm(tempDir, { recursive: true, force: true }),
    };
  }
  const checkout = await openAttemptCheckout(
    options.repoRoot,
    request.base_sha,
    label,
  );
  const close = async () => {
    await checkout.remove();
    await rm(step.checkout, { force: true });
  };
  try {
    await writeFile(step.checkout, `${checkout.root}\n`);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    dir: checkout.dir,
    tempDir: checkout.tempDir,
    inWorkspace: false,
    close,
  };
}
