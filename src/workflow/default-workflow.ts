import { Workflow } from "./schema.js";

/**
 * The built-in workflow, used when `.github/specwright.yml` has no
 * `workflow:`. Spec Kit's stages in order; `implement` waits for approval
 * (the `specwright:implement` label, `/implement` or `/approve`). Expected
 * outputs follow Spec Kit: `specify` creates `specs/<feature>/spec.md`, later
 * stages write beside it, `analyze` only reports.
 */
export const DEFAULT_WORKFLOW_SOURCE = {
  name: "Spec Kit",
  description:
    "specify → plan → tasks → analyze → implement, with approval before implement",
  stages: [
    {
      id: "specify",
      name: "Specify",
      skill: "speckit",
      outputs: {
        spec: {
          type: "file",
          path: "specs/*/spec.md",
          must_change: true,
          description: "The feature specification",
        },
      },
    },
    {
      id: "plan",
      name: "Plan",
      depends_on: ["specify"],
      skill: "speckit",
      inputs: { spec: "${{ stages.specify.outputs.spec }}" },
      outputs: {
        plan: {
          type: "file",
          path: "${{ run.spec_dir }}/plan.md",
          must_change: true,
          description: "The implementation plan",
        },
      },
    },
    {
      id: "tasks",
      name: "Tasks",
      depends_on: ["plan"],
      skill: "speckit",
      inputs: { plan: "${{ stages.plan.outputs.plan }}" },
      outputs: {
        tasks: {
          type: "file",
          path: "${{ run.spec_dir }}/tasks.md",
          must_change: true,
          description: "The task list",
        },
      },
    },
    {
      id: "analyze",
      name: "Analyze",
      depends_on: ["tasks"],
      skill: "speckit",
      outputs: {
        report: {
          type: "string",
          description: "The consistency report (a findings table)",
        },
        critical: {
          type: "number",
          description: "How many findings are CRITICAL",
        },
      },
    },
    {
      id: "implement",
      name: "Implement",
      depends_on: ["analyze"],
      skill: "speckit",
      inputs: { tasks: "${{ stages.tasks.outputs.tasks }}" },
      gate: {
        permission: "write",
        message:
          "Analyze reported ${{ stages.analyze.outputs.critical }} critical finding(s). Approve to run implement.",
      },
      error_policy: { timeout: "1h" },
      outputs: {
        tasks: {
          type: "file",
          path: "${{ run.spec_dir }}/tasks.md",
          must_change: true,
          description: "The task list, with completed tasks ticked",
        },
      },
    },
  ],
};

/** The built-in workflow, with every default applied. */
export function defaultWorkflow(): Workflow {
  return Workflow.parse(DEFAULT_WORKFLOW_SOURCE);
}
