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
  takeControls,
  watchInbox,
} from "../run-folder/index.js";
import { pruneWorktrees } from "../stage/worktrees.js";
import { CollectionQueue } from "./collection-queue.js";
import { controlEvent } from "./control-events.js";
import type { DriveEnd, DriveOptions, GateAnswer } from "./drive-options.js";
import { useGitHelper } from "./git-helper.js";
import { killAgents } from "./kill-agents.js";
import { LOCAL_EFFECTS, performLocally } from "./perform-locally.js";
import { RunRecord } from "./run-record.js";
import { RunWorkspace } from "./run-workspace.js";
import { StageSlots } from "./stage-slots.js";
import { Wakeup } from "./wakeup.js";

/** The longest the driver sleeps before it looks at the time again. */
const MAX_SLEEP_MS = 60_000;

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
  private readonly run: RunRecord;
  private readonly queue: RunEvent[] = [];
  private readonly wakeup = new Wakeup();
  private readonly slots: StageSlots;
  private readonly workspace: RunWorkspace;
  private cancelling = false;
  /** The inbox may hold requests: its watcher said so (or nobody looked yet). */
  private inboxTouched = true;
  /** Results to collect, one per turn of the loop. */
  private readonly collections: CollectionQueue;

  constructor(private readonly options: DriveOptions) {
    this.run = new RunRecord(options.paths, options.metadata, options.now);
    this.workspace = new RunWorkspace(
      options.paths.workspace,
      options.metadata.state.branch,
    );
    this.collections = new CollectionQueue(this.workspace);
    this.slots = new StageSlots({
      repoRoot: options.paths.repoRoot,
      workspace: this.workspace,
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
    const inbox = watchInbox(paths, () => {
      this.inboxTouched = true;
      this.wakeup.wake();
    });
    const onInterrupt = () => this.wakeup.wake();
    interrupt.addEventListener("abort", onInterrupt);
    const stopNow = this.options.stopNow;
    const onStopNow = () => void this.stopNow();
    stopNow?.signal.addEventListener("abort", onStopNow, { once: true });
    const releaseGitHelper = useGitHelper();
    try {
      for (;;) {
        await this.takeRequests();
        if (this.queue.length > 0) await this.applyQueued();
        this.slots.fill();
        if (this.queue.length > 0) continue;
        if (this.collections.holdsUncollected()) {
          // Its work is discarded: the next stage starts from the run's head.
          await this.workspace.release(null);
          continue;
        }
        const collection = this.collections.next();
        if (collection !== undefined) {
          await this.perform(collection);
          continue;
        }
        // Nothing left to do but wait or return: what nobody acted on (a
        // stage that started, one that ended) is written now.
        await this.run.flush();
        const { metadata } = this.run;
        const state = metadata.state;
        if (isTerminalRun(state) && !this.slots.busy) {
          return {
            metadata,
            end: this.cancelling ? "interrupted" : "finished",
          };
        }
        if (!this.slots.busy && !isTerminalRun(state)) {
          const gate = state.stages.find(
            (s) => s.status === "waiting_approval",
          );
          if (gate !== undefined) {
            if (this.options.askGate === undefined)
              return { metadata, end: "waiting" };
            await this.ask(gate);
            continue;
          }
          if (nextWake(state) === null) return { metadata, end: "waiting" };
        }
        await this.sleep(state);
      }
    } finally {
      inbox.close();
      interrupt.removeEventListener("abort", onInterrupt);
      stopNow?.signal.removeEventListener("abort", onStopNow);
      await this.run.flush().catch(() => undefined);
      // Work nobody will collect now is discarded; should that fail, the
      // mark in its step folder has the next `resume` do it.
      if (this.workspace.holder?.ended)
        await this.workspace.release(null).catch(() => undefined);
      await pruneWorktrees(paths.repoRoot);
      releaseGitHelper();
    }
  }

  /**
   * Kills every agent the step folders name, writes the run as decided (a
   * cancel already shown on the terminal is on disk too), then says so.
   */
  private async stopNow(): Promise<void> {
    const { paths, stopNow } = this.options;
    await killAgents(paths);
    await this.run.settle().catch(() => undefined);
    stopNow?.stopped();
  }

  /** Ctrl+C and requests from other processes, as events. */
  private async takeRequests(): Promise<void> {
    if (this.options.interrupt.aborted && !this.cancelling) {
      this.cancelling = true;
      this.queue.push({ type: "cancel", by: this.options.by, at: this.at() });
    }
    if (!this.inboxTouched) return;
    this.inboxTouched = false;
    for (const entry of await takeControls(this.options.paths)) {
      const event = controlEvent(entry, this.at());
      if (typeof event === "string") this.options.onNote(event);
      else this.queue.push(event);
    }
  }

  /** Waits for a slot to finish, a request, Ctrl+C, or the engine's next due time. */
  private async sleep(state: RunState): Promise<void> {
    // Nobody is to touch the workspace, but a person may while we wait:
    // the next stage to run there looks first.
    this.workspace.cleanAt = null;
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
    this.workspace.cleanAt = null;
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
   * here (a crash then finds every decision the effects came from).
   */
  private async applyQueued(): Promise<void> {
    const effects: Effect[] = [];
    let changed = false;
    while (this.queue.length > 0) {
      const event = this.queue.shift() as RunEvent;
      const before = this.run.metadata.state;
      const next = transition(before, event);
      if (next.state === before && next.effects.length === 0) continue;
      changed = true;
      this.run.update(next.state, next.effects);
      if (next.state !== before) this.options.onChange(before, next.state);
      effects.push(...next.effects);
    }
    if (!changed) return;
    // Collecting needs nothing on disk first: after a crash the attempt's
    // bundle is collected again, and a commit it made is found by its
    // trailers. Anything else done here is written first; the rest before
    // the driver waits.
    if (effects.some((effect) => LOCAL_EFFECTS.has(effect.kind)))
      await this.run.save();
    for (const effect of effects) {
      // A collection commits on the head the run's state names: one at a
      // time, each after the event of the one before has moved that head.
      if (effect.kind === "collect_result") this.collections.push(effect);
      else await this.perform(effect);
    }
  }

  private async perform(effect: Effect): Promise<void> {
    const event = await performLocally(
      {
        paths: this.options.paths,
        metadata: this.run.metadata,
        slots: this.slots,
        workspace: this.workspace,
        now: this.options.now,
      },
      effect,
    );
    if (event !== undefined) this.queue.push(event);
  }
}
