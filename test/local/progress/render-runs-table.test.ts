import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type RunRow,
  renderRunsTable,
} from "../../../src/local/progress/render-runs-table.js";
import { at, FEATURE, RUN_ID } from "../../engine/fixtures.js";

beforeEach(() => {
  vi.stubEnv("TZ", "UTC");
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const RUNS: RunRow[] = [
  {
    id: RUN_ID,
    feature: FEATURE,
    workflow_name: "Spec Kit",
    status: "succeeded",
    created_at: at(0),
    started_at: at(0),
    completed_at: at(17),
    stage: "implement",
  },
  {
    id: "9f8e7d6c-1111-4222-8333-444455556666",
    feature:
      "Make \x1b[2Jthe settings page\nremember the last tab a person opened, across sessions",
    workflow_name: "Spec Kit",
    status: "in_progress",
    created_at: at(59),
    started_at: at(60),
    completed_at: null,
    stage: "plan",
  },
  {
    id: "7a6b5c4d-1111-4222-8333-444455556666",
    feature: "Queued one",
    workflow_name: "Spec Kit",
    status: "queued",
    created_at: at(70),
    started_at: null,
    completed_at: null,
    stage: null,
  },
];

describe("renderRunsTable", () => {
  it("lists runs in 100 columns, the feature made safe and cut to fit", () => {
    const table = renderRunsTable(RUNS, Date.parse(at(64)) + 2_000);

    expect(table.split("\n")).toStrictEqual([
      "ID        STATUS       STAGE      STARTED           DURATION  FEATURE",
      "0b5e7a52  succeeded    implement  2025-01-02 03:00  17m       Add a dark mode toggle",
      "9f8e7d6c  in_progress  plan       2025-01-02 04:00  4m 2s     Make the settings page remember the l…",
      "7a6b5c4d  queued       –          2025-01-02 04:10  –         Queued one",
      "",
    ]);
    expect(Math.max(...table.split("\n").map((l) => [...l].length))).toBe(100);
  });

  it("says how to start a run when there is none", () => {
    expect(renderRunsTable([], 0)).toBe(
      'No runs yet. Start one with: specwright run --feature "…"\n',
    );
  });
});
