import type { StageStatus } from "../expressions/namespaces.js";
import { stageGate, stageName, type Workflow } from "../schema.js";

/** Fill and stroke per status, readable on light and dark backgrounds. */
const STATUS_STYLES: Record<StageStatus, string> = {
  pending: "fill:#f6f8fa,stroke:#8c959f,color:#24292f",
  waiting_approval: "fill:#fff8c5,stroke:#bf8700,color:#24292f",
  dispatched: "fill:#ddf4ff,stroke:#0969da,color:#24292f",
  running: "fill:#ddf4ff,stroke:#0969da,color:#24292f",
  retrying: "fill:#fff1e5,stroke:#bc4c00,color:#24292f",
  succeeded: "fill:#dafbe1,stroke:#1a7f37,color:#24292f",
  failed: "fill:#ffebe9,stroke:#cf222e,color:#24292f",
  timed_out: "fill:#ffebe9,stroke:#cf222e,color:#24292f",
  cancelled: "fill:#eaeef2,stroke:#57606a,color:#24292f",
  skipped: "fill:#eaeef2,stroke:#8c959f,color:#57606a",
};

function label(text: string): string {
  return text
    .replace(/"/g, "#quot;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;");
}

/**
 * Renders the workflow as a Mermaid flowchart: one node per stage (a hexagon
 * for stages that wait for approval), one edge per dependency. With
 * `statuses`, each node gets its status as a class, coloured by
 * `classDef`. Node ids are `s0`, `s1`, … so that no stage id can clash with
 * Mermaid's keywords.
 */
export function renderMermaid(
  workflow: Pick<Workflow, "stages">,
  statuses?: ReadonlyMap<string, StageStatus>,
): string {
  const nodeId = new Map(
    workflow.stages.map((stage, i) => [stage.id, `s${i}`]),
  );
  const lines = ["flowchart TD"];
  for (const stage of workflow.stages) {
    const id = nodeId.get(stage.id) as string;
    const text = label(stageName(stage));
    lines.push(
      stageGate(stage) === undefined
        ? `  ${id}["${text}"]`
        : `  ${id}{{"${text}"}}`,
    );
  }
  for (const stage of workflow.stages) {
    for (const dependency of stage.depends_on) {
      const from = nodeId.get(dependency);
      if (from !== undefined)
        lines.push(`  ${from} --> ${nodeId.get(stage.id)}`);
    }
  }
  const conditional = workflow.stages.filter(
    (stage) => stage.condition !== undefined,
  );
  if (conditional.length > 0) {
    lines.push("  classDef conditional stroke-dasharray: 5 5");
    lines.push(
      `  class ${conditional.map((s) => nodeId.get(s.id)).join(",")} conditional`,
    );
  }
  if (statuses !== undefined) {
    const byStatus = new Map<StageStatus, string[]>();
    for (const stage of workflow.stages) {
      const status = statuses.get(stage.id) ?? "pending";
      byStatus.set(status, [
        ...(byStatus.get(status) ?? []),
        nodeId.get(stage.id) as string,
      ]);
    }
    for (const [status, ids] of byStatus) {
      lines.push(`  classDef ${status} ${STATUS_STYLES[status]}`);
      lines.push(`  class ${ids.join(",")} ${status}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
