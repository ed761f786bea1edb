import { type CliIo, UsageError } from "../io.js";
import type { Terminal } from "./terminal.js";

/** The terminal a local-run command works with; every real CLI has one. */
export function localTerminal(io: CliIo): Terminal {
  if (io.terminal === undefined)
    throw new UsageError(
      "this command runs workflows and needs a process to run in",
    );
  return io.terminal();
}
