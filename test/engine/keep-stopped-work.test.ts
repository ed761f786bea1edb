import { describe, expect, it } from "vitest";
import {
  keepsStoppedWork,
  keptWorkNote,
  limitWords,
} from "../../src/engine/keep-stopped-work.js";
import {
  BASE_SHA,
  committed,
  finishStage,
  sha,
  stageOf,
  startedRun,
} from "./fixtures.js";

const DIAMOND = {
  stages: [
    { id: "a" },
    { id: "b", depends_on: ["a"] },
    { id: "c", depends_on: ["a"] },
  ],
};
const TURNS = { limit: "turns", max: 30, used: 30 } as const;

/** a committed, then b on a's commit; c still running on a's. */
function cRunning() {
  let state = finishStage(
    startedRun(DIAMOND).state,
    "a",
    committed(sha(0xa1), BASE_SHA, { changed_paths: ["spec.md"] }),
  ).state;
  state = finishStage(
    state,
    "b",
    committed(sha(0xb1), sha(0xa1), { changed_paths: ["README.md"] }),
  ).state;
  const c = stageOf(state, "c").attempts[0];
  if (c === undefined) throw new Error("c has no attempt");
  return { state, c };
}

describe("keepsStoppedWork", () => {
  it("keeps the changes of an attempt stopped at a limit", () => {
    const { state, c } = cRunning();
    expect(
      keepsStoppedWork(state, c, {
        status: "failed",
        stopped_by: TURNS,
        changedPaths: ["api/server.ts"],
      }),
    ).toBe(true);
  });

  it("keeps nothing of an agent that failed on its own, changed nothing, or clashes with a sibling", () => {
    const { state, c } = cRunning();
    const paths = ["api/server.ts"];
    expect(
      keepsStoppedWork(state, c, { status: "failed", changedPaths: paths }),
    ).toBe(false);
    expect(
      keepsStoppedWork(state, c, {
        status: "failed",
        stopped_by: TURNS,
        changedPaths: [],
      }),
    ).toBe(false);
    expect(
      keepsStoppedWork(state, c, {
        status: "failed",
        stopped_by: TURNS,
        changedPaths: ["README.md"],
      }),
    ).toBe(false);
  });

  it("words each limit as people read it", () => {
    expect(limitWords(TURNS)).toBe("turn limit (30 turns)");
    expect(limitWords({ limit: "time", max: 20, used: 20 })).toBe(
      "time limit (20m)",
    );
    expect(limitWords({ limit: "tokens", max: 200000, used: null })).toBe(
      "token limit (200,000 tokens)",
    );
    expect(limitWords({ limit: "cost", max: 1.5, used: 1.52 })).toBe(
      "cost limit ($1.50)",
    );
    expect(keptWorkNote("0123456789".repeat(4))).toBe(
      "its work so far is committed (0123456) and the next attempt goes on from it",
    );
  });
});
