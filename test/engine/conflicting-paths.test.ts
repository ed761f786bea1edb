import { describe, expect, it } from "vitest";
import { conflictingPaths } from "../../src/engine/conflicting-paths.js";
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
const A = sha(0xa1);
const B = sha(0xb1);

/** The diamond with a committed, then b committed on a's commit; c still running on a's. */
function bCommittedFirst() {
  let state = finishStage(
    startedRun(DIAMOND).state,
    "a",
    committed(A, BASE_SHA, { changed_paths: ["spec.md"] }),
  ).state;
  state = finishStage(
    state,
    "b",
    committed(B, A, { changed_paths: ["web/index.html", "README.md"] }),
  ).state;
  return state;
}

describe("conflictingPaths", () => {
  it("names the paths a sibling committed after the attempt's base", () => {
    const state = bCommittedFirst();
    const c = stageOf(state, "c").attempts[0];
    if (c === undefined) throw new Error("c has no attempt");
    expect(c.base_sha).toBe(A);
    expect(
      conflictingPaths(state, c, ["README.md", "api/server.ts", "spec.md"]),
    ).toStrictEqual(["README.md (changed by b)"]);
  });

  it("ends on a state that records a commit as its own parent", () => {
    const state = bCommittedFirst();
    const b = stageOf(state, "b").attempts[0];
    const c = stageOf(state, "c").attempts[0];
    if (b === undefined || c === undefined) throw new Error("no attempts");
    b.commit_parent = B;
    b.commit_sha = B;
    c.base_sha = B;
    expect(conflictingPaths(state, c, ["README.md"])).toStrictEqual([
      "README.md (changed by b)",
    ]);
  });
});
