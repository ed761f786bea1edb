import type { RunState } from "./run-state.js";

// The engine's copy of a run: what a handler changes, and how a change is
// told from none.

/**
 * A run's state is JSON through and through (it is stored as JSON): its
 * text is both the copy a handler changes and what the result is compared
 * with. What no handler changes (the workflow, the settings, the
 * parameters: a third of a run's text) is not copied but shared with the
 * input; under test a lent run is frozen, so a handler that changed them
 * would fail there.
 */
export function copyOf(current: RunState): { state: RunState; before: string } {
  const before = textOf(current);
  const state = JSON.parse(before) as RunState;
  state.workflow = current.workflow;
  state.settings = current.settings;
  state.parameters = current.parameters;
  return { state, before };
}

/** Whether `state` still has `current`'s shared parts (see `copyOf`). */
export function sharesUnchanged(state: RunState, current: RunState): boolean {
  return (
    state.workflow === current.workflow &&
    state.settings === current.settings &&
    state.parameters === current.parameters
  );
}

/** A state's text, less the parts handlers do not change (see `copyOf`). */
export function textOf(state: RunState): string {
  const { workflow: _, settings: __, parameters: ___, ...changing } = state;
  return JSON.stringify(changing);
}
