/**
 * The PostgreSQL channel a transition notifies when it wrote run events.
 * The Redis feed publishes on a channel of the same name.
 */
export const RUN_EVENTS_CHANNEL = "specwright_run_events";

/**
 * A wake-up: run `runId` has events up to `id`. Only a hint that there is
 * something to read; the store's `run_events` rows are the truth.
 */
export interface RunEventNote {
  runId: string;
  id: number;
}

/**
 * Said after a feed lost its connection and got it back: notes may have
 * been missed meanwhile, so every run may have new events.
 */
export const RESYNC_NOTE: Readonly<RunEventNote> = Object.freeze({
  runId: "*",
  id: 0,
});

/** The note's wire form: `{"run_id": …, "id": …}`. */
export function formatRunEventNote(note: RunEventNote): string {
  return JSON.stringify({ run_id: note.runId, id: note.id });
}

/** A note read off the wire, or undefined if it is not one. */
export function parseRunEventNote(payload: string): RunEventNote | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { run_id: runId, id } = value as Record<string, unknown>;
  if (typeof runId !== "string" || typeof id !== "number") return undefined;
  return { runId, id };
}
