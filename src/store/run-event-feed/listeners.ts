import type { RunEventNote } from "../run-event-note.js";

/** Where a feed says what went wrong without stopping (a lost connection). */
export interface FeedLog {
  warn: (message: string) => void;
}

/** A feed's subscribers: each note goes to all; one that throws spoils nothing for the rest. */
export class NoteListeners {
  private readonly listeners = new Set<(note: RunEventNote) => void>();

  constructor(private readonly log: FeedLog | undefined) {}

  add(listener: (note: RunEventNote) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(note: RunEventNote): void {
    for (const listener of this.listeners) {
      try {
        listener(note);
      } catch (error) {
        this.log?.warn(
          `specwright: a run event listener failed on run ${note.runId}: ${errorText(error)}`,
        );
      }
    }
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
