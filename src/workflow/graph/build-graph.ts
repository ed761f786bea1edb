import type { Diagnostic, ValuePath } from "../diagnostic.js";
import { didYouMean } from "../did-you-mean.js";

/** The dependency graph of a workflow's stages, by index in file order. */
export interface StageGraph {
  ids: readonly string[];
  indexOf: ReadonlyMap<string, number>;
  /** For each stage, the stages it depends on (known, without repeats). */
  dependencies: readonly (readonly number[])[];
  /** For each stage, the stages that depend on it. */
  dependents: readonly (readonly number[])[];
  /** False when the graph has a cycle (then there are diagnostics too). */
  acyclic: boolean;
}

interface StageLike {
  id: string;
  depends_on: readonly string[];
}

/**
 * Builds the stage graph and reports duplicate ids, unknown or repeated
 * dependencies, and every cycle, naming the whole cycle (`a → b → c → a`).
 * `stagesPath` locates the stage list in the file, for diagnostics.
 */
export function buildGraph(
  stages: readonly StageLike[],
  stagesPath: ValuePath,
): { graph: StageGraph; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const indexOf = new Map<string, number>();
  stages.forEach((stage, i) => {
    const first = indexOf.get(stage.id);
    if (first === undefined) indexOf.set(stage.id, i);
    else {
      diagnostics.push({
        message: `duplicate stage id '${stage.id}' (already used by stage ${first + 1})`,
        path: [...stagesPath, i, "id"],
      });
    }
  });

  const dependencies = stages.map((stage, i) => {
    const seen = new Set<number>();
    stage.depends_on.forEach((dependency, j) => {
      const path = [...stagesPath, i, "depends_on", j];
      const target = indexOf.get(dependency);
      if (target === undefined) {
        diagnostics.push({
          message: `unknown stage '${dependency}' in depends_on${didYouMean(dependency, indexOf.keys())}`,
          path,
        });
      } else if (target === i) {
        diagnostics.push({
          message: `stage '${stage.id}' depends on itself`,
          path,
        });
      } else if (seen.has(target)) {
        diagnostics.push({
          message: `'${dependency}' is listed twice in depends_on`,
          path,
        });
      } else {
        seen.add(target);
      }
    });
    return [...seen];
  });

  const dependents: number[][] = stages.map(() => []);
  dependencies.forEach((deps, i) => {
    for (const dep of deps) dependents[dep]?.push(i);
  });

  const cycles = findCycles(dependencies, dependents);
  for (const cycle of cycles) {
    const first = cycle[0] as number;
    const second = cycle[1] as number;
    const names = [...cycle, first].map((i) => stages[i]?.id);
    const entry =
      stages[first]?.depends_on.indexOf(stages[second]?.id ?? "") ?? -1;
    diagnostics.push({
      message: `dependency cycle: ${names.join(" → ")} (each stage depends on the next)`,
      path:
        entry >= 0
          ? [...stagesPath, first, "depends_on", entry]
          : [...stagesPath, first, "id"],
    });
  }

  return {
    graph: {
      ids: stages.map((stage) => stage.id),
      indexOf,
      dependencies,
      dependents,
      acyclic: cycles.length === 0,
    },
    diagnostics,
  };
}

/**
 * Finds cycles: Kahn's algorithm peels off every stage not on or behind a
 * cycle; from what is left, following dependencies must loop. Each cycle is
 * reported once, starting at its first stage in file order.
 */
function findCycles(
  dependencies: readonly (readonly number[])[],
  dependents: readonly (readonly number[])[],
): number[][] {
  const remaining = new Set<number>();
  const pending = dependencies.map((deps) => deps.length);
  const queue: number[] = [];
  pending.forEach((count, i) => {
    if (count === 0) queue.push(i);
    remaining.add(i);
  });
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head] as number;
    remaining.delete(node);
    for (const dependent of dependents[node] ?? []) {
      pending[dependent] = (pending[dependent] ?? 0) - 1;
      if (pending[dependent] === 0) queue.push(dependent);
    }
  }

  const cycles: number[][] = [];
  while (remaining.size > 0) {
    const start = Math.min(...remaining);
    const order: number[] = [];
    const position = new Map<number, number>();
    let node: number | undefined = start;
    while (node !== undefined && !position.has(node)) {
      position.set(node, order.length);
      order.push(node);
      node = dependencies[node]?.find((dep) => remaining.has(dep));
    }
    if (node === undefined) {
      // A dead end: the last stage only waits on cycles already reported.
      remaining.delete(order[order.length - 1] as number);
      continue;
    }
    const cycle = order.slice(position.get(node));
    const lowest = cycle.indexOf(Math.min(...cycle));
    cycles.push([...cycle.slice(lowest), ...cycle.slice(0, lowest)]);
    for (const member of cycle) remaining.delete(member);
  }
  return cycles;
}
