import type { StageRequest } from "../../contracts/stage-request.js";
import type { RunEvent } from "../../engine/events.js";
import type { Stage } from "../../workflow/schema.js";
import { runLocalStage } from "../stage/run-local-stage.js";
import type { LoneWorkspace } from "../stage/stage-place.js";
import { stepFolder } from "../stage/step-folder.js";
import type { RunWorkspace } from "./run-workspace.js";

/** A stage attempt the engine dispatched, waiting for a slot or running in one. */
export interface Dispatch {
  stage: string;
  attempt: number;
  request: StageRequest;
  declared: Stage["outputs"];
  /** Its step folder, and the number in the folder's name. */
  step: string;
  sequence: number;
}

interface Running {
  dispatch: Dispatch;
  controller: AbortController;
  done: Promise<void>;
}

export interface SlotOptions {
  repoRoot: string;
  /** Where a stage that runs alone runs. */
  workspace: RunWorkspace;
  concurrency: number;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** Events the slots produce, for the driver to apply. */
  emit: (event: RunEvent) => void;
}

const key = (stage: string, attempt: number) => `${stage}#${attempt}`;

/**
 * Runs dispatched attempts, at most `concurrency` at once, as runners
 * take queued jobs on GitHub: an attempt waits as `dispatched` until a
 * slot is free, then runs (`workflow_run_updated: in_progress`) and
 * reports when it ends (`completed`, with the stage's conclusion). An
 * attempt that starts with nothing else running or waiting runs in the
 * run's workspace; the others in worktrees of their own.
 */
export class StageSlots {
  private readonly queued: Dispatch[] = [];
  private readonly running = new Map<string, Running>();
  /** Why an attempt's runner broke, for its collection to say. */
  private readonly broken = new Map<string, string>();

  constructor(private readonly options: SlotOptions) {}

  get busy(): boolean {
    return this.running.size > 0 || this.queued.length > 0;
  }

  get runningCount(): number {
    return this.running.size;
  }

  enqueue(dispatch: Dispatch): void {
    this.queued.push(dispatch);
  }

  /** Why the attempt's runner broke, once; undefined when it did not. */
  takeBreakage(stage: string, attempt: number): string | undefined {
    const why = this.broken.get(key(stage, attempt));
    this.broken.delete(key(stage, attempt));
    return why;
  }

  /** Stops an attempt: dropped if it waits, its agent stopped if it runs. */
  stop(stage: string, attempt: number): void {
    const index = this.queued.findIndex(
      (d) => d.stage === stage && d.attempt === attempt,
    );
    if (index !== -1) this.queued.splice(index, 1);
    this.running.get(key(stage, attempt))?.controller.abort();
  }

  /** Starts what the free slots allow. */
  fill(): void {
    while (
      this.running.size < this.options.concurrency &&
      this.queued.length > 0
    ) {
      this.start(this.queued.shift() as Dispatch);
    }
  }

  /** Resolves when every running attempt has ended. */
  async settle(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /**
   * The workspace, for an attempt that starts alone: nothing else runs or
   * waits, and no attempt's work is in it. It is that attempt's until
   * collecting it gives it back (`RunWorkspace.release`).
   */
  private takeWorkspace(
    dispatch: Dispatch,
    mark: string,
  ): LoneWorkspace | undefined {
    const { workspace } = this.options;
    if (
      this.running.size > 0 ||
      this.queued.length > 0 ||
      workspace.holder !== null
    )
      return undefined;
    const base = dispatch.request.base_sha;
    workspace.holder = {
      stage: dispatch.stage,
      attempt: dispatch.attempt,
      base,
      mark,
      ended: false,
    };
    const known = workspace.cleanAt === base;
    workspace.cleanAt = null;
    return { dir: workspace.dir, branch: workspace.branch, known };
  }

  private start(dispatch: Dispatch): void {
    const { emit, now } = this.options;
    const at = () => now().toISOString();
    const url = dispatch.step;
    emit({
      type: "stage_dispatched",
      stage: dispatch.stage,
      attempt: dispatch.attempt,
      workflow_run_id: dispatch.sequence,
      workflow_run_url: url,
      at: at(),
    });
    const update = (
      status: "in_progress" | "completed",
      conclusion: string | null,
    ): RunEvent => ({
      type: "workflow_run_updated",
      stage: dispatch.stage,
      attempt: dispatch.attempt,
      workflow_run_id: dispatch.sequence,
      workflow_run_url: url,
      status,
      conclusion,
      at: at(),
    });
    emit(update("in_progress", null));
    const controller = new AbortController();
    const step = stepFolder(dispatch.step);
    const workspace = this.takeWorkspace(dispatch, step.inWorkspace);
    const done = runLocalStage({
      repoRoot: this.options.repoRoot,
      request: dispatch.request,
      declared: dispatch.declared,
      step,
      env: this.options.env,
      now,
      signal: controller.signal,
      workspace,
    })
      .then(
        ({ outcome }) =>
          controller.signal.aborted
            ? "cancelled"
            : outcome.result.status === "succeeded"
              ? "success"
              : "failure",
        (error: unknown) => {
          this.broken.set(
            key(dispatch.stage, dispatch.attempt),
            `the stage runner broke: ${error instanceof Error ? error.message : String(error)}`,
          );
          return "failure";
        },
      )
      .then((conclusion) => {
        this.options.workspace.end(dispatch.stage, dispatch.attempt);
        this.running.delete(key(dispatch.stage, dispatch.attempt));
        emit(update("completed", conclusion));
      });
    this.running.set(key(dispatch.stage, dispatch.attempt), {
      dispatch,
      controller,
      done,
    });
  }
}
