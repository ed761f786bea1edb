import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { RunFolderError } from "../local/run-folder/index.js";
import { packageRoot } from "../package-root.js";
import { cancelCommand, resumeCommand } from "./control-commands.js";
import { approveCommand, rejectCommand } from "./gate-commands.js";
import { type CliIo, EXIT, UsageError } from "./io.js";
import { RepositoryError } from "./local/repository.js";
import { processTerminal, type Terminal } from "./local/terminal.js";
import { planCommand } from "./plan-command.js";
import { runCommand } from "./run-command.js";
import { runsCommand } from "./runs-command.js";
import { validateCommand } from "./validate-command.js";

export const MAIN_HELP = `Usage: specwright <command> [options]

Specwright runs GitHub Spec Kit's stages on GitHub with AI coding agents.

Commands:
  validate [file]        check a configuration file and its workflow
  plan [file]            show the execution plan of a workflow
  run [file]             run a workflow here, with your agent CLI
  runs [run]             list local runs, or show one
  approve <run> [stage]  approve a gate that waits
  reject <run> [stage]   reject a gate that waits
  cancel <run>           cancel a run
  resume <run>           go on with a run after a failure, cancel, crash or gate

Options:
  -h, --help        show this help (or a command's, after the command)
  -v, --version     print the version

Run 'specwright <command> --help' for a command's options.
`;

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> =
  {
    validate: validateCommand,
    plan: planCommand,
    run: runCommand,
    runs: runsCommand,
    approve: approveCommand,
    reject: rejectCommand,
    cancel: cancelCommand,
    resume: resumeCommand,
  };

function version(): string {
  const require = createRequire(import.meta.url);
  return (require(join(packageRoot(), "package.json")) as { version: string })
    .version;
}

/**
 * Runs the CLI and returns its exit status. Problems with the arguments are
 * explained on stderr with a pointer to --help; nothing ever prints a stack
 * trace.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  const [name, ...args] = argv;
  if (
    name === undefined ||
    name === "-h" ||
    name === "--help" ||
    name === "help"
  ) {
    io[name === undefined ? "stderr" : "stdout"](MAIN_HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "-v" || name === "--version") {
    io.stdout(`${version()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(
      `specwright: unknown command '${name}'; commands: ${Object.keys(COMMANDS).join(", ")}\nRun 'specwright --help' for usage.\n`,
    );
    return EXIT.usage;
  }
  try {
    return await command(args, io);
  } catch (error) {
    if (error instanceof RepositoryError || error instanceof RunFolderError) {
      io.stderr(`specwright ${name}: ${error.message}\n`);
      return EXIT.invalid;
    }
    const message = usageMessage(error);
    if (message !== undefined) {
      io.stderr(
        `specwright ${name}: ${message}\nRun 'specwright ${name} --help' for usage.\n`,
      );
      return EXIT.usage;
    }
    io.stderr(
      `specwright ${name}: internal error: ${(error as Error)?.message ?? String(error)}\nPlease report this at https://github.com/specwright/specwright/issues.\n`,
    );
    return EXIT.internal;
  }
}

/** The message of a usage error (ours, or `util.parseArgs`'s), else undefined. */
function usageMessage(error: unknown): string | undefined {
  if (error instanceof UsageError) return error.message;
  const { code, message } = error as { code?: unknown; message?: string };
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS"))
    return undefined;
  const option = /[Uu]nknown option '([^']+)'/.exec(message ?? "")?.[1];
  if (option !== undefined) return `unknown option '${option}'`;
  const missing = /Option '([^']+)' argument missing/.exec(message ?? "")?.[1];
  if (missing !== undefined) return `option '${missing}' needs a value`;
  return message?.split(". ")[0] ?? String(code);
}

/** The `specwright` executable. */
export async function main(argv: readonly string[]): Promise<void> {
  let terminal: Terminal | undefined;
  process.exitCode = await runCli(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readFile: (path) => readFile(path, "utf8"),
    terminal: () => (terminal ??= processTerminal()),
  });
  terminal?.release();
}
