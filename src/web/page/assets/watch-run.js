// @ts-check
// Live updates for one run: Server-Sent Events from the API, and polling
// when the stream keeps failing (a proxy that buffers or cuts it). Every
// event only says "look again": the page then fetches the run, so what it
// shows always comes from one place.

import { API_BASE } from "./api.js";

/** The SSE `event:` names the API sends (SSE_EVENT_NAMES). */
const EVENT_NAMES = [
  "run_started",
  "stage_started",
  "stage_completed",
  "stage_failed",
  "gate_waiting",
  "run_completed",
];
/** Failed connections in a row before falling back to polling. */
const MAX_FAILURES = 3;

/**
 * @param {{ runId: string,
 *           pollMs: number,
 *           refresh: () => void,
 *           onPolling: () => void }} options
 *   `refresh` re-fetches the run; `onPolling` says the stream was given up.
 * @returns {{ stop: () => void }}
 */
export function watchRun(options) {
  let failures = 0;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let timer;
  const source = new EventSource(
    `${API_BASE}runs/${encodeURIComponent(options.runId)}/events`,
  );

  function stop() {
    source.close();
    clearInterval(timer);
  }

  function poll() {
    source.close();
    if (timer !== undefined) return;
    timer = setInterval(options.refresh, options.pollMs);
    options.onPolling();
  }

  // Opened (or reopened): catch up on anything between the page's last
  // fetch and the stream's start.
  source.addEventListener("open", () => {
    failures = 0;
    options.refresh();
  });
  source.addEventListener("error", () => {
    // CLOSED: the browser gave up (an HTTP error); CONNECTING: it retries,
    // which is fine a few times, not forever.
    failures += 1;
    if (source.readyState === EventSource.CLOSED || failures >= MAX_FAILURES)
      poll();
  });
  for (const name of EVENT_NAMES) {
    source.addEventListener(name, () => {
      options.refresh();
      // The server ends the stream after the run's last event: do not let
      // the browser reconnect.
      if (name === "run_completed") source.close();
    });
  }
  return { stop };
}
