import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import type { RunState } from "../../src/engine/run-state.js";
import {
  MAX_COMMENT_LENGTH,
  renderMovedComment,
  renderTrackingComment,
  trackingMarker,
} from "../../src/github/render-tracking-comment.js";
import { DEFAULT_WORKFLOW_SOURCE } from "../../src/workflow/default-workflow.js";
import { stageName } from "../../src/workflow/schema.js";
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

const NOW = new Date(at(60));

/** The default workflow with every stage before `implement` done; implement waits. */
function waiting(events: RunEvent[] = []): RunState {
  let state = applyAll(startedRun(DEFAULT_WORKFLOW_SOURCE).state, [
    on.trackingCommentCreated(555),
    on.checkRunCreated("specify", 1, 701),
  ]).state;
  state = throughTasks(state);
  state = finishStage(
    state,
    "analyze",
    succeeded({ outputs: { report: "", critical: 0 } }),
    at(20),
  ).state;
  return applyAll(state, events).state;
}

const gateCreated: RunEvent = {
  type: "gate_check_run_created",
  stage: "implement",
  check_run_id: 900,
  waiting_since: at(20),
  at: at(21),
};

/** The comment's Mermaid diagram, parsed: nodes, edges, and classes per node. */
function parseMermaid(comment: string) {
  const block = /^(`{3,})mermaid\n([\s\S]*?)\n\1$/m.exec(comment);
  if (block === null) throw new Error("no mermaid block");
  const lines = (block[2] ?? "").split("\n");
  const nodes = new Map<string, string>();
  const edges: string[] = [];
  const classDefs = new Map<string, string>();
  const classes = new Map<string, string[]>();
  expect(lines[0]).toMatch(/^flowchart (LR|TD)$/);
  for (const line of lines.slice(1)) {
    let m = /^ {2}(s\d+)(?:\["([^"]*)"\]|\{\{"([^"]*)"\}\})$/.exec(line);
    if (m) {
      nodes.set(m[1] ?? "", m[2] ?? m[3] ?? "");
      continue;
    }
    m = /^ {2}(s\d+) --> (s\d+)$/.exec(line);
    if (m) {
      edges.push(`${m[1]}->${m[2]}`);
      continue;
    }
    m = /^ {2}classDef (\w+) (.+)$/.exec(line);
    if (m) {
      classDefs.set(m[1] ?? "", m[2] ?? "");
      continue;
    }
    m = /^ {2}class ([\w,]+) (\w+)$/.exec(line);
    if (m) {
      for (const id of (m[1] ?? "").split(","))
        classes.set(id, [...(classes.get(id) ?? []), m[2] ?? ""]);
      continue;
    }
    throw new Error(`not a Mermaid line we write: ${line}`);
  }
  return { nodes, edges, classDefs, classes };
}

/** Every stage is a node, every dependency an edge, every status a class. */
function expectDiagramOf(state: RunState, comment: string): void {
  const { nodes, edges, classDefs, classes } = parseMermaid(comment);
  const idOf = new Map<string, string>();
  for (const [id, label] of nodes) {
    const stage = state.workflow.stages.find((s) => stageName(s) === label);
    if (stage) idOf.set(stage.id, id);
  }
  expect(idOf.size).toBe(state.workflow.stages.length);
  expect(nodes.size).toBe(state.workflow.stages.length);
  expect(new Set(edges)).toStrictEqual(
    new Set(
      state.workflow.stages.flatMap((s) =>
        s.depends_on.map((d) => `${idOf.get(d)}->${idOf.get(s.id)}`),
      ),
    ),
  );
  expect(edges).toHaveLength(new Set(edges).size);
  for (const stage of state.stages) {
    const id = idOf.get(stage.id) ?? "";
    expect(classes.get(id)).toContain(stage.status);
    expect(classDefs.has(stage.status)).toBe(true);
  }
}

describe("renderTrackingComment", () => {
  it("keeps the hidden marker first", () => {
    const comment = renderTrackingComment(waiting(), NOW);
    expect(comment.split("\n")[0]).toBe(trackingMarker(RUN_ID));
  });

  it("has a row per stage: status, attempt, duration, usage, links", () => {
    const comment = renderTrackingComment(waiting(), NOW);
    expect(comment).toContain(
      `| Specify | ✅ succeeded | 1 | 2m | usage not reported | [check run](https://github.com/acme/web/runs/701) · [Actions run](${workflowRunUrl(workflowRunId("specify"))}) |`,
    );
    expect(comment).toContain(
      `| Plan | ✅ succeeded | 1 | 2m | usage not reported | [Actions run](${workflowRunUrl(workflowRunId("plan"))}) |`,
    );
    expect(comment).toContain(
      "| Implement | ✋ waiting for approval | — | since 2025-01-02 03:20 UTC | — | — |",
    );
  });

  it("links to a GitHub Enterprise Server's check runs there", () => {
    const server = "https://github.example.com/acme/web";
    const comment = renderTrackingComment(
      { ...waiting([on.pullRequestOpened(7), gateCreated]), html_url: server },
      NOW,
    );
    expect(comment).toContain(`[check run](${server}/runs/701)`);
    expect(comment).toContain(`[its check run](${server}/runs/900)`);
    expect(comment).not.toMatch(
      /https:\/\/github\.com\/acme\/web\/(runs|blob|tree)/,
    );
  });

  it("says who may approve a waiting gate, and how", () => {
    const comment = renderTrackingComment(
      waiting([on.pullRequestOpened(7), gateCreated]),
      NOW,
    );
    expect(comment).toContain("> [!IMPORTANT]");
    expect(comment).toContain(
      "> ✋ **Implement** is waiting for approval since 2025-01-02 03:20 UTC.",
    );
    expect(comment).toContain(
      "Who may approve: anyone with write permission on the repository.",
    );
    expect(comment).toContain("comment `/approve implement` (or `/implement`)");
    expect(comment).toContain(
      "add the `specwright:implement` label to the pull request",
    );
    expect(comment).toContain(
      "press **Approve** on [its check run](https://github.com/acme/web/runs/900)",
    );
    expect(comment).toContain(
      "If nobody decides by 2025-01-09 03:20 UTC, the run stops.",
    );
    expect(comment).toContain(
      "[approval](https://github.com/acme/web/runs/900)",
    );
  });

  it("says who held the run and how to go on", () => {
    const hold: RunEvent = { type: "hold", by: "lead", at: at(30) };
    const comment = renderTrackingComment(waiting([hold]), NOW);
    expect(comment).toContain("**in progress** (on hold)");
    expect(comment).toContain(
      "> ⏸️ **On hold** since 2025-01-02 03:30 UTC, by @lead: no new stage starts. Comment `/unhold` to go on.",
    );
  });

  it("says when a retrying stage starts again", () => {
    const lost: RunEvent = {
      type: "result_missing",
      stage: "a",
      attempt: 1,
      error: "the runner was lost",
      retryable: true,
      at: at(5),
    };
    const state = applyAll(startedRun({ stages: [{ id: "a" }] }).state, [
      on.stageDispatched("a"),
      on.runUpdated("a", 1, "in_progress"),
      lost,
    ]).state;
    const comment = renderTrackingComment(state, new Date(at(5)));
    expect(comment).toContain(
      "> 🔁 **a** failed on attempt 1 and is retried automatically: attempt 2 starts at 2025-01-02 03:05:30 UTC.",
    );
    expect(comment).toContain(
      "| a | 🔁 retrying at 2025-01-02 03:05:30 UTC | 1 |",
    );
  });

  it("says how to retry a failed run", () => {
    const state = finishStage(
      applyAll(
        startedRun({ stages: [{ id: "a" }, { id: "b", depends_on: ["a"] }] })
          .state,
        [on.checkRunCreated("a", 1, 701)],
      ).state,
      "a",
      failed("the tests did not pass"),
    ).state;
    const comment = renderTrackingComment(state, NOW);
    expect(comment).toContain("**failed**");
    expect(comment).toContain("> [!CAUTION]");
    expect(comment).toContain("> ❌ **a** failed: the tests did not pass");
    expect(comment).toContain(
      "comment `/retry a` or press **Retry** on its check run.",
    );
    expect(comment).toContain(
      "| b | ⏭️ skipped (not run: the run failed first) | — | — | — |",
    );
    expect(comment).toContain(
      "**Result:** Stage a failed: the tests did not pass (0 commits, in 5m).",
    );
  });

  it("shows the outcome of a finished run", () => {
    let state = startedRun({ stages: [{ id: "a" }] }).state;
    state = applyAll(state, [on.pullRequestOpened(7)]).state;
    state = finishStage(state, "a", committed(C1, BASE_SHA)).state;
    const comment = renderTrackingComment(state, NOW);
    expect(comment).toContain("### ✅ Specwright: Add a dark mode toggle");
    expect(comment).toContain(
      "**Result:** Every stage finished (1 commit, in 5m).",
    );
    expect(comment).toContain(
      "The work is ready for review in pull request #7.",
    );
    expect(comment).not.toContain("/hold");
  });

  it("links back to the issue once it lives on the pull request", () => {
    const moved: RunEvent = {
      type: "tracking_comment_moved",
      comment_id: 556,
      number: 7,
      at: at(7),
    };
    const state = waiting([on.pullRequestOpened(7), moved]);
    expect(state.tracking_comment_on).toBe(7);
    expect(renderTrackingComment(state, NOW)).toContain(
      "Started from issue #42: [Dark mode](https://github.com/acme/web/issues/42).",
    );
    expect(renderTrackingComment(waiting(), NOW)).not.toContain(
      "Started from issue",
    );
  });

  it("draws the workflow coloured by status", () => {
    const state = waiting();
    const comment = renderTrackingComment(state, NOW);
    expectDiagramOf(state, comment);
    expect(parseMermaid(comment).nodes.get("s4")).toBe("Implement");
  });

  it("draws a branching workflow with every edge and status", () => {
    const workflow = {
      stages: [
        { id: "a", name: "Start" },
        { id: "b", depends_on: ["a"] },
        {
          id: "c",
          depends_on: ["a"],
          error_policy: { on_failure: "continue" },
        },
        { id: "d", depends_on: ["b", "c"], gate: {} },
        { id: "e", depends_on: ["a"], condition: "false" },
      ],
    };
    let state = finishStage(
      startedRun(workflow).state,
      "a",
      committed(C1, BASE_SHA),
    ).state;
    state = finishStage(state, "c", failed("no")).state;
    state = applyAll(state, [on.stageDispatched("b")]).state;
    const comment = renderTrackingComment(state, NOW);
    expectDiagramOf(state, comment);
    expect(new Set(state.stages.map((s) => s.status))).toStrictEqual(
      new Set(["succeeded", "dispatched", "failed", "pending", "skipped"]),
    );
  });

  it("keeps untrusted text from hiding the rest", () => {
    const state = makeRun(DEFAULT_WORKFLOW_SOURCE, {
      feature: "Dark mode <!-- | and more\nsecond line",
    });
    const comment = renderTrackingComment(state, NOW);
    expect(comment).toContain(
      "### ⏳ Specwright: Dark mode &lt;\\!-- | and more",
    );
    expect(comment.match(/<!--/g)).toHaveLength(1);
  });

  it("lets no untrusted text mention people, or hide a link or an image", () => {
    const state = makeRun(DEFAULT_WORKFLOW_SOURCE, {
      feature:
        "Dark mode cc @acme/everyone [Approve here](https://evil.example) ![](https://evil.example/p.png)",
    });
    const header = renderTrackingComment(state, NOW).split("\n")[1] ?? "";
    expect(header).toContain("cc @\u200Bacme/everyone");
    expect(header).toContain("\\[Approve here\\](https://evil.example)");
    // (The header is cut at 100 characters.)
    expect(header).toContain("\\!\\[\\](https://evil.example/p");
  });

  it("lets no untrusted text reference or close an issue, or show a credential", () => {
    const state = makeRun(DEFAULT_WORKFLOW_SOURCE, {
      feature: `Fixes #7, resolves acme/api#3 with ghp_${"a".repeat(36)}`,
    });
    const header = renderTrackingComment(state, NOW).split("\n")[1] ?? "";
    expect(header).toContain(
      "F\u200Bixes #\u200B7, r\u200Besolves acme/api#\u200B3 with ***",
    );
  });

  it("shows the issue's title, once the comment is on the pull request, as untrusted text", () => {
    const state = applyAll(
      makeRun(DEFAULT_WORKFLOW_SOURCE, {
        issue: {
          number: 42,
          title: `Dark mode](https://evil.example) <!-- ghp_${"b".repeat(36)}`,
          body: "",
          url: "https://github.com/acme/web/issues/42",
        },
      }),
      [on.start(), on.branchCreated(), on.pullRequestOpened(7)],
    ).state;
    state.tracking_comment_on = 7;
    const comment = renderTrackingComment(state, NOW);
    expect(comment).toContain(
      "Started from issue #42: [Dark mode\\](https://evil.example) &lt;\\!-- \\*\\*\\*](https://github.com/acme/web/issues/42).",
    );
    expect(comment.match(/<!--/g)).toHaveLength(1);
  });

  it("stays under GitHub's limit for a huge workflow", () => {
    const stages = Array.from({ length: 1_500 }, (_, i) => ({
      id: `stage_${i}`,
      name: `A rather long stage name number ${i}`,
      ...(i > 0 ? { depends_on: [`stage_${i - 1}`] } : {}),
    }));
    const state = startedRun({ stages }).state;
    const comment = renderTrackingComment(state, NOW);
    expect(comment.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
    expect(comment.split("\n")[0]).toBe(trackingMarker(RUN_ID));
    expect(comment).not.toContain("```mermaid");
    expect(comment).toContain("The workflow diagram is left out");
    expect(comment).toMatch(/\| … and [\d,]+ more stages \|/);
  });
});

describe("renderMovedComment", () => {
  it("points to the pull request", () => {
    const state = waiting([on.pullRequestOpened(7)]);
    expect(renderMovedComment(state)).toBe(
      `<!-- specwright:moved=${RUN_ID} -->\nSpecwright run \`${RUN_ID}\` continues on #7: its progress is tracked there.`,
    );
  });
});
