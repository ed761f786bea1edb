import type { Terminal } from "./local/terminal.js";

/** What the CLI touches outside itself, so tests can drive it in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readFile: (path: string) => Promise<string>;
  /** The process, for the commands that run workflows here (made when first needed). */
  terminal?: () => Terminal;
}

/** Exit codes: 0 valid, 1 invalid input file, 2 usage error, 3 internal error. */
export const EXIT = { ok: 0, invalid: 1, usage: 2, internal: 3 } as const;

/** A mistake in how the command was called; printed with a pointer to --help. */
export class UsageError extends Error {
  override name = "UsageError";
}
