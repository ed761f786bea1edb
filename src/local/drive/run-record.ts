import type { Effect } from "../../engine/effects.js";
import type { RunState } from "../../engine/run-state.js";
import {
  type RunMetadata,
  type RunPaths,
  stepDirName,
  writeRunMetadata,
} from "../run-folder/index.js";

/**
 * The run as the driver last decided it, and whether its run folder has
 * it yet: the driver writes it before doing anything it asks for, and
 * before it waits.
 */
export class RunRecord {
  /** It changed since it was last written. */
  private changed = false;
  /** The write under way, if any: writes go one after another. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly paths: RunPaths,
    public metadata: RunMetadata,
    private readonly now: () => Date,
  ) {}

  /** The run's new state, with a step folder for each attempt dispatched. */
  update(state: RunState, effects: readonly Effect[]): void {
    const steps = { ...this.metadata.steps };
    for (const effect of effects) {
      if (effect.kind !== "dispatch_stage") continue;
      const name = `${effect.stage}#${effect.attempt}`;
      steps[name] ??= stepDirName(Object.keys(steps).length + 1, effect.stage);
    }
    this.metadata = {
      ...this.metadata,
      state,
      steps,
      status: state.status,
      started_at: state.started_at,
      completed_at: state.completed_at,
      updated_at: this.now().toISOString(),
    };
    this.changed = true;
  }

  /** Writes the run as it is now, after any write under way. */
  async save(): Promise<void> {
    this.changed = false;
    const { metadata } = this;
    const write = this.writing.then(() =>
      writeRunMetadata(this.paths, metadata),
    );
    this.writing = write.catch(() => undefined);
    await write;
  }

  /** Writes the run if it changed since it was last written. */
  async flush(): Promise<void> {
    if (this.changed) await this.save();
  }

  /**
   * The run as decided is on disk once this resolves: a write under way
   * has ended and any change since is written. For a process about to
   * exit without waiting for its driver.
   */
  async settle(): Promise<void> {
    await this.flush();
    await this.writing;
  }
}
