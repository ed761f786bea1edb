import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ProgressEvent } from "../../../src/engine/progress/progress-event.js";
import { liveView } from "../../../src/local/progress/live-view.js";
import type { Reporter } from "../../../src/local/progress/reporter.js";
import { at, RUN_ID } from "../../engine/fixtures.js";
import { diamondMiddle } from "../../engine/progress/story.js";

const MIDDLE = diamondMiddle();
const NOW = Date.parse(at(6)) + 12_300;
const run = { run_id: RUN_ID };

/** The block for MIDDLE at NOW in 80 columns, as written line by line. */
function block(spinner: string): string {
  return [
    "  ✓ a  succeeded  2m  1,234 tokens · $0.0123 · 7 turns",
    "batch 2 · parallel",
    `  ${spinner} b  running    1m 12s`,
    `  ${spinner} c  starting   2m 12s`,
    "  · d  pending",
  ]
    .map((line) => `\x1b[2K${line}\n`)
    .join("");
}

const STARTED: ProgressEvent = {
  event: "stage_started",
  ...run,
  at: at(5),
  stage: "b",
  attempt: 1,
};

let out: string[];
let view: Reporter;

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubEnv("TZ", "UTC");
  out = [];
  view = liveView({
    write: (s) => out.push(s),
    columns: () => 81,
    now: () => NOW,
    color: false,
  });
});
afterEach(() => {
  view.close();
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe("liveView", () => {
  it("hides the cursor and draws the block one column short of the width", () => {
    view.event(STARTED, MIDDLE.state);
    expect(out).toStrictEqual(["\x1b[?25l", block("⠋")]);
  });

  it("redraws in place on every tick, turning the spinner", () => {
    view.event(STARTED, MIDDLE.state);
    vi.advanceTimersByTime(100);
    vi.advanceTimersByTime(100);
    expect(out.slice(2)).toStrictEqual([
      `\x1b[5A${block("⠙")}`,
      `\x1b[5A${block("⠹")}`,
    ]);
  });

  it("prints lines that must stay above the block, then draws it again", () => {
    view.event(STARTED, MIDDLE.state);
    view.event(
      {
        event: "stage_failed",
        ...run,
        at: at(6),
        stage: "c",
        attempt: 1,
        status: "failed",
        error: "\x1b]0;pwned\x07boom",
        will_retry: false,
      },
      MIDDLE.state,
    );
    expect(out.slice(2)).toStrictEqual([
      "\x1b[5A\x1b[J03:06:00 c: failed (attempt 1): boom\n",
      block("⠋"),
    ]);
  });

  it("colours kept lines when asked", () => {
    view = liveView({
      write: (s) => out.push(s),
      columns: () => 81,
      now: () => NOW,
      color: true,
    });
    view.event(MIDDLE.progress[0] as ProgressEvent, MIDDLE.state);
    view.event(
      {
        event: "gate_waiting",
        ...run,
        at: at(6),
        stage: "d",
        approve: "specwright approve 0b5e7a52 d",
        reject: "specwright reject 0b5e7a52 d",
      },
      MIDDLE.state,
    );
    expect(out[1]).toBe(
      "\x1b[J03:00:00 run 0b5e7a52 started: Diamond (4 stages) on speckit/20250102/k3x9 — Add a dark mode toggle\n",
    );
    expect(out[3]).toBe(
      "\x1b[5A\x1b[J\x1b[33m03:06:00 d: waiting for approval — run: specwright approve 0b5e7a52 d (or: specwright reject 0b5e7a52 d)\x1b[39m\n",
    );
  });

  it("leaves the last block with the summary under it when the run ends", () => {
    view.event(STARTED, MIDDLE.state);
    view.event(
      {
        event: "run_completed",
        ...run,
        at: at(7),
        status: "failed",
        summary: "Failed: c",
        duration_ms: 7 * 60_000,
      },
      MIDDLE.state,
    );
    expect(vi.getTimerCount()).toBe(0);
    view.close();
    expect(out.slice(2)).toStrictEqual([
      `\x1b[5A${block("⠋")}`,
      "03:07:00 run failed in 7m: Failed: c\n",
      "\x1b[?25h",
    ]);
  });

  it("shows the cursor again on close, once, and stops its timer", () => {
    view.event(STARTED, MIDDLE.state);
    view.close();
    view.close();
    view.event(STARTED, MIDDLE.state);
    vi.advanceTimersByTime(1000);

    expect(vi.getTimerCount()).toBe(0);
    expect(out.slice(2)).toStrictEqual([`\x1b[5A${block("⠋")}`, "\x1b[?25h"]);
  });

  it("shows the cursor on close even before any event", () => {
    view.close();
    expect(out).toStrictEqual(["\x1b[?25h"]);
  });
});
