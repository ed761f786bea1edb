import { describe, expect, it } from "vitest";
import { checkWorkflow } from "../../src/workflow/check-workflow.js";
import { formatPath } from "../../src/workflow/diagnostic.js";
import { Workflow } from "../../src/workflow/schema.js";
import type { SkillInfo } from "../../src/workflow/skills.js";

type Raw = Record<string, unknown>;

/** The problems `checkWorkflow` finds, as `path: message` (offset if any). */
function problems(raw: Raw, skills?: SkillInfo[]): string[] {
  const workflow = Workflow.parse(raw);
  const options =
    skills === undefined
      ? {}
      : { skills: new Map(skills.map((skill) => [skill.id, skill])) };
  return checkWorkflow(workflow, ["workflow"], options).diagnostics.map(
    (d) =>
      `${formatPath(d.path)}${d.offset === undefined ? "" : `@${d.offset}`}${d.target === "key" ? " (key)" : ""}: ${d.message}`,
  );
}

const stages = (...list: Raw[]): Raw => ({ stages: list });

describe("checkWorkflow", () => {
  it("accepts a workflow that reads its dependencies' outputs", () => {
    expect(
      problems({
        parameters: { depth: { type: "number", default: 2 } },
        env: { TARGET: "web" },
        stages: [
          {
            id: "specify",
            outputs: { spec: { type: "file", path: "specs/*/spec.md" } },
          },
          {
            id: "plan",
            depends_on: ["specify"],
            condition: "${{ parameters.depth > 1 && env.TARGET == 'web' }}",
            inputs: {
              spec: {
                type: "string",
                source: "${{ stages.specify.outputs.spec }}",
              },
            },
            outputs: {
              plan: { type: "file", path: "${{ run.spec_dir }}/plan.md" },
            },
          },
          {
            id: "tasks",
            depends_on: ["plan"],
            condition: "stages.specify.status == 'succeeded'",
            prompt: "Tasks for {{ feature }} from {{ inputs.plan }}",
            inputs: { plan: "${{ stages.plan.outputs.plan }}" },
          },
        ],
      }),
    ).toEqual([]);
  });

  it.each<[string, Raw, string[]]>([
    [
      "a parameter default of the wrong type",
      {
        parameters: { n: { type: "number", default: "3" } },
        ...stages({ id: "plan" }),
      },
      ["workflow.parameters.n.default: default must be a number, not string"],
    ],
    [
      "enum values of the wrong type and a default outside the enum",
      {
        parameters: {
          mode: { type: "string", enum: ["fast", 2], default: "slow" },
        },
        ...stages({ id: "plan" }),
      },
      [
        "workflow.parameters.mode.enum[1]: enum values must be strings, not number",
        'workflow.parameters.mode.default: default "slow" is not one of enum ["fast",2]',
      ],
    ],
    [
      "an invalid environment variable name",
      { env: { "MY-VAR": "x" }, ...stages({ id: "plan" }) },
      [
        "workflow.env.MY-VAR (key): 'MY-VAR' is not a valid environment variable name (letters, digits and '_', not starting with a digit)",
      ],
    ],
    [
      "a stage reading itself",
      stages({
        id: "plan",
        outputs: { plan: { type: "string" } },
        condition: "${{ stages.plan.outputs.plan }}",
      }),
      [
        "workflow.stages[0].condition@11: stage 'plan' cannot read its own outputs or status",
      ],
    ],
    [
      "a stage reading a stage that is not a dependency",
      stages(
        { id: "specify", outputs: { spec: { type: "string" } } },
        { id: "plan", inputs: { spec: "${{ stages.specify.outputs.spec }}" } },
      ),
      [
        "workflow.stages[1].inputs.spec.source@11: stage 'specify' is not a dependency of 'plan': add it to depends_on to read it",
      ],
    ],
    [
      "an input whose source has another type",
      {
        parameters: { count: { type: "number" } },
        ...stages({
          id: "plan",
          inputs: { n: { type: "string", source: "${{ parameters.count }}" } },
        }),
      },
      [
        "workflow.stages[0].inputs.n: input 'n' is declared string, but its source is a number",
      ],
    ],
    [
      "text mixed with expressions given to an array input",
      stages({
        id: "plan",
        inputs: { list: { type: "array", source: "a ${{ run.id }}" } },
      }),
      [
        "workflow.stages[0].inputs.list: input 'list' is declared array, but its source is a string",
      ],
    ],
    [
      "a broken expression",
      stages({ id: "plan", condition: "${{ run.id == }}" }),
      [
        "workflow.stages[0].condition@14: unexpected end of expression: expected a value",
      ],
    ],
    [
      "a condition mixing text and an expression",
      stages({ id: "plan", condition: "yes ${{ run.id }}" }),
      [
        "workflow.stages[0].condition@0: a condition that mixes text with ${{ }} is always true: put the whole condition inside one ${{ }}",
      ],
    ],
    [
      "a file output without a path",
      stages({ id: "plan", outputs: { plan: { type: "file" } } }),
      [
        "workflow.stages[0].outputs.plan: file output 'plan' needs a path (the file or glob the stage must produce)",
      ],
    ],
    [
      "file output paths outside the repository",
      stages({
        id: "plan",
        outputs: {
          a: { type: "file", path: "/etc/passwd" },
          b: { type: "file", path: "specs/../../x" },
          c: { type: "file", path: ".git/config" },
        },
      }),
      [
        "workflow.stages[0].outputs.a.path: path must be relative to the repository root, without '..'",
        "workflow.stages[0].outputs.b.path: path must be relative to the repository root, without '..'",
        "workflow.stages[0].outputs.c.path: path must not be inside .git/",
      ],
    ],
    [
      "path and must_change on a value output",
      stages({
        id: "plan",
        outputs: { n: { type: "number", path: "x", must_change: true } },
      }),
      [
        "workflow.stages[0].outputs.n.path: path is only for file outputs; 'n' is a number",
        "workflow.stages[0].outputs.n.must_change: must_change is only for file outputs; 'n' is a number",
      ],
    ],
    [
      "an expression error in an output path",
      stages({
        id: "plan",
        outputs: { p: { type: "file", path: "${{ run.specdir }}/plan.md" } },
      }),
      [
        "workflow.stages[0].outputs.p.path@8: run has no field 'specdir' (did you mean 'spec_dir'?); fields: id, feature, issue, repository, branch, base_branch, spec_dir, actor, started_at",
      ],
    ],
    [
      "expression errors in a gate message and agent settings",
      stages({
        id: "implement",
        gate: { message: "${{ parameters.x }}" },
        agent: {
          model: "${{ env.MODEL }}",
          args: ["--effort", "${{ parameter.e }}"],
        },
      }),
      [
        "workflow.stages[0].gate.message@15: undeclared parameter 'x'; the workflow declares no parameters",
        "workflow.stages[0].agent.model@8: env.MODEL is not declared in workflow.env",
        "workflow.stages[0].agent.args[1]@4: unknown name 'parameter' (did you mean 'parameters'?); expressions can read parameters, stages, run, workflow, env",
      ],
    ],
    [
      "a gate stage with agent settings and outputs",
      stages({
        id: "approval",
        type: "gate",
        skill: "speckit",
        prompt: "x",
        outputs: { ok: { type: "boolean" } },
      }),
      [
        "workflow.stages[0].skill: a gate stage runs no agent: remove 'skill' (or make it type: agent with a gate:)",
        "workflow.stages[0].prompt: a gate stage runs no agent: remove 'prompt' (or make it type: agent with a gate:)",
        "workflow.stages[0].outputs: a gate stage produces no outputs",
      ],
    ],
    [
      "a custom stage with neither skill nor prompt",
      stages({ id: "review" }),
      [
        "workflow.stages[0].id: stage 'review' needs a skill or a prompt: the bundled prompts cover specify, plan, tasks, analyze, implement",
      ],
    ],
    [
      "an unknown skill",
      stages({ id: "plan", skill: "speckitt" }),
      [
        "workflow.stages[0].skill: unknown skill 'speckitt' (did you mean 'speckit'?); known skills: speckit (add others under skills.catalog)",
      ],
    ],
    [
      "a prompt problem",
      stages({
        id: "plan",
        prompt: "Use ${{ parameters.x }} and {{ isue.title }}",
      }),
      [
        "workflow.stages[0].prompt@4: prompts are Handlebars templates: write {{ inputs.name }}, not ${{ … }}",
        "workflow.stages[0].prompt@8: prompt reads parameters.x, which is not declared",
        "workflow.stages[0].prompt@31: prompt reads unknown name 'isue' (did you mean 'issue'?); prompts can read feature, issue, stage, inputs, parameters, outputs, run",
      ],
    ],
  ])("reports %s", (_, raw, expected) => {
    expect(problems(raw)).toEqual(expected);
  });

  // Spec Kit adds commands between releases; the stage runner reads what
  // the repository's layout has (converge and taskstoissues are in 1.0's).
  it.each(["converge", "taskstoissues", "review"])(
    "accepts Spec Kit's skill for a stage '%s' its layout may have",
    (id) => {
      expect(
        problems(stages({ id, skill: "speckit", prompt: "Do it." })),
      ).toEqual([]);
    },
  );

  describe("skills from the catalog", () => {
    const review: SkillInfo = {
      id: "review",
      supported_stages: ["review"],
      allowlisted: true,
      is_speckit: false,
    };

    it("accepts an allowlisted skill for a stage it supports", () => {
      expect(
        problems(stages({ id: "review", skill: "review", fallback: false }), [
          review,
        ]),
      ).toEqual([]);
    });

    it("refuses a skill that is not allowlisted", () => {
      expect(
        problems(stages({ id: "review", skill: "review", prompt: "x" }), [
          { ...review, allowlisted: false },
        ]),
      ).toEqual([
        "workflow.stages[0].skill: skill 'review' is not allowlisted (skills.catalog[].allowlisted)",
      ]);
    });

    it("refuses a fallback without a prompt", () => {
      expect(
        problems(stages({ id: "review", skill: "review", fallback: true }), [
          review,
        ]),
      ).toEqual([
        "workflow.stages[0].fallback: fallback needs a prompt: stage 'review' has none and the bundled prompts cover specify, plan, tasks, analyze, implement",
      ]);
    });

    it("skips skill checks when the catalog could not be read", () => {
      const workflow = Workflow.parse(
        stages({ id: "review", skill: "review" }),
      );
      expect(
        checkWorkflow(workflow, ["workflow"], { checkSkills: false })
          .diagnostics,
      ).toEqual([]);
    });
  });
});
