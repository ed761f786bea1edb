import { parseArgs } from "node:util";
import { planWorkflow } from "../workflow/plan/plan-workflow.js";
import { renderMermaid } from "../workflow/plan/render-mermaid.js";
import { renderPlanText } from "../workflow/plan/render-plan-text.js";
import { resolveParameters } from "../workflow/plan/resolve-parameters.js";
import { type CliIo, EXIT, UsageError } from "./io.js";
import { parseParams } from "./local/parse-options.js";
import { printDiagnostics } from "./print-diagnostics.js";
import { DEFAULT_CONFIG_FILE, readConfigFile } from "./read-config-file.js";

export const PLAN_HELP = `Usage: specwright plan [file] [--param key=value]… [--format text|json|mermaid]

Shows how a workflow would run: stages grouped into batches that can run in
parallel, in dependency order, with each stage's agent, skill, inputs,
outputs, gate and limits. Conditions that only read parameters are decided.

Arguments:
  file                   the configuration file (default: ${DEFAULT_CONFIG_FILE})

Options:
  -p, --param key=value  a workflow parameter (repeatable); numbers, booleans
                         and JSON objects or arrays are converted to the
                         parameter's declared type
  -f, --format FORMAT    text (default), json, or mermaid (a flowchart)
  -h, --help             show this help

Exit status: 0 planned, 1 invalid file, 2 usage error.
`;

const FORMATS = ["text", "json", "mermaid"] as const;

/** `specwright plan [file] [--param key=value]… [--format text|json|mermaid]` */
export async function planCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      help: { type: "boolean", short: "h" },
      param: { type: "string", short: "p", multiple: true, default: [] },
      format: { type: "string", short: "f", default: "text" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout(PLAN_HELP);
    return EXIT.ok;
  }
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) {
    throw new UsageError(
      `--format must be one of ${FORMATS.join(", ")}, got '${values.format}'`,
    );
  }
  if (positionals.length > 1) {
    throw new UsageError(
      `expected at most one file, got ${positionals.length}`,
    );
  }
  const supplied = parseParams(values.param);
  const file = positionals[0] ?? DEFAULT_CONFIG_FILE;
  const result = await readConfigFile(io, positionals[0]);
  if (!result.ok) {
    printDiagnostics(io, file, result.diagnostics);
    return EXIT.invalid;
  }
  const { config, workflow, graph } = result;
  const parameters = resolveParameters(workflow.parameters, supplied);
  if (parameters.errors.length > 0) {
    throw new UsageError(parameters.errors.join("\n"));
  }
  const plan = planWorkflow({
    workflow,
    graph,
    parameters: parameters.values,
    agent: config.agent,
    fallback: config.skills.fallback,
  });
  if (format === "json") io.stdout(`${JSON.stringify(plan, null, 2)}\n`);
  else if (format === "mermaid") io.stdout(renderMermaid(workflow));
  else io.stdout(renderPlanText(plan));
  return EXIT.ok;
}
