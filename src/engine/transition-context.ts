import type { Effect } from "./effects.js";
import type { RunEvent } from "./events.js";
import type { RunState } from "./run-state.js";

/** A transition in progress: a working copy of the state and the effects so far. */
export interface TransitionContext {
  state: RunState;
  effects: Effect[];
  /** When the event happened. */
  at: string;
}

/** What one kind of event does to a run in transition. */
export type Handler<T extends RunEvent["type"]> = (
  context: TransitionContext,
  event: Extract<RunEvent, { type: T }>,
) => void;

/** Handlers for some of the event types. */
export type Handlers<T extends RunEvent["type"]> = { [K in T]: Handler<K> };
