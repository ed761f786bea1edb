import { describe, expect, it } from "vitest";
import { checkWorkflow } from "../../../src/workflow/check-workflow.js";
import { defaultWorkflow } from "../../../src/workflow/default-workflow.js";
import {
  type ExecutionPlan,
  type PlannedStage,
  type PlanOptions,
  planWorkflow,
} from "../../../src/workflow/plan/plan-workflow.js";
import type { ParameterValues } from "../../../src/workflow/plan/resolve-parameters.js";
import { plan } from "../../support/plan.js";

function planned(result: ExecutionPlan, id: string): PlannedStage {
  const found = result.stages.find((stage) => stage.id === id);
  if (found === undefined) throw new Error(`no planned stage '${id}'`);
  return found;
}

const MINUTE = 60_000;

describe("planWorkflow: the default workflow", () => {
  const workflow = defaultWorkflow();
  const { graph, diagnostics } = checkWorkflow(workflow, ["workflow"]);
  const result = planWorkflow({ workflow, graph, parameters: {} });

  it("is valid", () => {
    expect(diagnostics).toStrictEqual([]);
  });

  it("runs five sequential batches", () => {
    expect(result.batches).toStrictEqual([
      ["specify"],
      ["plan"],
      ["tasks"],
      ["analyze"],
      ["implement"],
    ]);
    expect(result.stages.map((stage) => stage.batch)).toStrictEqual([
      1, 2, 3, 4, 5,
    ]);
  });

  it("names the workflow and echoes the parameters", () => {
    expect(result.workflow).toStrictEqual({
      name: "Spec Kit",
      description:
        "specify → plan → tasks → analyze → implement, with approval before implement",
    });
    expect(result.parameters).toStrictEqual({});
  });

  it("plans specify in full", () => {
    expect(planned(result, "specify")).toStrictEqual({
      id: "specify",
      name: "Specify",
      type: "agent",
      batch: 1,
      depends_on: [],
      skipped: false,
      agent: { backend: "claude" },
      skill: "speckit",
      fallback: true,
      inputs: [],
      outputs: [{ name: "spec", type: "file", path: "specs/*/spec.md" }],
      timeout: "30m",
      max_attempts: 2,
      on_failure: "halt",
    });
  });

  it("lists inputs and value outputs", () => {
    expect(planned(result, "plan").inputs).toStrictEqual([
      { name: "spec", source: "${{ stages.specify.outputs.spec }}" },
    ]);
    expect(planned(result, "analyze").outputs).toStrictEqual([
      { name: "report", type: "string" },
      { name: "critical", type: "number" },
    ]);
  });

  it("gates implement, which still runs an agent", () => {
    const implement = planned(result, "implement");
    expect(implement.gate).toStrictEqual({
      permission: "write",
      timeout: "7d",
      on_timeout: "halt",
      message:
        "Analyze reported ${{ stages.analyze.outputs.critical }} critical finding(s). Approve to run implement.",
    });
    expect(implement.type).toBe("agent");
    expect(implement.depends_on).toStrictEqual(["analyze"]);
    expect(implement.timeout).toBe("1h");
    expect(
      result.stages.filter((s) => s.gate !== undefined).map((s) => s.id),
    ).toStrictEqual(["implement"]);
  });

  it("bounds the run by four 30m stages and implement's 1h", () => {
    expect(result.upper_bound_ms).toBe(4 * 30 * MINUTE + 60 * MINUTE);
  });
});

describe("planWorkflow: a diamond", () => {
  const result = plan({
    name: "Diamond",
    stages: [
      { id: "specify" },
      { id: "plan", depends_on: ["specify"] },
      { id: "tasks", depends_on: ["specify"] },
      { id: "implement", depends_on: ["tasks", "plan"] },
    ],
  });

  it("fans out and back in", () => {
    expect(result.batches).toStrictEqual([
      ["specify"],
      ["plan", "tasks"],
      ["implement"],
    ]);
    expect(
      result.stages.map(({ id, batch, depends_on }) => ({
        id,
        batch,
        depends_on,
      })),
    ).toStrictEqual([
      { id: "specify", batch: 1, depends_on: [] },
      { id: "plan", batch: 2, depends_on: ["specify"] },
      { id: "tasks", batch: 2, depends_on: ["specify"] },
      { id: "implement", batch: 3, depends_on: ["tasks", "plan"] },
    ]);
  });

  it("has no description when the workflow has none", () => {
    expect(result.workflow).toStrictEqual({ name: "Diamond" });
  });

  it("counts the longest stage of each batch once", () => {
    expect(result.upper_bound_ms).toBe(3 * 30 * MINUTE);
  });
});

interface ConditionCase {
  name: string;
  condition: string;
  parameters: ParameterValues;
  value: boolean | null;
}

const conditionCases: ConditionCase[] = [
  {
    name: "a boolean parameter, true",
    condition: "${{ parameters.deep }}",
    parameters: { deep: true, mode: "full" },
    value: true,
  },
  {
    name: "a boolean parameter, false",
    condition: "${{ parameters.deep }}",
    parameters: { deep: false, mode: "full" },
    value: false,
  },
  {
    name: "a bare comparison, true",
    condition: "parameters.mode == 'full'",
    parameters: { deep: false, mode: "full" },
    value: true,
  },
  {
    name: "a bare comparison, false",
    condition: "parameters.mode == 'full'",
    parameters: { deep: false, mode: "fast" },
    value: false,
  },
  {
    name: "a parameter without a value is null, so false",
    condition: "${{ parameters.mode }}",
    parameters: { deep: false, mode: null },
    value: false,
  },
  {
    name: "env",
    condition: "${{ env.TARGET == 'prod' }}",
    parameters: { deep: false, mode: "full" },
    value: true,
  },
  {
    name: "workflow",
    condition: "${{ startsWith(workflow.name, 'Cond') }}",
    parameters: { deep: false, mode: "full" },
    value: true,
  },
  {
    name: "a literal false",
    condition: "false",
    parameters: { deep: true, mode: "full" },
    value: false,
  },
  {
    name: "another stage's status",
    condition: "${{ stages.specify.status == 'succeeded' }}",
    parameters: { deep: true, mode: "full" },
    value: null,
  },
  {
    name: "another stage's output",
    condition: "${{ stages.specify.outputs.count > 0 }}",
    parameters: { deep: true, mode: "full" },
    value: null,
  },
  {
    name: "the run",
    condition: "${{ run.branch != 'main' }}",
    parameters: { deep: true, mode: "full" },
    value: null,
  },
  {
    name: "parameters and stages together",
    condition: "${{ parameters.deep && stages.specify.outputs.count > 0 }}",
    parameters: { deep: false, mode: "full" },
    value: null,
  },
  {
    name: "an expression that fails at plan time",
    condition: "${{ fromJSON(parameters.mode) }}",
    parameters: { deep: true, mode: "full" },
    value: null,
  },
];

describe("planWorkflow: conditions", () => {
  it.each(conditionCases)(
    "$name → $value",
    ({ condition, parameters, value }) => {
      const result = plan(
        {
          name: "Conditional",
          parameters: {
            deep: { type: "boolean" },
            mode: { type: "string" },
          },
          env: { TARGET: "prod" },
          stages: [
            { id: "specify", outputs: { count: { type: "number" } } },
            { id: "plan", depends_on: ["specify"], condition },
          ],
        },
        parameters,
      );
      const stage = planned(result, "plan");
      expect(stage.condition).toStrictEqual({ expression: condition, value });
      expect(stage.skipped).toBe(value === false);
      expect(result.parameters).toStrictEqual(parameters);
      expect(planned(result, "specify").condition).toBeUndefined();
    },
  );

  it("keeps a skipped stage in its batch", () => {
    const result = plan(
      {
        parameters: { deep: { type: "boolean" } },
        stages: [
          { id: "specify" },
          { id: "plan", depends_on: ["specify"], condition: "parameters.deep" },
          { id: "tasks", depends_on: ["plan"] },
        ],
      },
      { deep: false },
    );
    expect(result.batches).toStrictEqual([["specify"], ["plan"], ["tasks"]]);
    expect(result.stages.map((s) => s.skipped)).toStrictEqual([
      false,
      true,
      false,
    ]);
  });
});

type AgentOption = NonNullable<PlanOptions["agent"]>;

interface AgentCase {
  name: string;
  stageAgent?: Record<string, unknown>;
  option?: AgentOption;
  expected: PlannedStage["agent"];
}

const agentCases: AgentCase[] = [
  {
    name: "claude by default",
    expected: { backend: "claude" },
  },
  {
    name: "the agent option",
    option: { backend: "codex", model: "o3", max_turns: 12 },
    expected: { backend: "codex", model: "o3", max_turns: 12 },
  },
  {
    name: "the stage's backend over the default",
    stageAgent: { backend: "gemini" },
    expected: { backend: "gemini" },
  },
  {
    name: "the stage's backend over the option's",
    stageAgent: { backend: "command" },
    option: { backend: "codex" },
    expected: { backend: "command" },
  },
  {
    name: "the stage's model and turns over the option's, same backend",
    stageAgent: { model: "opus", max_turns: 3 },
    option: { backend: "claude", model: "sonnet", max_turns: 40 },
    expected: { backend: "claude", model: "opus", max_turns: 3 },
  },
  {
    name: "the option fills what the stage leaves out",
    stageAgent: { max_turns: 5 },
    option: { backend: "codex", model: "o3" },
    expected: { backend: "codex", model: "o3", max_turns: 5 },
  },
  {
    name: "a stage model without an option",
    stageAgent: { model: "opus" },
    expected: { backend: "claude", model: "opus" },
  },
];

describe("planWorkflow: agents", () => {
  it.each(agentCases)("$name", ({ stageAgent, option, expected }) => {
    const result = plan(
      {
        stages: [
          stageAgent === undefined
            ? { id: "specify" }
            : { id: "specify", agent: stageAgent },
        ],
      },
      {},
      option === undefined ? {} : { agent: option },
    );
    expect(planned(result, "specify").agent).toStrictEqual(expected);
  });

  it("gives a gate stage no agent, skill or fallback", () => {
    const result = plan(
      {
        stages: [
          { id: "specify" },
          { id: "review", type: "gate", depends_on: ["specify"] },
        ],
      },
      {},
      { agent: { backend: "codex" }, fallback: true },
    );
    const review = planned(result, "review");
    expect(review).toStrictEqual({
      id: "review",
      name: "review",
      type: "gate",
      batch: 2,
      depends_on: ["specify"],
      skipped: false,
      gate: { permission: "write", timeout: "7d", on_timeout: "halt" },
      inputs: [],
      outputs: [],
      timeout: "30m",
      max_attempts: 2,
      on_failure: "halt",
    });
  });
});

interface SkillCase {
  name: string;
  stage: Record<string, unknown>;
  fallbackOption?: boolean;
  skill: string;
  fallback: boolean;
}

const skillCases: SkillCase[] = [
  {
    name: "a skill falls back by default",
    stage: { skill: "speckit" },
    skill: "speckit",
    fallback: true,
  },
  {
    name: "the repository can turn fallback off",
    stage: { skill: "speckit" },
    fallbackOption: false,
    skill: "speckit",
    fallback: false,
  },
  {
    name: "the stage's fallback over the repository's",
    stage: { skill: "speckit", fallback: true },
    fallbackOption: false,
    skill: "speckit",
    fallback: true,
  },
  {
    name: "the stage can turn fallback off",
    stage: { skill: "speckit", fallback: false },
    fallbackOption: true,
    skill: "speckit",
    fallback: false,
  },
  {
    name: "no skill runs the direct prompt, with nothing to fall back to",
    stage: {},
    fallbackOption: true,
    skill: "none",
    fallback: false,
  },
  {
    name: "skill none is the direct prompt too",
    stage: { skill: "none" },
    fallbackOption: true,
    skill: "none",
    fallback: false,
  },
];

describe("planWorkflow: skills", () => {
  it.each(skillCases)("$name", ({ stage, fallbackOption, skill, fallback }) => {
    const result = plan(
      { stages: [{ id: "specify", ...stage }] },
      {},
      fallbackOption === undefined ? {} : { fallback: fallbackOption },
    );
    const specify = planned(result, "specify");
    expect(specify.skill).toBe(skill);
    expect(specify.fallback).toBe(fallback);
  });
});

interface BoundCase {
  name: string;
  stages: Record<string, unknown>[];
  parameters?: ParameterValues;
  upper_bound_ms: number;
}

const boundCases: BoundCase[] = [
  {
    name: "one stage with the default timeout",
    stages: [{ id: "specify" }],
    upper_bound_ms: 30 * MINUTE,
  },
  {
    name: "the longest stage of a parallel batch",
    stages: [
      { id: "specify", error_policy: { timeout: "10m" } },
      { id: "plan", error_policy: { timeout: "1h30m" } },
      { id: "tasks", depends_on: ["specify", "plan"] },
    ],
    upper_bound_ms: 90 * MINUTE + 30 * MINUTE,
  },
  {
    name: "a gate stage counts nothing, however long it may wait",
    stages: [
      { id: "specify", error_policy: { timeout: "5m" } },
      {
        id: "review",
        type: "gate",
        depends_on: ["specify"],
        gate: { timeout: "2d" },
      },
      {
        id: "plan",
        depends_on: ["review"],
        error_policy: { timeout: "15m" },
      },
    ],
    upper_bound_ms: 20 * MINUTE,
  },
  {
    name: "a stage skipped by its condition counts nothing",
    stages: [
      { id: "specify", error_policy: { timeout: "10m" } },
      {
        id: "plan",
        condition: "parameters.deep",
        error_policy: { timeout: "2h" },
      },
    ],
    parameters: { deep: false },
    upper_bound_ms: 10 * MINUTE,
  },
  {
    name: "a stage whose condition holds counts",
    stages: [
      { id: "specify", error_policy: { timeout: "10m" } },
      {
        id: "plan",
        condition: "parameters.deep",
        error_policy: { timeout: "2h" },
      },
    ],
    parameters: { deep: true },
    upper_bound_ms: 120 * MINUTE,
  },
  {
    name: "a stage decided at run time counts",
    stages: [
      { id: "specify", error_policy: { timeout: "10m" } },
      {
        id: "plan",
        depends_on: ["specify"],
        condition: "stages.specify.status == 'succeeded'",
        error_policy: { timeout: "45s" },
      },
    ],
    upper_bound_ms: 10 * MINUTE + 45_000,
  },
  {
    name: "an agent stage with a gate counts its timeout",
    stages: [
      {
        id: "implement",
        gate: { timeout: "7d" },
        error_policy: { timeout: "3h" },
      },
    ],
    upper_bound_ms: 180 * MINUTE,
  },
  {
    name: "retries are not counted",
    stages: [
      {
        id: "specify",
        error_policy: { timeout: "10m", retry: { max_attempts: 5 } },
      },
    ],
    upper_bound_ms: 10 * MINUTE,
  },
  {
    name: "a batch of only skipped and gate stages adds nothing",
    stages: [
      { id: "specify", error_policy: { timeout: "1m" } },
      {
        id: "plan",
        depends_on: ["specify"],
        condition: "false",
        error_policy: { timeout: "1h" },
      },
      { id: "review", type: "gate", depends_on: ["specify"] },
      { id: "tasks", depends_on: ["plan", "review"] },
    ],
    upper_bound_ms: 1 * MINUTE + 30 * MINUTE,
  },
];

describe("planWorkflow: upper bound", () => {
  it.each(boundCases)("$name", ({ stages, parameters, upper_bound_ms }) => {
    const result = plan(
      { parameters: { deep: { type: "boolean" } }, stages },
      parameters ?? { deep: null },
    );
    expect(result.upper_bound_ms).toBe(upper_bound_ms);
  });
});

describe("planWorkflow: stage details", () => {
  it("lists inputs, outputs and the error policy", () => {
    const result = plan({
      parameters: { feature: { type: "string", default: "x" } },
      stages: [
        {
          id: "specify",
          name: "Write the spec",
          inputs: {
            feature: "${{ parameters.feature }}",
            note: {
              source: "Feature ${{ parameters.feature }}",
              type: "string",
            },
          },
          outputs: {
            spec: { type: "file", path: "specs/spec.md" },
            count: { type: "number" },
          },
          error_policy: {
            timeout: "20m",
            retry: { max_attempts: 1 },
            on_failure: "continue",
          },
        },
      ],
    });
    const specify = planned(result, "specify");
    expect(specify.name).toBe("Write the spec");
    expect(specify.inputs).toStrictEqual([
      { name: "feature", source: "${{ parameters.feature }}" },
      { name: "note", source: "Feature ${{ parameters.feature }}" },
    ]);
    expect(specify.outputs).toStrictEqual([
      { name: "spec", type: "file", path: "specs/spec.md" },
      { name: "count", type: "number" },
    ]);
    expect(specify.timeout).toBe("20m");
    expect(specify.max_attempts).toBe(1);
    expect(specify.on_failure).toBe("continue");
  });
});
