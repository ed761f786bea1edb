import jsyaml from "js-yaml";
import { LineCounter, parseDocument } from "yaml";
import type { Diagnostic } from "../workflow/diagnostic.js";
import { type CheckConfigResult, checkConfig } from "./check-config.js";
import { createLocator } from "./locate-diagnostics.js";

/**
 * Parses and checks the text of `.github/specwright.yml` (YAML, or JSON,
 * which is YAML too). Every diagnostic carries a line and column.
 */
export function loadConfig(text: string): CheckConfigResult {
  let value: unknown;
  try {
    value = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
  } catch (error) {
    return { ok: false, diagnostics: syntaxErrors(text, error) };
  }
  const result = checkConfig(value);
  if (result.ok) return result;
  const locate = createLocator(text);
  const located = result.diagnostics.map(locate);
  located.sort(
    (a, b) =>
      (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
  return { ok: false, diagnostics: located };
}

/**
 * Reports every syntax error, using the `yaml` parser's messages (it
 * collects all of them); falls back to js-yaml's single error.
 */
function syntaxErrors(text: string, error: unknown): Diagnostic[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return doc.errors.map((e) => ({
      message: `invalid YAML: ${(e.message.split("\n")[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, "")}`,
      path: [],
      line: e.linePos?.[0].line ?? 1,
      column: e.linePos?.[0].col ?? 1,
    }));
  }
  if (error instanceof jsyaml.YAMLException) {
    return [
      {
        message: `invalid YAML: ${error.reason}`,
        path: [],
        line: (error.mark?.line ?? 0) + 1,
        column: (error.mark?.column ?? 0) + 1,
      },
    ];
  }
  throw error;
}
