import { describe, expect, it } from "vitest";
import { checkWorkflow } from "../../src/workflow/check-workflow.js";
import { defaultWorkflow } from "../../src/workflow/default-workflow.js";
import { stageGate } from "../../src/workflow/schema.js";

describe("the default workflow", () => {
  const workflow = defaultWorkflow();

  it("passes every check", () => {
    expect(checkWorkflow(workflow, ["workflow"]).diagnostics).toEqual([]);
  });

  it("runs Spec Kit's stages in order, each through the speckit skill", () => {
    expect(workflow.stages.map((s) => [s.id, s.depends_on, s.skill])).toEqual([
      ["specify", [], "speckit"],
      ["plan", ["specify"], "speckit"],
      ["tasks", ["plan"], "speckit"],
      ["analyze", ["tasks"], "speckit"],
      ["implement", ["analyze"], "speckit"],
    ]);
  });

  it("waits for approval before implement, and only there", () => {
    expect(
      workflow.stages.filter((s) => stageGate(s)).map((s) => s.id),
    ).toEqual(["implement"]);
    const implement = workflow.stages.find((s) => s.id === "implement");
    expect(implement && stageGate(implement)).toMatchObject({
      permission: "write",
      timeout: "7d",
      on_timeout: "halt",
    });
  });

  it("expects Spec Kit's files, and analyze's findings as values", () => {
    const outputs = Object.fromEntries(
      workflow.stages.map((s) => [s.id, s.outputs]),
    );
    expect(outputs.specify?.spec).toMatchObject({
      type: "file",
      path: "specs/*/spec.md",
      must_change: true,
    });
    expect(outputs.plan?.plan).toMatchObject({
      type: "file",
      path: "${{ run.spec_dir }}/plan.md",
    });
    expect(outputs.tasks?.tasks).toMatchObject({
      type: "file",
      path: "${{ run.spec_dir }}/tasks.md",
    });
    expect(outputs.analyze).toMatchObject({
      report: { type: "string" },
      critical: { type: "number" },
    });
    expect(outputs.implement?.tasks).toMatchObject({
      type: "file",
      must_change: true,
    });
  });

  it("is a fresh copy each time", () => {
    const first = defaultWorkflow();
    first.stages.pop();
    expect(defaultWorkflow().stages).toHaveLength(5);
  });
});
