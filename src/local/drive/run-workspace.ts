import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { resetWorkspace } from "../stage/reset-workspace.js";

/** The stage attempt that has the workspace: it runs there, or ran and awaits collecting. */
export interface WorkspaceHolder {
  stage: string;
  attempt: number;
  /** The commit it started from: the run's head. */
  base: string;
  /** Its step folder's `in-workspace` mark, there once it runs in the workspace. */
  mark: string;
  /** The attempt has ended; its collection, if it gets one, is what is left. */
  ended: boolean;
}

/**
 * The run's `workspace/` as this process knows it. A stage that runs
 * alone runs in it (no worktree of its own); until that stage's work is
 * committed or discarded nobody else may commit there. Between stages,
 * the commit Specwright left it clean at spares the next stage a look.
 */
export class RunWorkspace {
  /** The commit Specwright left the workspace clean at; null when it must look. */
  cleanAt: string | null = null;
  holder: WorkspaceHolder | null = null;

  constructor(
    readonly dir: string,
    readonly branch: string,
  ) {}

  /** Whether the workspace is `stage#attempt`'s. */
  isHeldBy(stage: string, attempt: number): boolean {
    return this.holder?.stage === stage && this.holder.attempt === attempt;
  }

  /** Whether `stage#attempt` ran in the workspace and its work is there. */
  holdsWorkOf(stage: string, attempt: number): boolean {
    return (
      this.holder !== null &&
      this.isHeldBy(stage, attempt) &&
      existsSync(this.holder.mark)
    );
  }

  /** Its attempt has ended: what is left is to collect it, or not. */
  end(stage: string, attempt: number): void {
    if (this.holder !== null && this.isHeldBy(stage, attempt))
      this.holder.ended = true;
  }

  /**
   * Takes the workspace back from its attempt, once that attempt's work
   * was committed (`committed`, the new head) or is to be discarded
   * (null): the workspace is put back at the attempt's base, unless its
   * bundle says it changed nothing. An attempt that ran elsewhere after
   * all (the workspace was not clean) leaves it as it found it.
   */
  async release(committed: string | null): Promise<void> {
    const holder = this.holder;
    if (holder === null) return;
    this.holder = null;
    this.cleanAt = null;
    if (!existsSync(holder.mark)) return;
    if (committed === null && !(await changedNothing(dirname(holder.mark))))
      await resetWorkspace(this.dir, this.branch, holder.base);
    await rm(holder.mark, { force: true });
    this.cleanAt = committed ?? holder.base;
  }
}

/**
 * Whether the attempt's collected changes were none at all: its bundle's
 * diff summary is written after the stage runner's last look at the
 * checkout, and is empty only when nothing changed.
 */
async function changedNothing(step: string): Promise<boolean> {
  const summary = await readFile(join(step, "diff-summary.txt"), "utf8").catch(
    () => null,
  );
  return summary === "";
}
