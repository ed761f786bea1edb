// `npm run bench`: the workflow language's budgets. Prints the median, p95
// and minimum of many runs after a warm-up; record the figures in
// docs/performance.md. Not a test: nothing here fails on a slow machine.
import { cpus, totalmem } from "node:os";
import { loadConfig } from "../src/config/load-config.js";
import { checkWorkflow } from "../src/workflow/check-workflow.js";
import { planWorkflow } from "../src/workflow/plan/plan-workflow.js";
import { renderPlanText } from "../src/workflow/plan/render-plan-text.js";
import { resolveParameters } from "../src/workflow/plan/resolve-parameters.js";
import { Workflow } from "../src/workflow/schema.js";
import { measureDashboard } from "./dashboard.js";
import { measureListRuns } from "./list-runs.js";
import { measureLocalOverhead } from "./local-run.js";
import { layeredWorkflow, wideWorkflowYaml } from "./workflows.js";

interface Result {
  name: string;
  budget: number;
  median: number;
  p95: number;
  min: number;
  runs: number;
}

function measure(
  name: string,
  budget: number,
  runs: number,
  fn: () => unknown,
): Result {
  for (let i = 0; i < Math.min(50, runs); i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) =>
    times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return {
    name,
    budget,
    median: at(0.5),
    p95: at(0.95),
    min: times[0] ?? 0,
    runs,
  };
}

function assertOk<T extends { ok: boolean }>(result: T): T & { ok: true } {
  if (!result.ok) throw new Error("benchmark input is invalid");
  return result as T & { ok: true };
}

const wide = wideWorkflowYaml(200);
assertOk(loadConfig(wide));

const layered = Workflow.parse(layeredWorkflow(20, 50));
const plan = () => {
  const { graph, diagnostics } = checkWorkflow(layered, ["workflow"]);
  if (diagnostics.length > 0) throw new Error("benchmark input is invalid");
  const { values } = resolveParameters(layered.parameters, {});
  return renderPlanText(
    planWorkflow({ workflow: layered, graph, parameters: values }),
  );
};
plan();
const layeredYaml = `workflow: ${JSON.stringify(layeredWorkflow(20, 50))}\n`;

const results = [
  measure("parse + validate, 200-stage workflow (YAML text)", 5, 500, () =>
    loadConfig(wide),
  ),
  measure(
    "plan, 1,000-stage layered DAG (check + batches + text)",
    25,
    200,
    plan,
  ),
  measure("parse + validate + plan, 1,000-stage file", 0, 50, () => {
    const result = assertOk(loadConfig(layeredYaml));
    const { values } = resolveParameters(result.workflow.parameters, {});
    return renderPlanText(
      planWorkflow({
        workflow: result.workflow,
        graph: result.graph,
        parameters: values,
      }),
    );
  }),
];

/** Figures measured elsewhere, summarised like `measure`'s. */
function summarise(name: string, budget: number, times: number[]): Result {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    name,
    budget,
    median: at(0.5),
    p95: at(0.95),
    min: sorted[0] ?? 0,
    runs: sorted.length,
  };
}

const local = await measureLocalOverhead();
results.push(
  summarise(
    "local run: Specwright's own time per stage (no-op agent), `specwright run`",
    50,
    local.overheads,
  ),
  summarise("local run: the no-op agent's own time per stage", 0, local.agent),
);
for (const { name, times } of await measureListRuns())
  results.push(summarise(name, 30, times));
for (const { name, times, budget } of await measureDashboard())
  results.push(summarise(name, budget, times));

const cpu = cpus();
process.stdout.write(
  `Machine: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}\n`,
);
process.stdout.write(
  `Input: ${wide.length.toLocaleString("en")} bytes of YAML for 200 stages\n\n`,
);
process.stdout.write(
  "| benchmark | median | p95 | min | budget | runs |\n| --- | --- | --- | --- | --- | --- |\n",
);
for (const r of results) {
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  const budget =
    r.budget > 0
      ? `≤ ${r.budget} ms ${r.median <= r.budget ? "(met)" : "(MISSED)"}`
      : "—";
  process.stdout.write(
    `| ${r.name} | ${ms(r.median)} | ${ms(r.p95)} | ${ms(r.min)} | ${budget} | ${r.runs} |\n`,
  );
}
