import { describe, expect, it } from "vitest";
import { checkWorkflow } from "../../../src/workflow/check-workflow.js";
import { defaultWorkflow } from "../../../src/workflow/default-workflow.js";
import {
  type ExecutionPlan,
  planWorkflow,
} from "../../../src/workflow/plan/plan-workflow.js";
import { renderPlanText } from "../../../src/workflow/plan/render-plan-text.js";
import { plan } from "../../support/plan.js";

function render(plan: ExecutionPlan): string[] {
  const text = renderPlanText(plan);
  expect(text.endsWith("\n")).toBe(true);
  return text.slice(0, -1).split("\n");
}

/** The lines of one stage block: from its `[id]` line to the next blank line. */
function stageBlock(lines: readonly string[], id: string): string[] {
  const start = lines.findIndex((line) => line.startsWith(`    [${id}] `));
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((line, i) => i > start && line === "");
  return lines.slice(start, end === -1 ? undefined : end);
}

/** Batch header lines, in order. */
function batchHeaders(lines: readonly string[]): string[] {
  return lines.filter((line) => /^ {2}Batch \d+/.test(line));
}

describe("renderPlanText: the default workflow", () => {
  const workflow = defaultWorkflow();
  const { graph } = checkWorkflow(workflow, ["workflow"]);
  const lines = render(planWorkflow({ workflow, graph, parameters: {} }));

  it("starts with the workflow, its description and parameters", () => {
    expect(lines.slice(0, 5)).toStrictEqual([
      "Workflow: Spec Kit",
      "specify → plan → tasks → analyze → implement, with approval before implement",
      "Parameters: (none)",
      "",
      "Execution plan:",
    ]);
  });

  it("has one header per batch, noting the gate and the order", () => {
    expect(batchHeaders(lines)).toStrictEqual([
      "  Batch 1:",
      "  Batch 2 (after batch 1):",
      "  Batch 3 (after batch 2):",
      "  Batch 4 (after batch 3):",
      "  Batch 5 (gate, after batch 4):",
    ]);
  });

  it("separates batches with a blank line", () => {
    for (const header of batchHeaders(lines).slice(1)) {
      expect(lines[lines.indexOf(header) - 1]).toBe("");
    }
  });

  it("details specify", () => {
    expect(stageBlock(lines, "specify")).toStrictEqual([
      "    [specify] Specify",
      "      Agent: claude",
      "      Skill: speckit, then the direct prompt if it fails",
      "      Outputs: spec (file specs/*/spec.md)",
      "      Limits: 30m per attempt, up to 2 attempts, on failure: halt",
    ]);
  });

  it("details plan's input", () => {
    expect(stageBlock(lines, "plan")).toContain(
      "      Inputs: spec ← ${{ stages.specify.outputs.spec }}",
    );
  });

  it("lists value outputs without a path", () => {
    expect(stageBlock(lines, "analyze")).toContain(
      "      Outputs: report (string), critical (number)",
    );
  });

  it("details implement's gate and its longer limit", () => {
    expect(stageBlock(lines, "implement")).toStrictEqual([
      "    [implement] Implement",
      "      Gate: needs approval by someone with write permission; after 7d without a decision it halts the run",
      "      Agent: claude",
      "      Skill: speckit, then the direct prompt if it fails",
      "      Inputs: tasks ← ${{ stages.tasks.outputs.tasks }}",
      "      Outputs: tasks (file ${{ run.spec_dir }}/tasks.md)",
      "      Limits: 1h per attempt, up to 2 attempts, on failure: halt",
    ]);
  });

  it("ends with the upper bound", () => {
    expect(lines.slice(-2)).toStrictEqual([
      "",
      "Upper bound: 3h of stage time limits across 5 batches (retries and approval waits not counted)",
    ]);
  });
});

describe("renderPlanText: a custom workflow", () => {
  const lines = render(
    plan(
      {
        name: "Custom",
        parameters: {
          deep: { type: "boolean" },
          mode: { type: "string" },
          count: { type: "number" },
          tags: { type: "array" },
        },
        stages: [
          { id: "specify", agent: { model: "opus", max_turns: 12 } },
          {
            id: "plan",
            name: "Plan deeply",
            depends_on: ["specify"],
            condition: "${{ parameters.deep }}",
            agent: { backend: "codex", model: "o3" },
            skill: "speckit",
            fallback: false,
          },
          {
            id: "tasks",
            depends_on: ["specify"],
            condition: "stages.specify.status == 'succeeded'",
            skill: "none",
            agent: { max_turns: 5 },
            error_policy: {
              timeout: "1h30m",
              retry: { max_attempts: 1 },
              on_failure: "skip_dependents",
            },
          },
          {
            id: "review",
            name: "Review",
            type: "gate",
            depends_on: ["plan", "tasks"],
            gate: {
              approvers: ["alice", "bob"],
              permission: "maintain",
              timeout: "2d",
              on_timeout: "approve",
            },
          },
          {
            id: "analyze",
            depends_on: ["plan", "tasks"],
            condition: "parameters.mode == 'full'",
          },
          {
            id: "implement",
            depends_on: ["review", "analyze"],
            gate: { timeout: "1d", on_timeout: "skip" },
          },
        ],
      },
      { deep: false, mode: "full", count: 3, tags: ["a", "b"] },
      { agent: { backend: "claude" } },
    ),
  );

  it("has no description line and shows parameter values", () => {
    expect(lines.slice(0, 4)).toStrictEqual([
      "Workflow: Custom",
      'Parameters: deep=false, mode=full, count=3, tags=["a","b"]',
      "",
      "Execution plan:",
    ]);
  });

  it("notes parallel, gate and conditional batches", () => {
    expect(batchHeaders(lines)).toStrictEqual([
      "  Batch 1:",
      "  Batch 2 (parallel, conditional, after batch 1):",
      "  Batch 3 (parallel, gate, after batch 2):",
      "  Batch 4 (gate, after batch 3):",
    ]);
  });

  it("separates stages within a batch with a blank line", () => {
    const header = lines.indexOf(
      "  Batch 2 (parallel, conditional, after batch 1):",
    );
    const plan = stageBlock(lines, "plan");
    expect(lines[header + 1]).toBe(plan[0]);
    expect(lines[header + 1 + plan.length]).toBe("");
    expect(lines[header + 2 + plan.length]).toBe("    [tasks] tasks");
  });

  it("marks a skipped stage and shows its condition's value", () => {
    expect(stageBlock(lines, "plan")).toStrictEqual([
      "    [plan] Plan deeply — skipped: its condition is false",
      "      Condition: ${{ parameters.deep }} (false)",
      "      Agent: codex (o3)",
      "      Skill: speckit, no fallback",
      "      Limits: 30m per attempt, up to 2 attempts, on failure: halt",
    ]);
  });

  it("shows a condition decided at run time, turns and one attempt", () => {
    expect(stageBlock(lines, "tasks")).toStrictEqual([
      "    [tasks] tasks",
      "      Condition: stages.specify.status == 'succeeded' (decided at run time)",
      "      Agent: claude (5 turns)",
      "      Skill: none: the direct prompt",
      "      Limits: 1h30m per attempt, up to 1 attempt, on failure: skip_dependents",
    ]);
  });

  it("shows a true condition and the model with turns", () => {
    expect(stageBlock(lines, "analyze")[1]).toBe(
      "      Condition: parameters.mode == 'full' (true)",
    );
    expect(stageBlock(lines, "specify")[1]).toBe(
      "      Agent: claude (opus, 12 turns)",
    );
  });

  it("describes a gate stage with approvers, and no agent or limits", () => {
    expect(stageBlock(lines, "review")).toStrictEqual([
      "    [review] Review",
      "      Gate: needs approval by alice, bob (with maintain permission); after 2d without a decision it approves itself",
    ]);
  });

  it("describes a gate that skips on timeout", () => {
    expect(stageBlock(lines, "implement")[1]).toBe(
      "      Gate: needs approval by someone with write permission; after 1d without a decision it skips the stage",
    );
  });

  it("bounds the run without the skipped stage and the gate", () => {
    // 30m (specify) + 1h30m (tasks; plan is skipped) + 30m (analyze) + 30m
    expect(lines.at(-1)).toBe(
      "Upper bound: 3h of stage time limits across 4 batches (retries and approval waits not counted)",
    );
  });
});

describe("renderPlanText: small cases", () => {
  it("says batch in the singular and counts minutes", () => {
    const lines = render(
      plan({
        name: "One",
        stages: [{ id: "specify", error_policy: { timeout: "45m" } }],
      }),
    );
    expect(lines.at(-1)).toBe(
      "Upper bound: 45m of stage time limits across 1 batch (retries and approval waits not counted)",
    );
  });

  it("notes conditional only when every stage of the batch has a condition", () => {
    const lines = render(
      plan(
        {
          parameters: { deep: { type: "boolean" } },
          stages: [
            { id: "specify" },
            { id: "plan", condition: "parameters.deep" },
          ],
        },
        { deep: true },
      ),
    );
    expect(batchHeaders(lines)).toStrictEqual(["  Batch 1 (parallel):"]);
  });

  it("shows a parameter without a value as null and objects as JSON", () => {
    const base = plan({ stages: [{ id: "specify" }] });
    const lines = render({
      ...base,
      parameters: { feature: null, options: { depth: 2 }, title: "a b" },
    });
    expect(lines[1]).toBe(
      'Parameters: feature=null, options={"depth":2}, title=a b',
    );
  });

  it("renders a hand-built plan with a gate-only workflow", () => {
    const lines = render({
      workflow: { name: "Gate only", description: "Waits" },
      parameters: {},
      batches: [["approve"]],
      stages: [
        {
          id: "approve",
          name: "Approve",
          type: "gate",
          batch: 1,
          depends_on: [],
          skipped: false,
          gate: { permission: "admin", timeout: "1h", on_timeout: "halt" },
          inputs: [],
          outputs: [],
          timeout: "30m",
          max_attempts: 2,
          on_failure: "halt",
        },
      ],
      upper_bound_ms: 0,
    });
    expect(lines).toStrictEqual([
      "Workflow: Gate only",
      "Waits",
      "Parameters: (none)",
      "",
      "Execution plan:",
      "  Batch 1 (gate):",
      "    [approve] Approve",
      "      Gate: needs approval by someone with admin permission; after 1h without a decision it halts the run",
      "",
      "Upper bound: 0ms of stage time limits across 1 batch (retries and approval waits not counted)",
    ]);
  });
});
