import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout } from "node:timers/promises";

const RESOLUTION_MS = 5;

/**
 * Watches the event loop. `stop()` gives the longest time, in milliseconds,
 * that it could not run a timer: the longest synchronous stretch of
 * whatever ran meanwhile (the histogram's samples include the timer's own
 * period, taken off here). The histogram measures from one tick of its
 * timer to the next, so the probe waits for a few ticks before it returns
 * and again before it stops: a stretch at either end is counted too.
 */
export async function probeEventLoop(): Promise<{ stop(): Promise<number> }> {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  await setTimeout(3 * RESOLUTION_MS);
  return {
    async stop() {
      await setTimeout(3 * RESOLUTION_MS);
      histogram.disable();
      return Math.max(0, histogram.max / 1e6 - RESOLUTION_MS);
    },
  };
}
