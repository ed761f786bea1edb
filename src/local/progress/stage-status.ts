import type { StageStatus } from "../../workflow/expressions/namespaces.js";
import type { Tone } from "./ansi.js";

/** How a stage status shows in a terminal. */
export interface StatusLook {
  /** One column wide; a running stage shows a spinner frame instead. */
  symbol: string;
  word: string;
  tone: Tone | null;
}

/** A braille spinner: one frame per redraw. */
export const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export const STATUS_LOOK: Record<StageStatus, StatusLook> = {
  pending: { symbol: "·", word: "pending", tone: "dim" },
  waiting_approval: {
    symbol: "⏸",
    word: "waiting for approval",
    tone: "yellow",
  },
  dispatched: { symbol: "⠋", word: "starting", tone: null },
  running: { symbol: "⠋", word: "running", tone: null },
  retrying: { symbol: "↻", word: "retrying", tone: "yellow" },
  succeeded: { symbol: "✓", word: "succeeded", tone: "green" },
  failed: { symbol: "✗", word: "failed", tone: "red" },
  timed_out: { symbol: "✗", word: "timed out", tone: "red" },
  cancelled: { symbol: "⊘", word: "cancelled", tone: "red" },
  skipped: { symbol: "–", word: "skipped", tone: "dim" },
};

/** Whether a stage is under way, shown with the spinner. */
export function isActive(status: StageStatus): boolean {
  return status === "dispatched" || status === "running";
}
