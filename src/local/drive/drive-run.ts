import type { Effect } from "../../engine/effects.js";
import type { RunEvent } from "../../engine/events.js";
import {
  isTerminalRun,
  type RunState,
  type StageRun,
} from "../../engine/run-state.js";
import { nextWake } from "../../engine/timers.js";
import { transition } from "../../engine/transition.js";
import {
  type RunMetadata,
  type RunPaths,
  stepDirName,
  takeControls,
  watchInbox,
  writeRunMetadata,
} from "../run-folder/index.js";
import { pruneCheckouts } from "../stage/attempt-checkout.js";
import { controlEvent } from "./control-events.js";
import { performLocally } from "./perform-locally.js";
import { StageSlots } from "./stage-slots.js";
import { Wakeup } from "./wakeup.js";

/** The longest the driver sleeps before it looks at the time again. */
const MAX_SLEEP_MS = 60_000;

/** What a person says to a waiting gate on a terminal. */
export type GateAnswer =
  | { kind: "approve" }
  | { kind: "reject"; reason: string | null }
  | { kind: "wait" };

export interface DriveOptions {
  paths: RunPaths;
  metadata: RunMetadata;
  concurrency: number;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** Who is driving (approvals and cancels are theirs). */
  by: string;
  /** Told of every change of the run (progress). */
  onChange: (before: RunState | null, after: RunState) => void;
  /** Told of something worth a line that is not a change (an ignored request). */
  onNote: (message: string) => void;
  /** On a terminal: asks about a waiting gate. Without it, the run stops there. */
  askGate?:
    | ((stage: StageRun, signal: AbortSignal) => Promise<GateAnswer>)
    | undefined;
  /** Ctrl+C: the run is cancelled, its agents stopped. */
  interrupt: AbortSignal;
}

/** How driving ended: the run ended, waits for people, or was cancelled here. */
export type DriveEnd = "finished" | "waiting" | "interrupted";

/**
 * Drives a local run with the engine, as the App does on GitHub: each
 * event goes through `transition`, the new state is written to the run
 * folder before anything it asks for is done, and the effects are done
 * here — a worktree for the branch, the action's stage runner for a
 * dispatch, the App's checks and a commit for a collection. GitHub's own
 * effects (comments, check runs, labels, the pull request) have nothing to
 * do locally. Returns when the run ends or waits for a person.
 */
export async function driveRun(
  options: DriveOptions,
  first: readonly RunEvent[],
): Promise<{ metadata: RunMetadata; end: DriveEnd }> {
  const driver = new Driver(options);
  return driver.drive(first);
}

class Driver {
  private metadata: RunMetadata;
  private readonly queue: RunEvent[] = [];
  private readonly wakeup = new Wakeup();
  private readonly slots: StageSlots;
  private cancelling = false;
  /** Results to collect, in order, one per turn of the loop. */
  private readonly collections: Effect[] = [];

  constructor(private readonly options: DriveOptions) {
    this.metadata = options.metadata;
    this.slots = new StageSlots({
      repoRoot: options.paths.repoRoot,
      concurrency: options.concurrency,
      env: options.env,
      now: options.now,
      emit: (event) => {
        this.queue.push(event);
        this.wakeup.wake();
      },
    });
  }

  private at(): string {
    return this.options.now().toISOString();
  }

  async drive(
    first: readonly RunEvent[],
  ): Promise<{ metadata: RunMetadata; end: DriveEnd }> {
    const { interrupt, paths } = this.options;
    this.queue.push(...first);
    const inbox = watchInbox(paths, () => this.wakeup.wake());
    const onInterrupt = () => this.wakeup.wake();
    interrupt.addEventListener("abort", onInterrupt);
    try {
      for (;;) {
        await this.takeRequests();
        if (this.queue.length > 0) await this.applyQueued();
        this.slots.fill();
        if (this.queue.length > 0) continue;
        const collection = this.collections.shift();
        if (collection !== undefined) {
          await this.perform(collection);
          continue;
        }
        const state = this.metadata.state;
        if (isTerminalRun(state) && !this.slots.busy) {
          return {
            metadata: this.metadata,
            end: this.cancelling ? "interrupted" : "finished",
          };
        }
        if (!this.slots.busy && !isTerminalRun(state)) {
          const gate = state.stages.find(
            (s) => s.status === "waiting_approval",
          );
          if (gate !== undefined) {
            if (this.options.askGate === undefined)
              return { metadata: this.metadata, end: "waiting" };
            await this.ask(gate);
            continue;
          }
          if (nextWake(state) === null)
            return { metadata: this.metadata, end: "waiting" };
        }
        await this.sleep(state);
      }
    } finally {
      inbox.close();
      interrupt.removeEventListener("abort", onInterrupt);
      await pruneCheckouts(paths.repoRoot);
    }
  }

  /** Ctrl+C and requests from other processes, as events. */
  private async takeRequests(): Promise<void> {
    if (this.options.interrupt.aborted && !this.cancelling) {
      this.cancelling = true;
      this.queue.push({ type: "cancel", by: this.options.by, at: this.at() });
    }
    for (const entry of await takeControls(this.options.paths)) {
      const event = controlEvent(entry, this.at());
      if (typeof event === "string") this.options.onNote(event);
      else this.queue.push(event);
    }
  }

  /** Waits for a slot to finish, a request, Ctrl+C, or the engine's next due time. */
  private async sleep(state: RunState): Promise<void> {
    const wake = nextWake(state);
    // At most a minute at a time: a timer past 2^31 ms would fire at once.
    const delay =
      wake === null
        ? undefined
        : Math.min(
            MAX_SLEEP_MS,
            Math.max(0, Date.parse(wake) - this.options.now().getTime()),
          );
    const woken = await this.wakeup.wait(delay);
    if (!woken) this.queue.push({ type: "tick", at: this.at() });
  }

  /**
   * Asks about a gate, until answered or until another process or Ctrl+C
   * decides first (the question is then withdrawn).
   */
  private async ask(gate: StageRun): Promise<void> {
    const controller = new AbortController();
    const answer = (
      this.options.askGate as NonNullable<DriveOptions["askGate"]>
    )(gate, controller.signal);
    for (;;) {
      const woke = await Promise.race([
        answer.then(
          () => false,
          () => false,
        ),
        this.wakeup.wait(undefined).then(() => true),
      ]);
      if (!woke) break;
      const before = this.queue.length;
      await this.takeRequests();
      if (this.queue.length > before) {
        controller.abort();
        await answer.catch(() => undefined);
        return;
      }
    }
    const given = await answer.catch(() => ({ kind: "wait" }) as GateAnswer);
    const by = this.options.by;
    if (given.kind === "approve")
      this.queue.push({ type: "approve", stage: gate.id, by, at: this.at() });
    else if (given.kind === "reject")
      this.queue.push({
        type: "reject",
        stage: gate.id,
        by,
        reason: given.reason,
        at: this.at(),
      });
    else this.options.askGate = undefined;
  }

  /**
   * The events waiting, through the engine one by one; the run folder is
   * written once for all of them, before any effect they ask for is done
   * (a crash then finds every decision the effects came from).
   */
  private async applyQueued(): Promise<void> {
    const effects: Effect[] = [];
    let changed = false;
    while (this.queue.length > 0) {
      const event = this.queue.shift() as RunEvent;
      const before = this.metadata.state;
      const next = transition(before, event);
      if (next.state === before && next.effects.length === 0) continue;
      changed = true;
      this.record(next.state, next.effects);
      if (next.state !== before) this.options.onChange(before, next.state);
      effects.push(...next.effects);
    }
    if (!changed) return;
    await writeRunMetadata(this.options.paths, this.metadata);
    for (const effect of effects) {
      // A collection commits on the head the run's state names: one at a
      // time, each after the event of the one before has moved that head.
      if (effect.kind === "collect_result") this.collections.push(effect);
      else await this.perform(effect);
    }
  }

  /** The run's new state, with a step folder for each attempt dispatched. */
  private record(state: RunState, effects: readonly Effect[]): void {
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
      updated_at: this.at(),
    };
  }

  private async perform(effect: Effect): Promise<void> {
    const event = await performLocally(
      {
        paths: this.options.paths,
        metadata: this.metadata,
        slots: this.slots,
        now: this.options.now,
      },
      effect,
    );
    if (event !== undefined) this.queue.push(event);
  }
}
