import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/engine/events.js";
import type { RunState } from "../../src/engine/run-state.js";
import {
  APPROVE_ACTION,
  REJECT_ACTION,
  renderGateCheckRun,
} from "../../src/github/render-gate-check-run.js";
import {
  applyAll,
  at,
  finishStage,
  on,
  RUN_ID,
  stageOf,
  startedRun,
  succeeded,
} from "../engine/fixtures.js";

const NOW = new Date(at(10));

type OnTimeout = "halt" | "approve" | "skip";

function workflow(options: {
  type?: "gate";
  name?: string;
  on_timeout?: OnTimeout;
}) {
  return {
    stages: [
      { id: "a" },
      {
        id: "g",
        name: options.name ?? "Deploy",
        ...(options.type ? { type: options.type } : {}),
        depends_on: ["a"],
        gate: {
          timeout: "1h",
          on_timeout: options.on_timeout ?? "halt",
          message: "Deploy ${{ run.branch }}?",
        },
      },
      { id: "z", depends_on: ["g"] },
    ],
  };
}

/** `g` waits for approval since at(5); then `events`. */
function gate(
  options: Parameters<typeof workflow>[0] = {},
  events: RunEvent[] = [],
): RunState {
  const waiting = finishStage(
    startedRun(workflow(options)).state,
    "a",
    succeeded(),
  ).state;
  return applyAll(waiting, events).state;
}

function render(state: RunState, now = NOW) {
  return renderGateCheckRun(state, stageOf(state, "g"), now);
}

describe("renderGateCheckRun while the gate waits", () => {
  it("asks for a decision with Approve and Reject buttons", () => {
    const fields = render(gate({}, [on.pullRequestOpened(7)]));
    expect(fields).toStrictEqual({
      name: "Specwright: Deploy (approval)",
      status: "completed",
      conclusion: "action_required",
      completed_at: NOW.toISOString(),
      details_url: "https://github.com/acme/web/pull/7",
      output: {
        title: "Deploy is waiting for approval",
        summary: expect.any(String),
      },
      actions: [
        {
          label: "Approve",
          description: "Run Deploy",
          identifier: APPROVE_ACTION,
        },
        {
          label: "Reject",
          description: "Stop the run at Deploy",
          identifier: REJECT_ACTION,
        },
      ],
    });
    expect(fields.output.summary.split("\n")).toStrictEqual([
      "### ✋ Deploy is waiting for approval before it runs",
      "",
      "> Deploy speckit/20250102/k3x9?",
      "",
      "| | |",
      "| --- | --- |",
      "| Who may approve | anyone with write permission on the repository |",
      "| Waiting since | 2025-01-02 03:05 UTC |",
      `| Run | \`${RUN_ID}\`, requested by @octocat |`,
      "",
      "To go on, comment `/approve g` or press **Approve** above. To stop the run, comment `/reject g <reason>` or press **Reject**.",
      "",
      "If nobody decides by 2025-01-02 04:05 UTC, the run stops.",
    ]);
  });

  it("links the issue before there is a pull request", () => {
    expect(render(gate()).details_url).toBe(
      "https://github.com/acme/web/issues/42",
    );
  });

  it("words a pure approval stage as the run going on", () => {
    const fields = render(gate({ type: "gate", name: "Design review" }));
    expect(fields.actions[0]?.description).toBe(
      "Approve Design review; the run goes on",
    );
    expect(fields.output.summary).toMatch(
      /^### ✋ Design review is waiting for approval\n/,
    );
  });

  it("keeps the buttons' text within GitHub's limits", () => {
    const fields = render(gate({ name: "A very long stage name indeed" }));
    for (const action of fields.actions) {
      expect(action.label.length).toBeLessThanOrEqual(20);
      expect(action.description.length).toBeLessThanOrEqual(40);
      expect(action.identifier.length).toBeLessThanOrEqual(20);
    }
    expect(fields.actions[1]?.description).toBe(
      "Stop the run at A very long stage name …",
    );
  });
});

describe("renderGateCheckRun after the decision", () => {
  const approve: RunEvent = {
    type: "approve",
    stage: "g",
    by: "lead",
    at: at(8),
  };
  const reject: RunEvent = {
    type: "reject",
    stage: "g",
    by: "lead",
    reason: "not this week",
    at: at(8),
  };
  const cancel: RunEvent = { type: "cancel", by: "lead", at: at(8) };
  const late: RunEvent = { type: "tick", at: at(70) };

  it.each([
    {
      what: "approved",
      events: [approve],
      on_timeout: "halt" as const,
      conclusion: "success",
      title: "Deploy: approved by @lead",
    },
    {
      what: "rejected",
      events: [reject],
      on_timeout: "halt" as const,
      conclusion: "failure",
      // The reason is kept text that holds the rejecter's words: untrusted,
      // so no mention in it (the App's own "approved by" above keeps one).
      title: "Deploy: rejected by @\u200Blead: not this week",
    },
    {
      what: "approved on time-out",
      events: [late],
      on_timeout: "approve" as const,
      conclusion: "success",
      title:
        "Deploy: approved because nobody decided within 1h (`on_timeout: approve`)",
    },
    {
      what: "timed out",
      events: [late],
      on_timeout: "halt" as const,
      conclusion: "timed_out",
      title: "Deploy: not approved: nobody approved within 1h; the run stopped",
    },
    {
      what: "skipped on time-out",
      events: [late],
      on_timeout: "skip" as const,
      conclusion: "skipped",
      title: "Deploy: skipped: nobody approved within 1h",
    },
    {
      what: "cancelled with the run",
      events: [cancel],
      on_timeout: "halt" as const,
      conclusion: "cancelled",
      title: "Deploy: no decision: Cancelled by @\u200Blead",
    },
  ])("shows a gate $what, without buttons", (c) => {
    const fields = render(gate({ on_timeout: c.on_timeout }, c.events));
    expect(fields).toMatchObject({
      name: "Specwright: Deploy (approval)",
      conclusion: c.conclusion,
      output: { title: c.title },
      actions: [],
    });
    expect(fields.output.summary.split("\n")[0]).toContain(
      c.title.replace(/^Deploy: /, ""),
    );
  });
});

describe("renderGateCheckRun and untrusted text", () => {
  it("shows a rejecter's reason without its mentions, references, closing keywords or HTML", () => {
    const fields = render(
      gate({}, [
        {
          type: "reject",
          stage: "g",
          by: "lead",
          reason: "Fixes #7 for @acme/admins <!-- hidden",
          at: at(8),
        },
      ]),
    );
    for (const text of [fields.output.title, fields.output.summary]) {
      expect(text).not.toMatch(/Fixes #7|@acme|<!--/);
      expect(text).toContain("F\u200Bixes #\u200B7 for @\u200Bacme/admins");
    }
  });

  it("fills a gate's message with a stage's outputs as untrusted text, and keeps the workflow's own words", () => {
    const source = {
      stages: [
        { id: "a", outputs: { note: { type: "string" } } },
        {
          id: "g",
          depends_on: ["a"],
          gate: {
            message: "@acme/reviewers: ${{ stages.a.outputs.note }}",
          },
        },
      ],
    };
    const waiting = finishStage(
      startedRun(source).state,
      "a",
      succeeded({
        outputs: { note: "closes #3, cc @acme/admins </details><img src=x>" },
      }),
    ).state;
    const { summary } = renderGateCheckRun(
      waiting,
      stageOf(waiting, "g"),
      NOW,
    ).output;
    expect(summary).toContain("> @acme/reviewers: c\u200Bloses #\u200B3");
    expect(summary).toContain(
      "cc @\u200Bacme/admins <\u200B/details><\u200Bimg",
    );
  });
});
