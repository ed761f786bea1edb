import { describe, expect, it } from "vitest";
import { renderLiveBlock } from "../../../src/local/progress/render-live-block.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../../src/workflow/default-workflow.js";
import { at, BASE_SHA, makeRun, on } from "../../engine/fixtures.js";
import {
  defaultRunToGate,
  diamondMiddle,
  tell,
} from "../../engine/progress/story.js";

const MIDDLE = diamondMiddle().state;

const NOW = Date.parse(at(6)) + 12_300;

describe("renderLiveBlock", () => {
  it("shows each stage by batch, a spinner and the time so far for those under way", () => {
    expect(renderLiveBlock(MIDDLE, NOW, 80, 1, false)).toStrictEqual([
      "  ✓ a  succeeded  2m  1,234 tokens · $0.0123 · 7 turns",
      "batch 2 · parallel",
      "  ⠙ b  running    1m 12s",
      "  ⠙ c  starting   2m 12s",
      "  · d  pending",
    ]);
  });

  it("turns the spinner with the frame", () => {
    const frames = [0, 1, 9, 10].map(
      (frame) => renderLiveBlock(MIDDLE, NOW, 80, frame, false)[2]?.[2],
    );
    expect(frames).toStrictEqual(["⠋", "⠙", "⠏", "⠋"]);
  });

  it("cuts every line to the columns", () => {
    expect(renderLiveBlock(MIDDLE, NOW, 16, 0, false)).toStrictEqual([
      "  ✓ a  succeede…",
      "batch 2 · paral…",
      "  ⠋ b  running …",
      "  ⠋ c  starting…",
      "  · d  pending",
    ]);
  });

  it("colours the symbol and status, and dims batch headers", () => {
    const lines = renderLiveBlock(MIDDLE, NOW, 80, 0, true);
    expect(lines.slice(0, 3)).toStrictEqual([
      "  \x1b[32m✓\x1b[39m a  \x1b[32msucceeded\x1b[39m  2m  1,234 tokens · $0.0123 · 7 turns",
      "\x1b[2mbatch 2 · parallel\x1b[22m",
      "  ⠋ b  running    1m 12s",
    ]);
    expect(lines[4]).toBe("  \x1b[2m·\x1b[22m d  \x1b[2mpending\x1b[22m");
  });

  it("shows a gate's wait, skips with their reason, a later attempt and a retry", () => {
    const gate = defaultRunToGate().state;
    expect(
      renderLiveBlock(gate, Date.parse(at(15)), 80, 0, false).slice(3),
    ).toStrictEqual([
      "  ✓ analyze    succeeded             2m",
      "  ⏸ implement  waiting for approval  for 2m",
    ]);

    const retrying = tell(makeRun(DEFAULT_WORKFLOW_SOURCE), [
      on.start(at(0)),
      on.branchCreated(BASE_SHA, at(1)),
      on.runUpdated("specify", 1, "in_progress", { time: at(2) }),
      on.resultMissing("specify", 1, "the runner was lost", at(3), true),
    ]).state;
    const now = Date.parse(at(3)) + 10_000;
    expect(renderLiveBlock(retrying, now, 80, 0, false)[0]).toBe(
      "  ↻ specify    retrying  1m  next attempt in 20.0s",
    );

    const second = tell(retrying, [
      on.tick(at(4)),
      on.runUpdated("specify", 2, "in_progress", { time: at(5) }),
    ]).state;
    expect(
      renderLiveBlock(second, Date.parse(at(5)) + 4_000, 80, 0, false)[0],
    ).toBe("  ⠋ specify    running  attempt 2  4.0s");

    const halted = tell(second, [
      on.resultMissing("specify", 2, "gone", at(6)),
    ]).state;
    expect(
      renderLiveBlock(halted, Date.parse(at(9)), 80, 0, false),
    ).toStrictEqual([
      "  ✗ specify    failed   attempt 2  1m",
      "  – plan       skipped  not run: the run failed first",
      "  – tasks      skipped  not run: the run failed first",
      "  – analyze    skipped  not run: the run failed first",
      "  – implement  skipped  not run: the run failed first",
    ]);
  });
});
