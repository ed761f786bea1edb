import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkWorkflow } from "../../../src/workflow/check-workflow.js";
import {
  buildGraph,
  type StageGraph,
} from "../../../src/workflow/graph/build-graph.js";
import {
  computeBatches,
  dependsOn,
} from "../../../src/workflow/graph/compute-batches.js";
import { Workflow } from "../../../src/workflow/schema.js";

interface StageSpec {
  id: string;
  depends_on: string[];
}

function stage(id: string, ...depends_on: string[]): StageSpec {
  return { id, depends_on };
}

function graphOf(stages: readonly StageSpec[]): StageGraph {
  const { graph, diagnostics } = buildGraph(stages, ["stages"]);
  expect(diagnostics).toStrictEqual([]);
  return graph;
}

function batchIds(graph: StageGraph): string[][] {
  return computeBatches(graph).map((batch) =>
    batch.map((index) => graph.ids[index] ?? `#${index}`),
  );
}

interface BatchCase {
  name: string;
  stages: StageSpec[];
  batches: string[][];
}

const patterns: BatchCase[] = [
  {
    name: "a single stage",
    stages: [stage("only")],
    batches: [["only"]],
  },
  {
    name: "a sequential chain",
    stages: [stage("a"), stage("b", "a"), stage("c", "b"), stage("d", "c")],
    batches: [["a"], ["b"], ["c"], ["d"]],
  },
  {
    name: "a chain declared backwards",
    stages: [stage("d", "c"), stage("c", "b"), stage("b", "a"), stage("a")],
    batches: [["a"], ["b"], ["c"], ["d"]],
  },
  {
    name: "fully parallel stages",
    stages: [stage("a"), stage("b"), stage("c"), stage("d")],
    batches: [["a", "b", "c", "d"]],
  },
  {
    name: "a diamond (fan-out, then fan-in)",
    stages: [
      stage("a"),
      stage("b", "a"),
      stage("c", "a"),
      stage("d", "b", "c"),
    ],
    batches: [["a"], ["b", "c"], ["d"]],
  },
  {
    name: "a diamond declared out of order keeps file order in a batch",
    stages: [
      stage("d", "c", "b"),
      stage("c", "a"),
      stage("b", "a"),
      stage("a"),
    ],
    batches: [["a"], ["c", "b"], ["d"]],
  },
  {
    name: "a wide fan-out and fan-in",
    stages: [
      stage("root"),
      stage("w1", "root"),
      stage("w2", "root"),
      stage("w3", "root"),
      stage("w4", "root"),
      stage("join", "w4", "w1", "w3", "w2"),
    ],
    batches: [["root"], ["w1", "w2", "w3", "w4"], ["join"]],
  },
  {
    name: "mixed: a stage waits for its longest branch",
    stages: [
      stage("a"),
      stage("b", "a"),
      stage("c", "b"),
      stage("d", "a"),
      stage("e", "c", "d"),
      stage("f"),
    ],
    batches: [["a", "f"], ["b", "d"], ["c"], ["e"]],
  },
  {
    name: "mixed: a shortcut edge does not pull a stage forward",
    stages: [stage("a"), stage("b", "a"), stage("c", "a", "b")],
    batches: [["a"], ["b"], ["c"]],
  },
  {
    name: "mixed: independent chains run side by side",
    stages: [
      stage("x2", "x1"),
      stage("y1"),
      stage("x1"),
      stage("y2", "y1"),
      stage("y3", "y2"),
    ],
    batches: [["y1", "x1"], ["x2", "y2"], ["y3"]],
  },
];

describe("computeBatches", () => {
  it.each(patterns)("$name", ({ stages, batches }) => {
    expect(batchIds(graphOf(stages))).toStrictEqual(batches);
  });

  it("returns stage indexes", () => {
    const graph = graphOf([stage("b", "a"), stage("a")]);
    expect(computeBatches(graph)).toStrictEqual([[1], [0]]);
  });

  it("batches conditional stages as if they had no condition", () => {
    const stages = [
      { id: "specify" },
      {
        id: "plan",
        depends_on: ["specify"],
        condition: "${{ parameters.deep }}",
      },
      {
        id: "tasks",
        depends_on: ["specify"],
        condition: "parameters.deep == false",
      },
      { id: "analyze", depends_on: ["plan", "tasks"] },
      { id: "implement", depends_on: ["analyze"], condition: "true" },
    ];
    const graphFor = (withConditions: boolean) => {
      const workflow = Workflow.parse({
        parameters: { deep: { type: "boolean", default: false } },
        stages: stages.map(({ condition, ...rest }) =>
          withConditions && condition !== undefined
            ? { ...rest, condition }
            : rest,
        ),
      });
      const { graph, diagnostics } = checkWorkflow(workflow, ["workflow"]);
      expect(diagnostics).toStrictEqual([]);
      return graph;
    };
    const expected = [
      ["specify"],
      ["plan", "tasks"],
      ["analyze"],
      ["implement"],
    ];
    expect(batchIds(graphFor(true))).toStrictEqual(expected);
    expect(batchIds(graphFor(false))).toStrictEqual(expected);
  });

  it.each([
    {
      name: "a cycle",
      stages: [stage("a", "b"), stage("b", "a")],
    },
    {
      name: "a stage blocked behind a cycle",
      stages: [
        stage("x"),
        stage("y", "x", "b"),
        stage("a", "b"),
        stage("b", "a"),
      ],
    },
  ])("throws on $name", ({ stages }) => {
    const { graph } = buildGraph(stages, ["stages"]);
    expect(graph.acyclic).toBe(false);
    expect(() => computeBatches(graph)).toThrow(
      new Error("specwright: computeBatches needs an acyclic graph"),
    );
  });
});

describe("dependsOn", () => {
  // a → b → d, a → c → d, e alone
  const graph = graphOf([
    stage("a"),
    stage("b", "a"),
    stage("c", "a"),
    stage("d", "b", "c"),
    stage("e"),
  ]);
  const index = (id: string) => graph.indexOf.get(id) ?? -1;

  it.each([
    { stage: "b", ancestor: "a", expected: true, why: "direct" },
    { stage: "d", ancestor: "b", expected: true, why: "direct" },
    { stage: "d", ancestor: "a", expected: true, why: "indirect" },
    { stage: "c", ancestor: "b", expected: false, why: "siblings" },
    { stage: "a", ancestor: "d", expected: false, why: "the reverse" },
    { stage: "a", ancestor: "a", expected: false, why: "itself" },
    { stage: "e", ancestor: "a", expected: false, why: "unrelated" },
    { stage: "d", ancestor: "e", expected: false, why: "unrelated" },
  ])(
    "$stage on $ancestor: $expected ($why)",
    ({ stage, ancestor, expected }) => {
      expect(dependsOn(graph, index(stage), index(ancestor))).toBe(expected);
    },
  );

  it("terminates on a cycle", () => {
    const { graph: cyclic } = buildGraph(
      [stage("a", "b"), stage("b", "a"), stage("c")],
      ["stages"],
    );
    expect(dependsOn(cyclic, 0, 0)).toBe(true);
    expect(dependsOn(cyclic, 0, 2)).toBe(false);
  });
});

/** A random DAG: stage ids, edges and the order the file lists stages in. */
interface RandomDag {
  /** Stages in file order. */
  stages: StageSpec[];
  /** Edges as [dependency, stage], by index in file order. */
  edges: [number, number][];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * Nodes are numbered in a random topological order (`rank`); an edge only
 * goes from a lower rank to a higher one, so the graph is acyclic. The file
 * lists the stages in another random order, and each stage lists its
 * dependencies in yet another. The edge density varies from none to all.
 */
const randomDag: fc.Arbitrary<RandomDag> = fc
  .integer({ min: 1, max: 14 })
  .chain((n) =>
    fc.record({
      fileOrder: fc.shuffledSubarray(range(n), { minLength: n, maxLength: n }),
      listOrder: fc.shuffledSubarray(range(n), { minLength: n, maxLength: n }),
      density: fc.integer({ min: 0, max: 100 }),
      rolls: fc.array(fc.integer({ min: 0, max: 99 }), {
        minLength: (n * (n - 1)) / 2,
        maxLength: (n * (n - 1)) / 2,
      }),
    }),
  )
  .map(({ fileOrder, listOrder, density, rolls }) => {
    const n = fileOrder.length;
    // fileOrder[position] is the rank of the stage at that position.
    const positionOf = new Map(fileOrder.map((rank, p) => [rank, p]));
    const listRank = new Map(listOrder.map((rank, i) => [rank, i]));
    const depsByRank: number[][] = range(n).map(() => []);
    let bit = 0;
    for (let to = 0; to < n; to++) {
      for (let from = 0; from < to; from++) {
        if ((rolls[bit++] ?? 100) < density) depsByRank[to]?.push(from);
      }
    }
    const id = (rank: number) => `st${rank}`;
    const stages = fileOrder.map((rank) => ({
      id: id(rank),
      depends_on: [...(depsByRank[rank] ?? [])]
        .sort((x, y) => (listRank.get(x) ?? 0) - (listRank.get(y) ?? 0))
        .map(id),
    }));
    const edges = depsByRank.flatMap((deps, rank) =>
      deps.map((dep): [number, number] => [
        positionOf.get(dep) ?? -1,
        positionOf.get(rank) ?? -1,
      ]),
    );
    return { stages, edges };
  });

/** Batch number per stage index. */
function batchOf(batches: readonly (readonly number[])[]): Map<number, number> {
  const out = new Map<number, number>();
  batches.forEach((batch, b) => {
    for (const index of batch) out.set(index, b);
  });
  return out;
}

/** Whether `ancestor` reaches `stage` along edges (an independent oracle). */
function reaches(dag: RandomDag, ancestor: number, stage: number): boolean {
  const seen = new Set<number>([ancestor]);
  const queue = [ancestor];
  while (queue.length > 0) {
    const node = queue.shift() as number;
    for (const [from, to] of dag.edges) {
      if (from !== node || seen.has(to)) continue;
      if (to === stage) return true;
      seen.add(to);
      queue.push(to);
    }
  }
  return false;
}

describe("computeBatches on random DAGs", () => {
  it("builds the graph without diagnostics, edges as listed", () => {
    fc.assert(
      fc.property(randomDag, (dag) => {
        const { graph, diagnostics } = buildGraph(dag.stages, ["stages"]);
        expect(diagnostics).toStrictEqual([]);
        expect(graph.acyclic).toBe(true);
        const listed = dag.stages.map((s) =>
          s.depends_on.map((d) => graph.indexOf.get(d)),
        );
        expect(graph.dependencies).toStrictEqual(listed);
        for (const [i, dependents] of graph.dependents.entries()) {
          const expected = range(dag.stages.length).filter((s) =>
            graph.dependencies[s]?.includes(i),
          );
          expect(dependents).toStrictEqual(expected);
        }
      }),
    );
  });

  it("puts every stage in exactly one batch, none empty", () => {
    fc.assert(
      fc.property(randomDag, (dag) => {
        const batches = computeBatches(graphOf(dag.stages));
        const all = batches.flat().sort((x, y) => x - y);
        expect(all).toStrictEqual(range(dag.stages.length));
        for (const batch of batches) expect(batch.length).toBeGreaterThan(0);
      }),
    );
  });

  it("runs every dependency in an earlier batch", () => {
    fc.assert(
      fc.property(randomDag, (dag) => {
        const batch = batchOf(computeBatches(graphOf(dag.stages)));
        for (const [dep, stage] of dag.edges) {
          expect(batch.get(dep) ?? -1).toBeLessThan(batch.get(stage) ?? -1);
        }
      }),
    );
  });

  it("puts each stage right after its latest dependency (tight)", () => {
    fc.assert(
      fc.property(randomDag, (dag) => {
        const graph = graphOf(dag.stages);
        const batch = batchOf(computeBatches(graph));
        graph.dependencies.forEach((deps, stage) => {
          const expected =
            deps.length === 0
              ? 0
              : 1 + Math.max(...deps.map((d) => batch.get(d) ?? -1));
          expect(batch.get(stage)).toBe(expected);
        });
      }),
    );
  });

  it("puts exactly the stages without dependencies in the first batch", () => {
    fc.assert(
      fc.property(randomDag, (dag) => {
        const graph = graphOf(dag.stages);
        const roots = range(dag.stages.length).filter(
          (i) => graph.dependencies[i]?.length === 0,
        );
        expect(computeBatches(graph)[0]).toStrictEqual(roots);
      }),
    );
  });

  it("keeps file order within each batch", () => {
    fc.assert(
      fc.property(randomDag, (dag) => {
        for (const batch of computeBatches(graphOf(dag.stages))) {
          expect(batch).toStrictEqual([...batch].sort((x, y) => x - y));
        }
      }),
    );
  });

  it("agrees with reachability in dependsOn", () => {
    fc.assert(
      fc.property(randomDag, (dag) => {
        const graph = graphOf(dag.stages);
        for (const stage of range(dag.stages.length)) {
          for (const ancestor of range(dag.stages.length)) {
            expect(dependsOn(graph, stage, ancestor)).toBe(
              reaches(dag, ancestor, stage),
            );
          }
        }
      }),
    );
  });

  it("reports a back edge as one cycle through it, and refuses to batch", () => {
    const withBackEdge = randomDag
      .filter((dag) => dag.edges.length > 0)
      .chain((dag) => {
        const pairs = dag.edges.flatMap(([from]) =>
          range(dag.stages.length)
            .filter((to) => reaches(dag, from, to))
            .map((to): [number, number] => [from, to]),
        );
        return fc
          .constantFrom(...pairs)
          .map((pair) => ({ dag, ancestor: pair[0], descendant: pair[1] }));
      });
    const CYCLE = /^dependency cycle: (.+) \(each stage depends on the next\)$/;
    fc.assert(
      fc.property(withBackEdge, ({ dag, ancestor, descendant }) => {
        // The ancestor now also depends on its descendant.
        const stages = dag.stages.map((s, i) =>
          i === ancestor
            ? {
                ...s,
                depends_on: [...s.depends_on, dag.stages[descendant]?.id ?? ""],
              }
            : s,
        );
        const { graph, diagnostics } = buildGraph(stages, ["stages"]);
        expect(graph.acyclic).toBe(false);
        expect(() => computeBatches(graph)).toThrow(
          "specwright: computeBatches needs an acyclic graph",
        );
        // Every cycle goes through the new edge, so one report covers it.
        expect(diagnostics).toHaveLength(1);
        const [diagnostic] = diagnostics;
        const names = CYCLE.exec(diagnostic?.message ?? "")?.[1]?.split(" → ");
        expect(names).toBeDefined();
        const members = (names ?? []).map((n) => graph.indexOf.get(n) ?? -1);
        const ring = members.slice(0, -1);
        expect(members.at(-1)).toBe(members[0]);
        expect(new Set(ring).size).toBe(ring.length);
        expect(members[0]).toBe(Math.min(...ring));
        ring.forEach((member, k) => {
          const next = members[k + 1] ?? -1;
          expect(graph.dependencies[member]).toContain(next);
        });
        const hasNewEdge = ring.some(
          (member, k) => member === ancestor && members[k + 1] === descendant,
        );
        expect(hasNewEdge).toBe(true);
        const first = members[0] ?? -1;
        const entry = stages[first]?.depends_on.indexOf(names?.[1] ?? "");
        expect(diagnostic?.path).toStrictEqual([
          "stages",
          first,
          "depends_on",
          entry,
        ]);
      }),
    );
  });
});
