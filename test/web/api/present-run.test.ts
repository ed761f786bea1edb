import { describe, expect, it } from "vitest";
import {
  presentRun,
  presentSummary,
} from "../../../src/web/api/present-run.js";
import { RunDetail } from "../../../src/web/api/schemas.js";
import { at, makeRun } from "../../engine/fixtures.js";
import {
  C1,
  DIAMOND,
  defaultRunToGate,
  diamondMiddle,
  USAGE,
} from "../../engine/progress/story.js";

const NOW = new Date(at(20));

describe("a run as the dashboard shows it", () => {
  it("the default workflow at its gate: stages in batches, usage, links and what a writer may press", () => {
    const run = defaultRunToGate().state;
    const detail = RunDetail.parse(
      presentRun(
        run,
        { actor: { login: "alice", permission: "write" }, permission: "write" },
        42,
        NOW,
      ),
    );
    expect(detail).toMatchObject({
      id: run.id,
      repository: "acme/web",
      status: "in_progress",
      current_stage: "implement",
      requested_by: "octocat",
      usage: USAGE,
      permission: "write",
      last_event_id: "42",
      controls: { cancel: true, hold: true, unhold: false },
      links: {
        repository: "https://github.com/acme/web",
        issue: run.issue?.url,
        pull_request: null,
        branch: `https://github.com/acme/web/tree/${run.branch}`,
      },
    });
    expect(
      detail.stages.map((s) => [s.id, s.batch, s.needs, s.status, s.gate]),
    ).toEqual([
      ["specify", 0, [], "succeeded", false],
      ["plan", 1, ["specify"], "succeeded", false],
      ["tasks", 2, ["plan"], "succeeded", false],
      ["analyze", 3, ["tasks"], "succeeded", false],
      ["implement", 4, ["analyze"], "waiting_approval", true],
    ]);
    const implement = detail.stages[4];
    expect(implement?.controls).toEqual({
      approve: true,
      reject: true,
      retry: false,
    });
    const specify = detail.stages[0];
    expect(specify?.usage).toEqual(USAGE);
    expect(specify?.attempts[0]).toMatchObject({
      attempt: 1,
      status: "succeeded",
      duration_ms: 2 * 60_000,
      usage: USAGE,
      links: {
        commit: `https://github.com/acme/web/commit/${C1}`,
        actions_run: expect.stringContaining("/actions/runs/"),
      },
    });
    expect(detail.stages[1]?.usage).toEqual({});
  });

  it("offers a reader, or nobody, no control", () => {
    const run = defaultRunToGate().state;
    const detail = presentRun(
      run,
      { actor: undefined, permission: "read" },
      null,
      NOW,
    );
    expect(detail.controls).toEqual({
      cancel: false,
      hold: false,
      unhold: false,
    });
    expect(
      detail.stages.every((s) => !s.controls.approve && !s.controls.retry),
    ).toBe(true);
    expect(detail.last_event_id).toBeNull();
  });

  it("draws a diamond's middle stages in one batch", () => {
    const detail = presentRun(
      diamondMiddle().state,
      { actor: undefined, permission: "read" },
      null,
      NOW,
    );
    expect(detail.stages.map((s) => [s.id, s.batch])).toEqual([
      ["a", 0],
      ["b", 1],
      ["c", 1],
      ["d", 2],
    ]);
    expect(detail.stages[3]?.needs).toEqual(["b", "c"]);
  });

  it("a queued run: no time yet, no branch link, duration null", () => {
    const run = makeRun(DIAMOND);
    const summary = presentSummary(run, NOW);
    expect(summary).toMatchObject({
      status: "queued",
      started_at: null,
      current_stage: null,
      usage: {},
      links: { branch: null },
    });
    const started = presentSummary({ ...run, started_at: at(0) }, NOW);
    expect(started.duration_ms).toBe(20 * 60_000);
  });
});
