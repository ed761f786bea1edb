import { ExpressionError } from "./expression-error.js";

export type TokenKind = "number" | "string" | "identifier" | "operator" | "end";

export interface Token {
  kind: TokenKind;
  /** The literal's value, the identifier's name, or the operator's text. */
  value: string | number;
  start: number;
  end: number;
}

/** Two-character operators, then one-character ones. */
const DOUBLE_OPERATORS = new Set(["==", "!=", "<=", ">=", "&&", "||"]);
const SINGLE_OPERATORS = new Set("<>!()[].,?:*");

const isDigit = (c: string) => c >= "0" && c <= "9";
const isIdentifierStart = (c: string) =>
  (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
const isIdentifierPart = (c: string) =>
  isIdentifierStart(c) || isDigit(c) || c === "-";
const isSpace = (c: string) =>
  c === " " || c === "\t" || c === "\n" || c === "\r";

// JSON numbers, plus hexadecimal (0x1F) as in GitHub Actions expressions.
const NUMBER =
  /-?(?:0[xX][0-9a-fA-F]+|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/y;

/**
 * Splits an expression into tokens. Strings use single quotes, with `''` for
 * a literal quote, as in GitHub Actions. Identifiers may contain `-`
 * (`stages.frontend-impl.outputs`).
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= source.length) {
          throw new ExpressionError(
            "unterminated string: expected a closing '",
            start,
            source.length,
          );
        }
        const d = source[i] as string;
        if (d === "'") {
          if (source[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += d;
        i++;
      }
      tokens.push({ kind: "string", value, start, end: i });
      continue;
    }
    if (c === '"') {
      throw new ExpressionError(
        "strings use single quotes, as in 'text'",
        start,
        start + 1,
      );
    }
    const previous = tokens[tokens.length - 1];
    const negativeAllowed =
      previous === undefined ||
      (previous.kind === "operator" &&
        previous.value !== ")" &&
        previous.value !== "]");
    if (
      isDigit(c) ||
      (c === "." && isDigit(source[i + 1] ?? "")) ||
      (c === "-" && negativeAllowed)
    ) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(source);
      if (match) {
        const text = match[0];
        i += text.length;
        if (isIdentifierPart(source[i] ?? "")) {
          throw new ExpressionError(
            `invalid number '${text}${source[i]}'`,
            start,
            i + 1,
          );
        }
        const negative = text.startsWith("-");
        const body = negative ? text.slice(1) : text;
        const magnitude = /^0x/i.test(body)
          ? Number.parseInt(body.slice(2), 16)
          : Number(body);
        tokens.push({
          kind: "number",
          value: negative ? -magnitude : magnitude,
          start,
          end: i,
        });
        continue;
      }
    }
    if (isIdentifierStart(c)) {
      i++;
      while (i < source.length && isIdentifierPart(source[i] as string)) i++;
      tokens.push({
        kind: "identifier",
        value: source.slice(start, i),
        start,
        end: i,
      });
      continue;
    }
    const pair = source.slice(i, i + 2);
    const operator = DOUBLE_OPERATORS.has(pair)
      ? pair
      : SINGLE_OPERATORS.has(c)
        ? c
        : undefined;
    if (operator !== undefined) {
      i += operator.length;
      tokens.push({ kind: "operator", value: operator, start, end: i });
      continue;
    }
    const hint =
      c === "="
        ? " (use == to compare)"
        : c === "&" || c === "|"
          ? ` (use ${c}${c})`
          : "";
    throw new ExpressionError(
      `unexpected character '${c}'${hint}`,
      start,
      start + 1,
    );
  }
  tokens.push({
    kind: "end",
    value: "",
    start: source.length,
    end: source.length,
  });
  return tokens;
}
