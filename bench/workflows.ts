/** Synthetic workflows for the benchmarks, deterministic (seeded). */

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * A realistic workflow file of `count` stages: each depends on up to three
 * earlier stages, reads their outputs through expressions, has a condition,
 * a prompt, outputs and an error policy.
 */
export function wideWorkflowYaml(count: number): string {
  const next = random(42);
  const lines = [
    "agent:",
    "  backend: claude",
    "  max_turns: 40",
    "workflow:",
    `  name: Synthetic ${count}`,
    "  parameters:",
    "    depth: { type: number, default: 2 }",
    "    target: { type: string, default: web }",
    "  env:",
    "    TARGET: web",
    "  stages:",
  ];
  for (let i = 0; i < count; i++) {
    const deps = new Set<number>();
    if (i > 0) for (let k = 0; k < 3; k++) deps.add(Math.floor(next() * i));
    const depIds = [...deps].map((d) => `s${d}`);
    lines.push(`    - id: s${i}`, `      name: Stage ${i}`);
    lines.push(`      depends_on: [${depIds.join(", ")}]`);
    lines.push(
      `      condition: \${{ parameters.depth > ${i % 3} && env.TARGET == 'web' }}`,
    );
    lines.push("      prompt: |");
    lines.push(`        Work on {{ feature }} for stage ${i}.`);
    if (depIds.length > 0) {
      lines.push("        Read {{ inputs.upstream }} first.");
      lines.push("      inputs:");
      lines.push("        upstream:");
      lines.push("          type: string");
      lines.push(
        `          source: \${{ stages.${depIds[0]}.outputs.summary }}`,
      );
    }
    lines.push("      outputs:");
    lines.push("        summary: { type: string }");
    lines.push(`        report: { type: file, path: "reports/s${i}.md" }`);
    lines.push("      error_policy:");
    lines.push("        timeout: 20m");
    lines.push("        retry: { max_attempts: 3, initial_interval: 1m }");
  }
  return `${lines.join("\n")}\n`;
}

/**
 * A layered DAG of `layers × width` stages with fan-out and fan-in: each
 * stage depends on two to four stages of the layer before.
 */
export function layeredWorkflow(layers: number, width: number) {
  const next = random(7);
  const stages = [];
  for (let layer = 0; layer < layers; layer++) {
    for (let i = 0; i < width; i++) {
      const deps = new Set<string>();
      if (layer > 0) {
        const fanIn = 2 + Math.floor(next() * 3);
        for (let k = 0; k < fanIn; k++) {
          deps.add(`l${layer - 1}_${Math.floor(next() * width)}`);
        }
      }
      stages.push({
        id: `l${layer}_${i}`,
        depends_on: [...deps],
        prompt: "Do the work for {{ stage.id }}.",
        outputs: { summary: { type: "string" } },
        ...(i % 10 === 0 ? { condition: "${{ parameters.full }}" } : {}),
      });
    }
  }
  return {
    name: `Layered ${layers}x${width}`,
    parameters: { full: { type: "boolean", default: true } },
    stages,
  };
}
