// @ts-check
// The stage graph, drawn as SVG: one column per batch (stages of a batch
// may run at once), an arrow for each `needs`, each node's status in
// colour, icon and words. Nodes are buttons: Tab to one, Enter or Space
// selects it.

import { svg } from "./dom.js";
import { describeStatus } from "./status-text.js";

/** @typedef {import("./types.js").StageView} StageView */

const NODE_W = 176;
const NODE_H = 56;
const COL_GAP = 56;
const ROW_GAP = 20;
const PAD = 12;
const NAME_MAX = 20;

/**
 * Each stage's top-left corner: columns in batch order (gaps closed),
 * rows in workflow order within a column.
 * @param {readonly StageView[]} stages
 */
function layout(stages) {
  const batches = [...new Set(stages.map((s) => s.batch))].sort(
    (a, b) => a - b,
  );
  /** @type {Map<string, { x: number, y: number }>} */
  const at = new Map();
  /** @type {number[]} */
  const rows = batches.map(() => 0);
  for (const stage of stages) {
    const col = batches.indexOf(stage.batch);
    const row = rows[col] ?? 0;
    rows[col] = row + 1;
    at.set(stage.id, {
      x: PAD + col * (NODE_W + COL_GAP),
      y: PAD + row * (NODE_H + ROW_GAP),
    });
  }
  const maxRows = Math.max(1, ...rows);
  return {
    at,
    width: PAD * 2 + batches.length * NODE_W + (batches.length - 1) * COL_GAP,
    height: PAD * 2 + maxRows * NODE_H + (maxRows - 1) * ROW_GAP,
  };
}

/**
 * @param {{ x: number, y: number }} from
 * @param {{ x: number, y: number }} to
 */
function edgePath(from, to) {
  const x1 = from.x + NODE_W;
  const y1 = from.y + NODE_H / 2;
  const x2 = to.x - 2;
  const y2 = to.y + NODE_H / 2;
  const bend = Math.max(24, Math.abs(x2 - x1) / 2);
  return `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
}

/**
 * @param {StageView} stage
 * @param {readonly StageView[]} stages
 */
function nodeLabel(stage, stages) {
  const needs = stage.needs
    .map((id) => stages.find((s) => s.id === id)?.name ?? id)
    .join(", ");
  return [
    `${stage.name}: ${describeStatus(stage.status).text}`,
    stage.gate ? "gate" : "",
    needs ? `needs ${needs}` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

/**
 * @param {readonly StageView[]} stages
 * @param {string | null} selected the selected stage's id
 * @param {(id: string) => void} onSelect
 */
export function renderStageGraph(stages, selected, onSelect) {
  const { at, width, height } = layout(stages);
  const edges = stages.flatMap((stage) =>
    stage.needs.flatMap((need) => {
      const from = at.get(need);
      const to = at.get(stage.id);
      if (!from || !to) return [];
      return [
        svg("path", {
          class: "edge",
          d: edgePath(from, to),
          "marker-end": "url(#arrow)",
          "data-from": need,
          "data-to": stage.id,
        }),
      ];
    }),
  );
  const nodes = stages.map((stage) => {
    const { x, y } = at.get(stage.id) ?? { x: 0, y: 0 };
    const { icon, text } = describeStatus(stage.status);
    const name =
      stage.name.length > NAME_MAX
        ? `${stage.name.slice(0, NAME_MAX - 1)}…`
        : stage.name;
    const label = nodeLabel(stage, stages);
    const node = svg(
      "g",
      {
        class: `node status-${stage.status}`,
        transform: `translate(${x},${y})`,
        tabindex: 0,
        role: "button",
        "aria-label": label,
        "aria-pressed": stage.id === selected ? "true" : "false",
        "data-stage": stage.id,
        "data-focus-key": `stage:${stage.id}`,
      },
      svg("title", {}, label),
      svg("rect", { class: "node-box", width: NODE_W, height: NODE_H, rx: 8 }),
      svg("text", { class: "node-name", x: 12, y: 23 }, name),
      svg("text", { class: "node-status", x: 12, y: 43 }, `${icon} ${text}`),
      stage.gate &&
        svg("text", { class: "node-gate", x: NODE_W - 10, y: 23 }, "gate"),
    );
    node.addEventListener("click", () => onSelect(stage.id));
    node.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      onSelect(stage.id);
    });
    return node;
  });
  return svg(
    "svg",
    {
      class: "graph",
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "group",
      "aria-label": `Stage graph, ${stages.length} stages`,
    },
    svg(
      "defs",
      {},
      svg(
        "marker",
        {
          id: "arrow",
          viewBox: "0 0 8 8",
          refX: 7,
          refY: 4,
          markerWidth: 8,
          markerHeight: 8,
          orient: "auto",
        },
        svg("path", { class: "arrow", d: "M0,0 L8,4 L0,8 z" }),
      ),
    ),
    svg("g", { class: "edges" }, ...edges),
    svg("g", { class: "nodes" }, ...nodes),
  );
}
