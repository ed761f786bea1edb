/** A path into the parsed configuration value, e.g. `["workflow", "stages", 2, "id"]`. */
export type ValuePath = readonly (string | number)[];

/**
 * One problem found in a configuration or workflow file.
 *
 * Checks that work on parsed values report a `path`; the text layer turns it
 * into a line and column (see `src/config/locate-diagnostics.ts`).
 */
export interface Diagnostic {
  message: string;
  path: ValuePath;
  /** Point at the key of the entry at `path` rather than at its value. */
  target?: "key" | "value";
  /**
   * Character offset inside the string value at `path` (for a problem inside
   * an expression or template).
   */
  offset?: number;
  /** 1-based line and column, once located in the source text. */
  line?: number;
  column?: number;
}

/** Formats a diagnostic the way compilers do: `file:line:col: message`. */
export function formatDiagnostic(file: string, diagnostic: Diagnostic): string {
  const line = diagnostic.line ?? 1;
  const column = diagnostic.column ?? 1;
  return `${file}:${line}:${column}: ${diagnostic.message}`;
}

/** Renders a value path as `workflow.stages[2].id`. */
export function formatPath(path: ValuePath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}
