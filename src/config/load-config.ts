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
  const located = result.diagnostics.map(createLocator(text));
  return { ok: false, diagnostics: sortByPosition(located) };
}

function sortByPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(
    (a, b) =>
      (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}

/**
 * Reports every syntax error: js-yaml's (the parser that failed, and the
 * more precise message), then any further errors the `yaml` parser finds on
 * other lines, since it does not stop at the first one.
 */
function syntaxErrors(text: string, error: unknown): Diagnostic[] {
  if (!(error instanceof jsyaml.YAMLException)) throw error;
  const doc = parseDocument(text, {
    lineCounter: new LineCounter(),
    uniqueKeys: true,
  });
  const multiple = doc.errors.find((e) => e.code === "MULTIPLE_DOCS");
  const at = multiple?.linePos?.[0];
  const first: Diagnostic = at
    ? {
        message:
          "invalid YAML: the file must hold one document; remove the '---' separator",
        path: [],
        line: at.line,
        column: at.col,
      }
    : {
        message: `invalid YAML: ${error.reason}`,
        path: [],
        line: (error.mark?.line ?? 0) + 1,
        column: (error.mark?.column ?? 0) + 1,
      };
  const more: Diagnostic[] = [];
  for (const e of doc.errors) {
    const position = e.linePos?.[0];
    if (
      e === multiple ||
      position === undefined ||
      position.line === first.line
    ) {
      continue;
    }
    const message = (e.message.split("\n")[0] ?? "").replace(
      / at line \d+, column \d+:?$/,
      "",
    );
    more.push({
      message: `invalid YAML: ${message}`,
      path: [],
      line: position.line,
      column: position.col,
    });
  }
  return sortByPosition([first, ...more]);
}
