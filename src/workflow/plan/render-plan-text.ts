import { formatDuration } from "../duration.js";
import type { ExecutionPlan, PlannedStage } from "./plan-workflow.js";

function formatValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function describeGate(stage: PlannedStage): string | undefined {
  const gate = stage.gate;
  if (gate === undefined) return undefined;
  const who =
    gate.approvers === undefined
      ? `someone with ${gate.permission} permission`
      : `${gate.approvers.join(", ")} (with ${gate.permission} permission)`;
  const then = {
    halt: "halts the run",
    approve: "approves itself",
    skip: "skips the stage",
  }[gate.on_timeout];
  return `needs approval by ${who}; after ${gate.timeout} without a decision it ${then}`;
}

function stageLines(stage: PlannedStage): string[] {
  const lines = [
    `[${stage.id}] ${stage.name}${stage.skipped ? " — skipped: its condition is false" : ""}`,
  ];
  const detail = (label: string, text: string) =>
    lines.push(`  ${label}: ${text}`);
  if (stage.condition !== undefined) {
    const when =
      stage.condition.value === null
        ? "decided at run time"
        : stage.condition.value
          ? "true"
          : "false";
    detail("Condition", `${stage.condition.expression} (${when})`);
  }
  const gate = describeGate(stage);
  if (gate !== undefined) detail("Gate", gate);
  if (stage.agent !== undefined) {
    const extras = [
      stage.agent.model,
      stage.agent.max_turns === undefined
        ? undefined
        : `${stage.agent.max_turns} turns`,
    ].filter((x) => x !== undefined);
    detail(
      "Agent",
      `${stage.agent.backend}${extras.length > 0 ? ` (${extras.join(", ")})` : ""}`,
    );
  }
  if (stage.skill !== undefined) {
    detail(
      "Skill",
      stage.skill === "none"
        ? "none: the direct prompt"
        : `${stage.skill}${stage.fallback ? ", then the direct prompt if it fails" : ", no fallback"}`,
    );
  }
  if (stage.inputs.length > 0) {
    detail(
      "Inputs",
      stage.inputs.map((input) => `${input.name} ← ${input.source}`).join(", "),
    );
  }
  if (stage.outputs.length > 0) {
    detail(
      "Outputs",
      stage.outputs
        .map(
          (output) =>
            `${output.name} (${output.type}${output.path === undefined ? "" : ` ${output.path}`})`,
        )
        .join(", "),
    );
  }
  if (stage.type === "agent") {
    detail(
      "Limits",
      `${stage.timeout} per attempt, up to ${stage.max_attempts} attempt${stage.max_attempts === 1 ? "" : "s"}, on failure: ${stage.on_failure}`,
    );
  }
  return lines;
}

/**
 * Renders a plan as text, in the layout of the SWDL execution plan: the
 * workflow and its parameters, then each batch and its stages.
 */
export function renderPlanText(plan: ExecutionPlan): string {
  const byId = new Map(plan.stages.map((stage) => [stage.id, stage]));
  const parameters = Object.entries(plan.parameters);
  const out = [`Workflow: ${plan.workflow.name}`];
  if (plan.workflow.description !== undefined)
    out.push(plan.workflow.description);
  out.push(
    `Parameters: ${parameters.length === 0 ? "(none)" : parameters.map(([k, v]) => `${k}=${formatValue(v)}`).join(", ")}`,
    "",
    "Execution plan:",
  );
  plan.batches.forEach((ids, b) => {
    const stages = ids.map((id) => byId.get(id) as PlannedStage);
    const notes = [
      stages.length > 1 ? "parallel" : undefined,
      stages.some((s) => s.gate !== undefined) ? "gate" : undefined,
      stages.every((s) => s.condition !== undefined)
        ? "conditional"
        : undefined,
      b > 0 ? `after batch ${b}` : undefined,
    ].filter((x) => x !== undefined);
    if (b > 0) out.push("");
    out.push(
      `  Batch ${b + 1}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}:`,
    );
    stages.forEach((stage, i) => {
      if (i > 0) out.push("");
      for (const line of stageLines(stage)) out.push(`    ${line}`);
    });
  });
  const count = plan.batches.length;
  out.push(
    "",
    `Upper bound: ${formatDuration(plan.upper_bound_ms)} of stage time limits across ${count} batch${count === 1 ? "" : "es"} (retries and approval waits not counted)`,
  );
  return `${out.join("\n")}\n`;
}
