import { describe, expect, it } from "vitest";
import { defaultWorkflow } from "../../../src/workflow/default-workflow.js";
import {
  STAGE_STATUSES,
  type StageStatus,
} from "../../../src/workflow/expressions/namespaces.js";
import { renderMermaid } from "../../../src/workflow/plan/render-mermaid.js";
import {
  stageGate,
  stageName,
  Workflow,
} from "../../../src/workflow/schema.js";

interface MermaidNode {
  id: string;
  shape: "box" | "hexagon";
  label: string;
}

interface ParsedMermaid {
  header: string;
  nodes: MermaidNode[];
  edges: [string, string][];
  /** Class name → its style. */
  classDefs: Map<string, string>;
  /** Class name → the nodes given it, in order. */
  classes: Map<string, string[]>;
  /** Lines the parser did not recognise. */
  unknown: string[];
}

const NODE = /^ {2}(s\d+)(?:\["([^"]*)"\]|\{\{"([^"]*)"\}\})$/;
const EDGE = /^ {2}(s\d+) --> (s\d+)$/;
const CLASS_DEF = /^ {2}classDef (\w+) (.+)$/;
const CLASS = /^ {2}class ((?:s\d+,)*s\d+) (\w+)$/;

function unescapeLabel(text: string): string {
  return text
    .replace(/#quot;/g, '"')
    .replace(/#lt;/g, "<")
    .replace(/#gt;/g, ">");
}

/** Reads back the subset of Mermaid that renderMermaid writes. */
function parseMermaid(text: string): ParsedMermaid {
  expect(text.endsWith("\n")).toBe(true);
  const [header = "", ...lines] = text.slice(0, -1).split("\n");
  const parsed: ParsedMermaid = {
    header,
    nodes: [],
    edges: [],
    classDefs: new Map(),
    classes: new Map(),
    unknown: [],
  };
  for (const line of lines) {
    const node = NODE.exec(line);
    const edge = EDGE.exec(line);
    const classDef = CLASS_DEF.exec(line);
    const cls = CLASS.exec(line);
    if (node) {
      const [, id = "", box, hexagon] = node;
      parsed.nodes.push({
        id,
        shape: box === undefined ? "hexagon" : "box",
        label: unescapeLabel(box ?? hexagon ?? ""),
      });
    } else if (edge) {
      parsed.edges.push([edge[1] ?? "", edge[2] ?? ""]);
    } else if (classDef) {
      expect(parsed.classDefs.has(classDef[1] ?? "")).toBe(false);
      parsed.classDefs.set(classDef[1] ?? "", classDef[2] ?? "");
    } else if (cls) {
      const name = cls[2] ?? "";
      parsed.classes.set(name, [
        ...(parsed.classes.get(name) ?? []),
        ...(cls[1] ?? "").split(","),
      ]);
    } else {
      parsed.unknown.push(line);
    }
  }
  return parsed;
}

/** What the diagram should show for a workflow. */
function expectedGraph(workflow: Pick<Workflow, "stages">): {
  nodes: MermaidNode[];
  edges: [string, string][];
} {
  const nodeOf = new Map(workflow.stages.map((s, i) => [s.id, `s${i}`]));
  return {
    nodes: workflow.stages.map((stage, i) => ({
      id: `s${i}`,
      shape: stageGate(stage) === undefined ? "box" : "hexagon",
      label: stageName(stage),
    })),
    edges: workflow.stages.flatMap((stage, i) =>
      stage.depends_on.map((dep): [string, string] => [
        nodeOf.get(dep) ?? "?",
        `s${i}`,
      ]),
    ),
  };
}

const DIAMOND = Workflow.parse({
  stages: [
    { id: "specify", name: "Specify" },
    { id: "plan", depends_on: ["specify"] },
    { id: "tasks", depends_on: ["specify"], condition: "parameters.deep" },
    {
      id: "implement",
      depends_on: ["tasks", "plan"],
      gate: { permission: "write" },
    },
  ],
  parameters: { deep: { type: "boolean" } },
});

const WORKFLOWS: { name: string; workflow: Workflow }[] = [
  { name: "the default workflow", workflow: defaultWorkflow() },
  { name: "a diamond with a gate", workflow: DIAMOND },
  {
    name: "stages listed after their dependents, with a gate stage",
    workflow: Workflow.parse({
      stages: [
        { id: "implement", depends_on: ["review", "tasks"] },
        { id: "review", type: "gate", depends_on: ["plan"] },
        { id: "tasks", depends_on: ["plan"] },
        { id: "plan" },
      ],
    }),
  },
  {
    name: "labels that need escaping",
    workflow: Workflow.parse({
      stages: [
        { id: "a", name: 'Say "hi"' },
        { id: "b", name: "x < y > z", depends_on: ["a"] },
        { id: "c", name: '<b>"bold"</b>', type: "gate", depends_on: ["b"] },
      ],
    }),
  },
];

describe("renderMermaid", () => {
  it.each(WORKFLOWS)(
    "draws $name node for node, edge for edge",
    ({ workflow }) => {
      const parsed = parseMermaid(renderMermaid(workflow));
      expect(parsed.header).toBe("flowchart TD");
      expect(parsed.unknown).toStrictEqual([]);
      const expected = expectedGraph(workflow);
      expect(parsed.nodes).toStrictEqual(expected.nodes);
      expect(parsed.edges).toStrictEqual(expected.edges);
    },
  );

  it("draws the default workflow as a chain ending in a hexagon", () => {
    expect(renderMermaid(defaultWorkflow())).toBe(
      [
        "flowchart TD",
        '  s0["Specify"]',
        '  s1["Plan"]',
        '  s2["Tasks"]',
        '  s3["Analyze"]',
        '  s4{{"Implement"}}',
        "  s0 --> s1",
        "  s1 --> s2",
        "  s2 --> s3",
        "  s3 --> s4",
        "",
      ].join("\n"),
    );
  });

  it("escapes quotes and angle brackets in labels", () => {
    const text = renderMermaid(
      Workflow.parse({
        stages: [
          { id: "a", name: 'Say "hi"' },
          { id: "b", name: "<b>x</b> > y", type: "gate" },
        ],
      }),
    );
    expect(text).toContain('  s0["Say #quot;hi#quot;"]');
    expect(text).toContain('  s1{{"#lt;b#gt;x#lt;/b#gt; #gt; y"}}');
  });

  it("uses s0, s1, … whatever the stage ids are", () => {
    const parsed = parseMermaid(
      renderMermaid(
        Workflow.parse({
          stages: [{ id: "end" }, { id: "graph", depends_on: ["end"] }],
        }),
      ),
    );
    expect(parsed.nodes.map((n) => n.id)).toStrictEqual(["s0", "s1"]);
    expect(parsed.edges).toStrictEqual([["s0", "s1"]]);
  });

  it("dashes conditional stages", () => {
    const parsed = parseMermaid(renderMermaid(DIAMOND));
    expect(parsed.classDefs).toStrictEqual(
      new Map([["conditional", "stroke-dasharray: 5 5"]]),
    );
    expect(parsed.classes).toStrictEqual(new Map([["conditional", ["s2"]]]));
  });

  it("writes no classes when nothing is conditional and no statuses", () => {
    const parsed = parseMermaid(renderMermaid(defaultWorkflow()));
    expect(parsed.classDefs.size).toBe(0);
    expect(parsed.classes.size).toBe(0);
  });
});

interface StatusCase {
  name: string;
  workflow: Workflow;
  statuses: [string, StageStatus][];
  expected: Record<string, StageStatus>;
}

const statusCases: StatusCase[] = [
  {
    name: "every stage pending when the map is empty",
    workflow: defaultWorkflow(),
    statuses: [],
    expected: {
      s0: "pending",
      s1: "pending",
      s2: "pending",
      s3: "pending",
      s4: "pending",
    },
  },
  {
    name: "a run part way through",
    workflow: defaultWorkflow(),
    statuses: [
      ["specify", "succeeded"],
      ["plan", "succeeded"],
      ["tasks", "running"],
    ],
    expected: {
      s0: "succeeded",
      s1: "succeeded",
      s2: "running",
      s3: "pending",
      s4: "pending",
    },
  },
  {
    name: "a conditional stage keeps both classes",
    workflow: DIAMOND,
    statuses: [
      ["specify", "succeeded"],
      ["plan", "failed"],
      ["tasks", "skipped"],
      ["implement", "waiting_approval"],
    ],
    expected: {
      s0: "succeeded",
      s1: "failed",
      s2: "skipped",
      s3: "waiting_approval",
    },
  },
  {
    name: "every status at once",
    workflow: Workflow.parse({
      stages: STAGE_STATUSES.map((_, i) => ({ id: `st${i}` })),
    }),
    statuses: STAGE_STATUSES.map((status, i) => [`st${i}`, status]),
    expected: Object.fromEntries(
      STAGE_STATUSES.map((status, i) => [`s${i}`, status]),
    ),
  },
];

describe("renderMermaid with statuses", () => {
  it.each(statusCases)("$name", ({ workflow, statuses, expected }) => {
    const parsed = parseMermaid(renderMermaid(workflow, new Map(statuses)));
    expect(parsed.unknown).toStrictEqual([]);
    expect(parsed.nodes).toStrictEqual(expectedGraph(workflow).nodes);

    const statusOf: Record<string, StageStatus> = {};
    const known: readonly string[] = STAGE_STATUSES;
    for (const [name, ids] of parsed.classes) {
      if (name === "conditional") continue;
      expect(known).toContain(name);
      expect(parsed.classDefs.get(name)).toMatch(
        /^fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#[0-9a-f]{6}$/,
      );
      for (const id of ids) {
        expect(statusOf[id]).toBeUndefined();
        statusOf[id] = name as StageStatus;
      }
    }
    expect(statusOf).toStrictEqual(expected);

    // Only the statuses in use are defined, plus `conditional` if needed.
    const used = new Set(Object.values(expected));
    const conditional = workflow.stages.some((s) => s.condition !== undefined);
    expect([...parsed.classDefs.keys()].sort()).toStrictEqual(
      [...used, ...(conditional ? ["conditional"] : [])].sort(),
    );
  });

  it("colours failures apart from successes", () => {
    const parsed = parseMermaid(
      renderMermaid(
        Workflow.parse({ stages: [{ id: "a" }, { id: "b" }] }),
        new Map<string, StageStatus>([
          ["a", "succeeded"],
          ["b", "failed"],
        ]),
      ),
    );
    expect(parsed.classDefs.get("succeeded")).not.toBe(
      parsed.classDefs.get("failed"),
    );
  });

  it("groups the nodes of one status on one class line", () => {
    const text = renderMermaid(
      defaultWorkflow(),
      new Map<string, StageStatus>([
        ["specify", "succeeded"],
        ["tasks", "succeeded"],
      ]),
    );
    expect(text).toContain("  class s0,s2 succeeded\n");
    expect(text).toContain("  class s1,s3,s4 pending\n");
  });
});
