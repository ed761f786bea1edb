import type { Effect } from "./effects.js";
import type { RunState } from "./run-state.js";

/** A transition in progress: a working copy of the state and the effects so far. */
export interface TransitionContext {
  state: RunState;
  effects: Effect[];
  /** When the event happened. */
  at: string;
}
