import { parseArgs } from "node:util";
import { type CliIo, EXIT, UsageError } from "./io.js";
import { printDiagnostics } from "./print-diagnostics.js";
import { DEFAULT_CONFIG_FILE, readConfigFile } from "./read-config-file.js";

export const VALIDATE_HELP = `Usage: specwright validate [file]

Checks a Specwright configuration file and its workflow: the schema, the
stage graph (unknown dependencies, cycles), every \${{ }} expression, skills
and prompts. Prints every problem as file:line:col: message.

Arguments:
  file          the file to check (default: ${DEFAULT_CONFIG_FILE})

Options:
  -h, --help    show this help

Exit status: 0 valid, 1 invalid, 2 usage error.
`;

/** `specwright validate [file]` */
export async function validateCommand(
  args: string[],
  io: CliIo,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout(VALIDATE_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 1) {
    throw new UsageError(
      `expected at most one file, got ${positionals.length}`,
    );
  }
  const file = positionals[0] ?? DEFAULT_CONFIG_FILE;
  const result = await readConfigFile(io, positionals[0]);
  if (!result.ok) {
    printDiagnostics(io, file, result.diagnostics);
    return EXIT.invalid;
  }
  const { workflow } = result;
  const stages = workflow.stages.length;
  io.stdout(
    `${file}: valid — workflow "${workflow.name}"${result.usesDefaultWorkflow ? " (built in)" : ""}, ${stages} stage${stages === 1 ? "" : "s"}\n`,
  );
  return EXIT.ok;
}
