import type { StageGraph } from "./build-graph.js";

/**
 * Groups an acyclic graph's stages into batches that can run in parallel:
 * a stage's batch is one after its latest dependency's. Stages within a
 * batch keep their file order. Returns stage indexes.
 */
export function computeBatches(graph: StageGraph): number[][] {
  const count = graph.ids.length;
  const level = new Array<number>(count).fill(0);
  const pending = graph.dependencies.map((deps) => deps.length);
  const queue: number[] = [];
  pending.forEach((n, i) => {
    if (n === 0) queue.push(i);
  });
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head] as number;
    for (const dependent of graph.dependents[node] ?? []) {
      level[dependent] = Math.max(
        level[dependent] ?? 0,
        (level[node] ?? 0) + 1,
      );
      pending[dependent] = (pending[dependent] ?? 0) - 1;
      if (pending[dependent] === 0) queue.push(dependent);
    }
  }
  if (queue.length !== count) {
    throw new Error("specwright: computeBatches needs an acyclic graph");
  }
  const batches: number[][] = [];
  for (let i = 0; i < count; i++) {
    const l = level[i] as number;
    const batch = batches[l] ?? [];
    batch.push(i);
    batches[l] = batch;
  }
  return batches;
}

/** Whether `ancestor` is a direct or indirect dependency of `stage`. */
export function dependsOn(
  graph: StageGraph,
  stage: number,
  ancestor: number,
): boolean {
  const seen = new Set<number>();
  const stack = [...(graph.dependencies[stage] ?? [])];
  while (stack.length > 0) {
    const node = stack.pop() as number;
    if (node === ancestor) return true;
    if (seen.has(node)) continue;
    seen.add(node);
    stack.push(...(graph.dependencies[node] ?? []));
  }
  return false;
}
