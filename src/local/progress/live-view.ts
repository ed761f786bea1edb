import type { ProgressEvent } from "../../engine/progress/progress-event.js";
import type { RunState } from "../../engine/run-state.js";
import {
  CLEAR_DOWN,
  CLEAR_LINE,
  cursorUp,
  HIDE_CURSOR,
  paint,
  SHOW_CURSOR,
} from "./ansi.js";
import { eventLine, eventTone } from "./describe-event.js";
import { renderLiveBlock } from "./render-live-block.js";
import type { Reporter } from "./reporter.js";

export interface LiveViewOptions {
  write: (s: string) => void;
  /** The terminal's width now (it may be resized while the run goes). */
  columns: () => number;
  /** Milliseconds since the epoch, for the times of stages under way. */
  now: () => number;
  /** How often the spinner and the times move, in ms (default 100). */
  interval?: number;
  color: boolean;
}

/** Events whose line must stay in the scrollback, not only in the block. */
const KEPT = new Set<ProgressEvent["event"]>([
  "run_started",
  "stage_failed",
  "gate_waiting",
]);

/**
 * The progress view for a terminal: a block of stage lines redrawn in
 * place (cursor up over the last block, each line cleared and written),
 * animated by a timer that does not keep the process alive. Lines that
 * must stay (the start, failures, approval instructions) are printed above
 * the block. When the run ends, the block is drawn one last time and the
 * summary printed under it, so both stay. The cursor is hidden while the
 * block is live and shown again by `close()`, which the driver must call
 * however the run ends.
 */
export function liveView(options: LiveViewOptions): Reporter {
  const { write, columns, now, color } = options;
  let state: RunState | null = null;
  /** Lines of the block on screen; the cursor is at the start of the line below. */
  let drawn = 0;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const stopTimer = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };

  const redraw = () => {
    if (state === null) return;
    // One column short: some terminals wrap as soon as the last column is
    // written, which would add a line the cursor-up does not know of.
    const lines = renderLiveBlock(state, now(), columns() - 1, frame, color);
    const body = lines.map((line) => `${CLEAR_LINE}${line}\n`).join("");
    write(`${cursorUp(drawn)}${body}${lines.length < drawn ? CLEAR_DOWN : ""}`);
    drawn = lines.length;
  };

  /** Clears the block and prints a line where it was. */
  const keep = (e: ProgressEvent) => {
    const line = paint(eventLine(e), eventTone(e), color);
    write(`${cursorUp(drawn)}${CLEAR_DOWN}${line}\n`);
    drawn = 0;
  };

  return {
    event(e, next) {
      if (closed) return;
      if (
        state === null &&
        timer === undefined &&
        e.event !== "run_completed"
      ) {
        write(HIDE_CURSOR);
        timer = setInterval(() => {
          frame++;
          redraw();
        }, options.interval ?? 100);
        timer.unref();
      }
      state = next;
      if (e.event === "run_completed") {
        stopTimer();
        redraw();
        write(`${paint(eventLine(e), eventTone(e), color)}\n`);
        // The final block stays as it is; nothing redraws over it.
        drawn = 0;
        state = null;
        return;
      }
      if (KEPT.has(e.event)) keep(e);
      redraw();
    },
    close() {
      if (closed) return;
      closed = true;
      stopTimer();
      redraw();
      write(SHOW_CURSOR);
    },
  };
}
