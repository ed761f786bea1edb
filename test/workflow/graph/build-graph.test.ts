import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../../src/workflow/diagnostic.js";
import { buildGraph } from "../../../src/workflow/graph/build-graph.js";

interface StageSpec {
  id: string;
  depends_on: string[];
}

const STAGES = ["workflow", "stages"] as const;

function stage(id: string, ...depends_on: string[]): StageSpec {
  return { id, depends_on };
}

function at(index: number, ...rest: (string | number)[]): (string | number)[] {
  return [...STAGES, index, ...rest];
}

function cycle(names: string, index: number, entry: number): Diagnostic {
  return {
    message: `dependency cycle: ${names} (each stage depends on the next)`,
    path: at(index, "depends_on", entry),
  };
}

interface DiagnosticCase {
  name: string;
  stages: StageSpec[];
  diagnostics: Diagnostic[];
  acyclic: boolean;
}

const cases: DiagnosticCase[] = [
  {
    name: "a valid chain has no diagnostics",
    stages: [stage("a"), stage("b", "a"), stage("c", "b")],
    diagnostics: [],
    acyclic: true,
  },
  {
    name: "a duplicate id names the first stage using it (1-based)",
    stages: [stage("a"), stage("b"), stage("a")],
    diagnostics: [
      {
        message: "duplicate stage id 'a' (already used by stage 1)",
        path: at(2, "id"),
      },
    ],
    acyclic: true,
  },
  {
    name: "every later copy of an id is reported against the first",
    stages: [stage("x"), stage("b"), stage("b"), stage("b")],
    diagnostics: [
      {
        message: "duplicate stage id 'b' (already used by stage 2)",
        path: at(2, "id"),
      },
      {
        message: "duplicate stage id 'b' (already used by stage 2)",
        path: at(3, "id"),
      },
    ],
    acyclic: true,
  },
  {
    name: "an unknown dependency suggests a close id",
    stages: [stage("specify"), stage("plan", "specfy")],
    diagnostics: [
      {
        message:
          "unknown stage 'specfy' in depends_on (did you mean 'specify'?)",
        path: at(1, "depends_on", 0),
      },
    ],
    acyclic: true,
  },
  {
    name: "the suggestion ignores case",
    stages: [stage("plan"), stage("tasks", "PLAN")],
    diagnostics: [
      {
        message: "unknown stage 'PLAN' in depends_on (did you mean 'plan'?)",
        path: at(1, "depends_on", 0),
      },
    ],
    acyclic: true,
  },
  {
    name: "an unknown dependency with no close id has no suggestion",
    stages: [stage("specify"), stage("plan", "specify", "zzz")],
    diagnostics: [
      {
        message: "unknown stage 'zzz' in depends_on",
        path: at(1, "depends_on", 1),
      },
    ],
    acyclic: true,
  },
  {
    name: "a self-dependency is reported, not counted as a cycle",
    stages: [stage("a"), stage("b", "a", "b")],
    diagnostics: [
      {
        message: "stage 'b' depends on itself",
        path: at(1, "depends_on", 1),
      },
    ],
    acyclic: true,
  },
  {
    name: "a dependency listed twice points at the second entry",
    stages: [stage("a"), stage("c"), stage("b", "a", "c", "a")],
    diagnostics: [
      {
        message: "'a' is listed twice in depends_on",
        path: at(2, "depends_on", 2),
      },
    ],
    acyclic: true,
  },
  {
    name: "a cycle of two",
    stages: [stage("a", "b"), stage("b", "a")],
    diagnostics: [cycle("a → b → a", 0, 0)],
    acyclic: false,
  },
  {
    name: "a cycle's path points at the depends_on entry naming the next stage",
    stages: [stage("c"), stage("a", "c", "b"), stage("b", "a")],
    diagnostics: [cycle("a → b → a", 1, 1)],
    acyclic: false,
  },
  {
    name: "a cycle of three starts at its first stage in file order",
    stages: [stage("x"), stage("c", "a"), stage("a", "b"), stage("b", "c")],
    diagnostics: [cycle("c → a → b → c", 1, 0)],
    acyclic: false,
  },
  {
    name: "a cycle of three declared in cycle order",
    stages: [stage("a", "b"), stage("b", "c"), stage("c", "a")],
    diagnostics: [cycle("a → b → c → a", 0, 0)],
    acyclic: false,
  },
  {
    name: "several disjoint cycles are each reported, in file order",
    stages: [
      stage("a", "b"),
      stage("b", "a"),
      stage("c"),
      stage("d", "e"),
      stage("e", "f"),
      stage("f", "d"),
    ],
    diagnostics: [cycle("a → b → a", 0, 0), cycle("d → e → f → d", 3, 0)],
    acyclic: false,
  },
  {
    name: "interleaved disjoint cycles",
    stages: [
      stage("p", "q"),
      stage("r", "s"),
      stage("q", "p"),
      stage("s", "r"),
    ],
    diagnostics: [cycle("p → q → p", 0, 0), cycle("r → s → r", 1, 0)],
    acyclic: false,
  },
  {
    name: "a stage blocked behind a cycle is not reported itself",
    stages: [
      stage("d", "b"),
      stage("a", "c"),
      stage("b", "a"),
      stage("c", "b"),
    ],
    diagnostics: [cycle("a → c → b → a", 1, 0)],
    acyclic: false,
  },
  {
    name: "a chain of stages blocked behind a cycle is not reported",
    stages: [
      stage("y", "z"),
      stage("z", "a"),
      stage("a", "b"),
      stage("b", "a"),
      stage("w", "y"),
    ],
    diagnostics: [cycle("a → b → a", 2, 0)],
    acyclic: false,
  },
  {
    name: "a stage blocked behind two cycles reports only the cycles",
    stages: [
      stage("d", "a", "p"),
      stage("a", "b"),
      stage("b", "a"),
      stage("p", "q"),
      stage("q", "p"),
    ],
    diagnostics: [cycle("a → b → a", 1, 0), cycle("p → q → p", 3, 0)],
    acyclic: false,
  },
  {
    name: "a stage behind a cycle and also on another one",
    stages: [
      stage("a", "b"),
      stage("b", "a"),
      stage("m", "a", "n"),
      stage("n", "m"),
    ],
    diagnostics: [cycle("a → b → a", 0, 0), cycle("m → n → m", 2, 1)],
    acyclic: false,
  },
  {
    name: "diagnostics come as ids, then dependencies by stage, then cycles",
    stages: [
      stage("a", "b", "zzz"),
      stage("b", "a", "a"),
      stage("a"),
      stage("c", "c"),
    ],
    diagnostics: [
      {
        message: "duplicate stage id 'a' (already used by stage 1)",
        path: at(2, "id"),
      },
      {
        message: "unknown stage 'zzz' in depends_on",
        path: at(0, "depends_on", 1),
      },
      {
        message: "'a' is listed twice in depends_on",
        path: at(1, "depends_on", 1),
      },
      { message: "stage 'c' depends on itself", path: at(3, "depends_on", 0) },
      cycle("a → b → a", 0, 0),
    ],
    acyclic: false,
  },
];

describe("buildGraph diagnostics", () => {
  it.each(cases)("$name", ({ stages, diagnostics, acyclic }) => {
    const result = buildGraph(stages, STAGES);
    expect(result.diagnostics).toStrictEqual(diagnostics);
    expect(result.graph.acyclic).toBe(acyclic);
  });

  it("reports a stage on two cycles once; the other shows when it is fixed", () => {
    // Cycles through a shared stage: after the first is reported, its stages
    // leave the search, so `a → c → a` only appears once `a → b → a` is gone.
    const first = buildGraph(
      [stage("a", "b", "c"), stage("b", "a"), stage("c", "a")],
      STAGES,
    );
    expect(first.diagnostics).toStrictEqual([cycle("a → b → a", 0, 0)]);
    expect(first.graph.acyclic).toBe(false);

    const fixed = buildGraph(
      [stage("a", "b", "c"), stage("b"), stage("c", "a")],
      STAGES,
    );
    expect(fixed.diagnostics).toStrictEqual([cycle("a → c → a", 0, 1)]);
  });

  it("uses the given stages path", () => {
    const { diagnostics } = buildGraph([stage("a", "a")], ["stages"]);
    expect(diagnostics).toStrictEqual([
      {
        message: "stage 'a' depends on itself",
        path: ["stages", 0, "depends_on", 0],
      },
    ]);
  });
});

describe("buildGraph structure", () => {
  it("lists ids and indexes in file order", () => {
    const { graph } = buildGraph(
      [stage("c"), stage("a", "c"), stage("b")],
      STAGES,
    );
    expect(graph.ids).toStrictEqual(["c", "a", "b"]);
    expect([...graph.indexOf]).toStrictEqual([
      ["c", 0],
      ["a", 1],
      ["b", 2],
    ]);
  });

  it("keeps dependencies in declared order, without unknowns or repeats", () => {
    const { graph } = buildGraph(
      [
        stage("a"),
        stage("b", "a"),
        stage("c", "a", "zzz", "a", "c"),
        stage("d", "c", "b"),
      ],
      STAGES,
    );
    expect(graph.dependencies).toStrictEqual([[], [0], [0], [2, 1]]);
    expect(graph.dependents).toStrictEqual([[1, 2], [3], [3], []]);
    expect(graph.acyclic).toBe(true);
  });

  it("resolves a duplicated id to its first stage", () => {
    const { graph } = buildGraph(
      [stage("a"), stage("a"), stage("b", "a")],
      STAGES,
    );
    expect(graph.indexOf.get("a")).toBe(0);
    expect(graph.dependencies).toStrictEqual([[], [], [0]]);
    expect(graph.dependents).toStrictEqual([[2], [], []]);
  });

  it("keeps the edges of a cycle", () => {
    const { graph } = buildGraph(
      [stage("a", "c"), stage("b", "a"), stage("c", "b")],
      STAGES,
    );
    expect(graph.dependencies).toStrictEqual([[2], [0], [1]]);
    expect(graph.dependents).toStrictEqual([[1], [2], [0]]);
    expect(graph.acyclic).toBe(false);
  });

  it("handles an empty stage list", () => {
    const { graph, diagnostics } = buildGraph([], STAGES);
    expect(diagnostics).toStrictEqual([]);
    expect(graph.ids).toStrictEqual([]);
    expect(graph.dependencies).toStrictEqual([]);
    expect(graph.acyclic).toBe(true);
  });
});
