import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { git, headCommit } from "../../../action/src/git.js";
import { stageCommit, trailerText } from "../../github/commit-message.js";
import type { RunMetadata, RunPaths } from "../run-folder/index.js";
import { resetWorkspace } from "../stage/reset-workspace.js";
import { stepFolder } from "../stage/step-folder.js";

/** Whether the commit at `sha` is the attempt's own (its trailers). */
async function isAttemptsCommit(
  workspace: string,
  sha: string,
  trailers: string,
): Promise<boolean> {
  const message = await git(workspace, ["log", "-1", "--format=%B", sha]).catch(
    () => "",
  );
  return message.trimEnd().endsWith(trailers);
}

/**
 * Puts the workspace back after a process ended while an attempt's work
 * was in it (a crash, `kill -9`, a second Ctrl+C): at the commit that
 * attempt made, if it made one before the end, else at the commit it
 * started from — whatever the agent left is discarded, and the attempt
 * is collected from its bundle or run again. Call it with the run's lock
 * held and its agents stopped.
 */
export async function restoreWorkspace(
  paths: RunPaths,
  metadata: RunMetadata,
): Promise<void> {
  const { state } = metadata;
  for (const [name, dir] of Object.entries(metadata.steps)) {
    const mark = stepFolder(join(paths.steps, dir)).inWorkspace;
    if (!existsSync(mark)) continue;
    const [stage = "", number = ""] = name.split("#");
    const attempt = state.stages
      .find((s) => s.id === stage)
      ?.attempts.find((a) => a.attempt === Number(number));
    if (attempt !== undefined) {
      let target = attempt.base_sha;
      const head = await headCommit(paths.workspace).catch(() => null);
      const { trailers } = stageCommit(state, stage, attempt.attempt);
      if (
        head !== null &&
        head !== target &&
        (await isAttemptsCommit(paths.workspace, head, trailerText(trailers)))
      )
        target = head;
      await resetWorkspace(paths.workspace, state.branch, target);
    }
    await rm(mark, { force: true });
  }
}
