import type { Effect } from "../../engine/effects.js";
import type { RunWorkspace } from "./run-workspace.js";

type Collection = Extract<Effect, { kind: "collect_result" }>;

/**
 * Results waiting to be collected. Each collection commits on the head
 * the one before left, so they go one at a time; and while a stage's work
 * is in the workspace, nobody else may commit there before that stage's
 * own collection.
 */
export class CollectionQueue {
  private readonly waiting: Collection[] = [];

  constructor(private readonly workspace: RunWorkspace) {}

  push(effect: Collection): void {
    this.waiting.push(effect);
  }

  /** The next collection to perform, if one may go now. */
  next(): Collection | undefined {
    if (this.workspace.holder === null) return this.waiting.shift();
    const index = this.waiting.findIndex((effect) => this.isHolders(effect));
    return index === -1 ? undefined : this.waiting.splice(index, 1)[0];
  }

  /**
   * Whether the workspace holds the work of an attempt that ended with no
   * collection to come (cancelled, stopped at its time limit). Asked with
   * every event applied, when a collection to come is queued already.
   */
  holdsUncollected(): boolean {
    return (
      this.workspace.holder?.ended === true &&
      !this.waiting.some((effect) => this.isHolders(effect))
    );
  }

  private isHolders(effect: Collection): boolean {
    return this.workspace.isHeldBy(effect.stage, effect.attempt);
  }
}
