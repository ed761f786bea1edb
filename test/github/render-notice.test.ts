import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import type { RunState } from "../../src/engine/run-state.js";
import {
  approvalHowTo,
  approversText,
  gateMessage,
  noticeMarker,
  renderNotice,
} from "../../src/github/render-notice.js";
import { MAX_COMMENT_LENGTH } from "../../src/github/render-tracking-comment.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import type { Stage } from "../../src/workflow/schema.js";
import {
  applyAll,
  at,
  BASE_SHA,
  committed,
  failed,
  finishStage,
  makeRun,
  on,
  RUN_ID,
  startedRun,
  succeeded,
  workflowRunId,
  workflowRunUrl,
} from "../engine/fixtures.js";
import { C1, throughTasks } from "./fixtures.js";

/** The default workflow with implement waiting; analyze reported `critical`. */
function implementWaiting(critical = 2, events: RunEvent[] = []): RunState {
  let state = startedRun(DEFAULT_WORKFLOW_SOURCE).state;
  state = throughTasks(state);
  state = finishStage(
    state,
    "analyze",
    succeeded({ outputs: { report: "", critical } }),
    at(20),
  ).state;
  return applyAll(state, events).state;
}

function def(state: RunState, id: string): Stage {
  const found = state.workflow.stages.find((s) => s.id === id);
  if (found === undefined) throw new Error(`no stage ${id}`);
  return found;
}

const GATED = {
  stages: [
    { id: "a" },
    {
      id: "review",
      name: "Design review",
      type: "gate",
      depends_on: ["a"],
      gate: {
        approvers: ["alice", "bob", "carol"],
        permission: "maintain",
        timeout: "1d",
        on_timeout: "skip",
        message: "Check ${{ run.branch }} first.\nThen decide.",
      },
    },
  ],
};

describe("renderNotice: a gate waits", () => {
  it("asks the requester, with the gate's message filled in", () => {
    const body = renderNotice(
      implementWaiting(2, [on.pullRequestOpened(7)]),
      { type: "gate_waiting", stage: "implement" },
      "gate:implement",
    );
    expect(body.split("\n")).toStrictEqual([
      noticeMarker(RUN_ID, "gate:implement"),
      "✋ @octocat **Implement** is waiting for approval before it runs.",
      "",
      "> Analyze reported 2 critical finding(s). Approve to run implement.",
      "",
      "Who may approve: anyone with write permission on the repository.",
      "",
      "To go on, comment `/approve implement` (or `/implement`), add the `specwright:implement` label to the pull request or press **Approve** on its check run. To stop the run, comment `/reject implement <reason>`.",
      "",
      "If nobody decides by 2025-01-09 03:20 UTC, the run stops.",
    ]);
  });

  it("names a gate's approvers and what its time-out does", () => {
    const state = finishStage(startedRun(GATED).state, "a", succeeded()).state;
    const body = renderNotice(
      state,
      { type: "gate_waiting", stage: "review" },
      "k",
    );
    expect(body).toContain(
      "✋ @octocat **Design review** is waiting for approval before the run goes on.",
    );
    expect(body).toContain(
      "> Check speckit/20250102/k3x9 first.\n> Then decide.",
    );
    expect(body).toContain(
      "Who may approve: @alice, @bob or @carol (with maintain permission on the repository).",
    );
    expect(body).toContain(
      "If nobody decides by 2025-01-03 03:05 UTC, the stage and those after it are skipped.",
    );
  });
});

describe("renderNotice: a stage failed for good", () => {
  function failedWith(policy: "skip_dependents" | "continue") {
    const workflow = {
      stages: [
        { id: "a", name: "Lint", error_policy: { on_failure: policy } },
        { id: "b", depends_on: ["a"] },
        { id: "c" },
      ],
    };
    const started = applyAll(startedRun(workflow).state, [
      on.checkRunCreated("a", 1, 701),
    ]).state;
    return finishStage(started, "a", failed("3 lint errors")).state;
  }

  it("says what happens to the run and how to retry", () => {
    const body = renderNotice(
      failedWith("skip_dependents"),
      { type: "stage_failed", stage: "a" },
      "k",
    );
    expect(body).toContain(
      "❌ @octocat **Lint** failed after 1 attempt: 3 lint errors",
    );
    expect(body).toContain(
      `Details: [check run](https://github.com/acme/web/runs/701) · [Actions run](${workflowRunUrl(workflowRunId("a"))}).`,
    );
    expect(body).toContain(
      "The stages that depend on it are skipped; the others go on (`on_failure: skip_dependents`).",
    );
    expect(body).toContain(
      "comment `/retry a` or press **Retry** on its check run.",
    );
  });

  it("says the run goes on under on_failure: continue", () => {
    const body = renderNotice(
      failedWith("continue"),
      { type: "stage_failed", stage: "a" },
      "k",
    );
    expect(body).toContain("The run goes on (`on_failure: continue`)");
  });
});

describe("renderNotice: the run finished", () => {
  it("points to the pull request of a successful run", () => {
    let state = applyAll(startedRun({ stages: [{ id: "a" }] }).state, [
      on.trackingCommentCreated(555),
      on.pullRequestOpened(7),
    ]).state;
    state = finishStage(state, "a", committed(C1, BASE_SHA)).state;
    const body = renderNotice(state, { type: "run_finished" }, "k");
    expect(body.split("\n").slice(1)).toStrictEqual([
      `✅ @octocat Specwright run \`${RUN_ID}\` finished: Every stage finished`,
      "",
      "The work is ready for review in #7 (branch `speckit/20250102/k3x9`).",
      "",
      "Every stage: [the run's progress](https://github.com/acme/web/issues/42#issuecomment-555).",
    ]);
  });

  it("says how to retry a failed run", () => {
    const state = finishStage(
      startedRun({ stages: [{ id: "a" }] }).state,
      "a",
      failed("no spec"),
    ).state;
    const body = renderNotice(state, { type: "run_finished" }, "k");
    expect(body).toContain(
      `❌ @octocat Specwright run \`${RUN_ID}\` failed: Stage a failed: no spec`,
    );
    expect(body).toContain(
      "To run `a` again and go on from there, comment `/retry a`.",
    );
  });

  it("says who cancelled it", () => {
    const cancel: RunEvent = { type: "cancel", by: "lead", at: at(3) };
    const state = applyAll(startedRun({ stages: [{ id: "a" }] }).state, [
      cancel,
    ]).state;
    const body = renderNotice(state, { type: "run_finished" }, "k");
    expect(body).toContain(
      `🚫 @octocat Specwright run \`${RUN_ID}\` was cancelled: Cancelled by @\u200Blead`,
    );
    expect(body).not.toContain("/retry");
  });

  it("stays under GitHub's limit", () => {
    const state = finishStage(
      startedRun({ stages: [{ id: "a" }] }).state,
      "a",
      failed("x".repeat(100_000)),
    ).state;
    const body = renderNotice(state, { type: "run_finished" }, "k");
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
    expect(body.startsWith(noticeMarker(RUN_ID, "k"))).toBe(true);
  });
});

describe("gate helpers", () => {
  it("fills a gate message's expressions, or leaves a broken one as written", () => {
    const state = implementWaiting(5);
    expect(gateMessage(state, def(state, "implement"))).toBe(
      "Analyze reported 5 critical finding(s). Approve to run implement.",
    );
    const broken = makeRun({
      stages: [{ id: "g", type: "gate", gate: { message: "${{ nope( }}" } }],
    });
    expect(gateMessage(broken, def(broken, "g"))).toBe("${{ nope( }}");
    expect(gateMessage(broken, def(broken, "g"))).toBeDefined();
  });

  it.each([
    [{ id: "a" }, "nobody"],
    [
      { id: "a", type: "gate" },
      "anyone with write permission on the repository",
    ],
    [
      { id: "a", gate: { approvers: ["alice"] } },
      "@alice (with write permission on the repository)",
    ],
    [
      { id: "a", gate: { approvers: ["alice", "bob"], permission: "admin" } },
      "@alice or @bob (with admin permission on the repository)",
    ],
  ])("approversText(%o) is %s", (raw, text) => {
    const state = makeRun({ stages: [raw] });
    expect(approversText(def(state, "a"))).toBe(text);
  });

  it("offers the button only once the branch exists, and links it when known", () => {
    const queued = makeRun({ stages: [{ id: "a", type: "gate" }] });
    expect(approvalHowTo(queued, def(queued, "a"))).toBe(
      "To go on, comment `/approve a`. To stop the run, comment `/reject a <reason>`.",
    );
    const created: RunEvent = {
      type: "gate_check_run_created",
      stage: "implement",
      check_run_id: 900,
      // implement waits from analyze's end, at(20).
      waiting_since: at(20),
      at: at(21),
    };
    const state = implementWaiting(0, [created]);
    expect(approvalHowTo(state, def(state, "implement"))).toBe(
      "To go on, comment `/approve implement` (or `/implement`) or press **Approve** on [its check run](https://github.com/acme/web/runs/900). To stop the run, comment `/reject implement <reason>`.",
    );
    expect(approvalHowTo(state, def(state, "implement"), "check run")).toBe(
      "To go on, comment `/approve implement` (or `/implement`) or press **Approve** above. To stop the run, comment `/reject implement <reason>` or press **Reject**.",
    );
  });
});
