import type { StageGraph } from "./build-graph.js";

/**
 * A memoised "is `ancestor` a direct or indirect dependency of `stage`?"
 * query. Each stage's ancestors are a bit set, built on first use from its
 * dependencies' sets, so a whole workflow costs O(stages × edges / 32).
 * On a graph with a cycle the answers are incomplete (cycles are reported
 * separately).
 */
export function createAncestry(
  graph: StageGraph,
): (stage: number, ancestor: number) => boolean {
  const count = graph.ids.length;
  const words = Math.ceil(count / 32);
  const sets: (Uint32Array | undefined)[] = new Array(count);
  const visiting = new Uint8Array(count);

  const compute = (root: number) => {
    const stack = [root];
    while (stack.length > 0) {
      const node = stack[stack.length - 1] as number;
      if (sets[node] !== undefined) {
        stack.pop();
        continue;
      }
      const dependencies = graph.dependencies[node] ?? [];
      if (visiting[node] === 0) {
        visiting[node] = 1;
        for (const dependency of dependencies) {
          if (sets[dependency] === undefined && visiting[dependency] === 0) {
            stack.push(dependency);
          }
        }
        continue;
      }
      const bits = new Uint32Array(words);
      for (const dependency of dependencies) {
        bits[dependency >>> 5] =
          (bits[dependency >>> 5] ?? 0) | (1 << (dependency & 31));
        const inherited = sets[dependency];
        if (inherited !== undefined) {
          for (let w = 0; w < words; w++)
            bits[w] = (bits[w] ?? 0) | (inherited[w] ?? 0);
        }
      }
      sets[node] = bits;
      stack.pop();
    }
  };

  return (stage, ancestor) => {
    if (sets[stage] === undefined) compute(stage);
    const bits = sets[stage] as Uint32Array;
    return (((bits[ancestor >>> 5] ?? 0) >>> (ancestor & 31)) & 1) === 1;
  };
}
