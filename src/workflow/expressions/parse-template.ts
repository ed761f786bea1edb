import type { Expression } from "./ast.js";
import { evaluateExpression, type Scope } from "./evaluate-expression.js";
import { ExpressionError } from "./expression-error.js";
import { parseExpression } from "./parse-expression.js";
import { toText, type Value } from "./values.js";

export type TemplatePart =
  | { kind: "text"; text: string }
  | {
      kind: "expression";
      expression: Expression;
      /** Offset of the expression's source inside the template text. */
      offset: number;
    };

const OPEN = "${{";

/** True when the text contains a `${{ }}` expression. */
export function hasExpressions(text: string): boolean {
  return text.includes(OPEN);
}

/**
 * Splits text with `${{ … }}` expressions into parts. Errors carry offsets
 * into `text`. A `}}` inside a quoted string does not close the expression.
 */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let cursor = 0;
  for (;;) {
    const open = text.indexOf(OPEN, cursor);
    if (open === -1) break;
    if (open > cursor)
      parts.push({ kind: "text", text: text.slice(cursor, open) });
    const sourceStart = open + OPEN.length;
    let inString = false;
    let close = -1;
    for (let i = sourceStart; i < text.length; i++) {
      const c = text[i];
      if (c === "'") inString = !inString;
      else if (!inString && c === "}" && text[i + 1] === "}") {
        close = i;
        break;
      }
    }
    if (close === -1) {
      throw new ExpressionError(
        "'${{' is never closed: expected '}}'",
        open,
        open + OPEN.length,
      );
    }
    const source = text.slice(sourceStart, close);
    let expression: Expression;
    try {
      expression = parseExpression(source);
    } catch (error) {
      if (error instanceof ExpressionError) {
        throw new ExpressionError(
          error.message,
          error.start + sourceStart,
          error.end + sourceStart,
        );
      }
      throw error;
    }
    parts.push({ kind: "expression", expression, offset: sourceStart });
    cursor = close + 2;
  }
  if (cursor < text.length || parts.length === 0) {
    parts.push({ kind: "text", text: text.slice(cursor) });
  }
  return parts;
}

/**
 * The single expression of a template that is nothing but `${{ … }}`
 * (surrounding white space allowed), else `undefined`.
 */
export function soleExpression(
  parts: readonly TemplatePart[],
): TemplatePart | undefined {
  const expressions = parts.filter((part) => part.kind === "expression");
  const onlyBlankText = parts.every(
    (part) => part.kind === "expression" || part.text.trim() === "",
  );
  return expressions.length === 1 && onlyBlankText ? expressions[0] : undefined;
}

/**
 * Evaluates a template: a lone `${{ }}` keeps its value's type; text mixed
 * with expressions becomes a string.
 */
export function evaluateTemplate(
  parts: readonly TemplatePart[],
  scope: Scope,
): Value {
  const sole = soleExpression(parts);
  if (sole?.kind === "expression")
    return evaluateExpression(sole.expression, scope);
  let out = "";
  for (const part of parts) {
    out +=
      part.kind === "text"
        ? part.text
        : toText(evaluateExpression(part.expression, scope));
  }
  return out;
}

/**
 * Parses a `condition`: either a bare expression or one `${{ }}`, as in a
 * GitHub Actions `if:`. Offsets in errors and in the result are into `text`.
 */
export function parseCondition(text: string): {
  expression: Expression;
  offset: number;
} {
  if (!hasExpressions(text)) {
    return { expression: parseExpression(text), offset: 0 };
  }
  const parts = parseTemplate(text);
  const sole = soleExpression(parts);
  if (sole?.kind !== "expression") {
    throw new ExpressionError(
      "a condition that mixes text with ${{ }} is always true: put the whole condition inside one ${{ }}",
      0,
      text.length,
    );
  }
  return { expression: sole.expression, offset: sole.offset };
}
