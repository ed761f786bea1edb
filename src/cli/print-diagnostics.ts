import { type Diagnostic, formatDiagnostic } from "../workflow/diagnostic.js";
import type { CliIo } from "./io.js";

/** Prints every diagnostic as `file:line:col: message`, then a count. */
export function printDiagnostics(
  io: CliIo,
  file: string,
  diagnostics: readonly Diagnostic[],
): void {
  for (const diagnostic of diagnostics)
    io.stderr(`${formatDiagnostic(file, diagnostic)}\n`);
  const n = diagnostics.length;
  io.stderr(`${n} problem${n === 1 ? "" : "s"} in ${file}\n`);
}
