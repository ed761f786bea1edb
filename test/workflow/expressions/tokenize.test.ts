import { describe, expect, it } from "vitest";
import { ExpressionError } from "../../../src/workflow/expressions/expression-error.js";
import {
  type Token,
  type TokenKind,
  tokenize,
} from "../../../src/workflow/expressions/tokenize.js";
import { thrown } from "../../support/thrown.js";

/** `kind value start-end`, so a whole token list fits on one line. */
function show(token: Token): string {
  const value =
    token.kind === "string" ? `'${token.value}'` : String(token.value);
  return `${token.kind} ${value} ${token.start}-${token.end}`;
}

function tokens(source: string): string[] {
  return tokenize(source).map(show);
}

interface TokensCase {
  source: string;
  expected: string[];
}

describe("tokenize", () => {
  it.each<TokensCase>([
    { source: "", expected: ["end  0-0"] },
    { source: " \t\r\n", expected: ["end  4-4"] },
    {
      source: "a.b",
      expected: [
        "identifier a 0-1",
        "operator . 1-2",
        "identifier b 2-3",
        "end  3-3",
      ],
    },
    {
      source: "stages.frontend-impl.outputs",
      expected: [
        "identifier stages 0-6",
        "operator . 6-7",
        "identifier frontend-impl 7-20",
        "operator . 20-21",
        "identifier outputs 21-28",
        "end  28-28",
      ],
    },
    {
      source: "_x9 A_b-",
      expected: ["identifier _x9 0-3", "identifier A_b- 4-8", "end  8-8"],
    },
    {
      source: "  parameters [ 'a' ]",
      expected: [
        "identifier parameters 2-12",
        "operator [ 13-14",
        "string 'a' 15-18",
        "operator ] 19-20",
        "end  20-20",
      ],
    },
  ])("splits $source", ({ source, expected }) => {
    expect(tokens(source)).toEqual(expected);
  });

  it.each<[string, number]>([
    ["0", 0],
    ["711", 711],
    ["-9.2", -9.2],
    ["0xff", 255],
    ["0xFF", 255],
    ["0X1F", 31],
    ["0Xff", 255],
    ["-0x10", -16],
    ["-0X10", -16],
    ["-2.99e-2", -0.0299],
    ["1E3", 1000],
    ["1e+2", 100],
    [".5", 0.5],
    ["-.5", -0.5],
    ["1.", 1],
    ["007", 7],
    ["1e999", Number.POSITIVE_INFINITY],
    // `-Infinity` is one number wherever a negative number may start.
    ["-Infinity", Number.NEGATIVE_INFINITY],
  ])("reads the number %s as %d", (source, value) => {
    expect(tokenize(source)).toEqual([
      { kind: "number", value, start: 0, end: source.length },
      { kind: "end", value: "", start: source.length, end: source.length },
    ]);
  });

  it.each<TokensCase>([
    {
      source: "1 == -1",
      expected: [
        "number 1 0-1",
        "operator == 2-4",
        "number -1 5-7",
        "end  7-7",
      ],
    },
    {
      source: "a[-1]",
      expected: [
        "identifier a 0-1",
        "operator [ 1-2",
        "number -1 2-4",
        "operator ] 4-5",
        "end  5-5",
      ],
    },
    {
      source: "(-1)",
      expected: [
        "operator ( 0-1",
        "number -1 1-3",
        "operator ) 3-4",
        "end  4-4",
      ],
    },
    {
      source: "!-1",
      expected: ["operator ! 0-1", "number -1 1-3", "end  3-3"],
    },
    {
      source: "f(1,-2)",
      expected: [
        "identifier f 0-1",
        "operator ( 1-2",
        "number 1 2-3",
        "operator , 3-4",
        "number -2 4-6",
        "operator ) 6-7",
        "end  7-7",
      ],
    },
    {
      // `-` inside an identifier is part of the name, not subtraction.
      source: "a-1",
      expected: ["identifier a-1 0-3", "end  3-3"],
    },
    {
      // A `.` before a digit starts a number, even after a name.
      source: "a.0",
      expected: ["identifier a 0-1", "number 0 1-3", "end  3-3"],
    },
    {
      source: "1.2.3",
      expected: ["number 1.2 0-3", "number 0.3 3-5", "end  5-5"],
    },
    {
      source: "a[-Infinity]",
      expected: [
        "identifier a 0-1",
        "operator [ 1-2",
        "number -Infinity 2-11",
        "operator ] 11-12",
        "end  12-12",
      ],
    },
    {
      source: "x == -Infinity",
      expected: [
        "identifier x 0-1",
        "operator == 2-4",
        "number -Infinity 5-14",
        "end  14-14",
      ],
    },
    {
      // Without a sign, Infinity is a name (the parser makes it a literal).
      source: "Infinity",
      expected: ["identifier Infinity 0-8", "end  8-8"],
    },
  ])("reads signs and dots in $source", ({ source, expected }) => {
    expect(tokens(source)).toEqual(expected);
  });

  it.each<[string, string, number]>([
    ["'text'", "text", 6],
    ["''", "", 2],
    ["'It''s open source!'", "It's open source!", 20],
    ["''''", "'", 4],
    ["'}} ${{ x'", "}} ${{ x", 10],
    ["'a\nb'", "a\nb", 5],
    ["'\"'", '"', 3],
  ])("reads the string %s", (source, value, end) => {
    expect(tokenize(source)[0]).toEqual({
      kind: "string",
      value,
      start: 0,
      end,
    });
  });

  it.each([
    "==",
    "!=",
    "<=",
    ">=",
    "&&",
    "||",
    "<",
    ">",
    "!",
    "(",
    ")",
    "[",
    "]",
    ".",
    ",",
    "?",
    ":",
    "*",
  ])("reads the operator %s as one token", (operator) => {
    expect(tokens(operator)).toEqual([
      `operator ${operator} 0-${operator.length}`,
      `end  ${operator.length}-${operator.length}`,
    ]);
  });

  it.each<TokensCase>([
    {
      source: "a<=b",
      expected: [
        "identifier a 0-1",
        "operator <= 1-3",
        "identifier b 3-4",
        "end  4-4",
      ],
    },
    {
      source: "a!=!b",
      expected: [
        "identifier a 0-1",
        "operator != 1-3",
        "operator ! 3-4",
        "identifier b 4-5",
        "end  5-5",
      ],
    },
  ])("takes the longest operator in $source", ({ source, expected }) => {
    expect(tokens(source)).toEqual(expected);
  });

  it("gives kinds that cover every token of a mixed expression", () => {
    const kinds: TokenKind[] = tokenize("f('a', 1) || b").map((t) => t.kind);
    expect(kinds).toEqual([
      "identifier",
      "operator",
      "string",
      "operator",
      "number",
      "operator",
      "operator",
      "identifier",
      "end",
    ]);
  });

  interface ErrorCase {
    source: string;
    message: string;
    start: number;
    end: number;
  }

  it.each<ErrorCase>([
    {
      source: "'abc",
      message: "unterminated string: expected a closing '",
      start: 0,
      end: 4,
    },
    {
      source: "a == 'x''",
      message: "unterminated string: expected a closing '",
      start: 5,
      end: 9,
    },
    {
      source: 'a == "x"',
      message: "strings use single quotes, as in 'text'",
      start: 5,
      end: 6,
    },
    {
      source: "a = b",
      message: "unexpected character '=' (use == to compare)",
      start: 2,
      end: 3,
    },
    {
      source: "a & b",
      message: "unexpected character '&' (use &&)",
      start: 2,
      end: 3,
    },
    {
      source: "a | b",
      message: "unexpected character '|' (use ||)",
      start: 2,
      end: 3,
    },
    {
      source: "a + b",
      message: "unexpected character '+'",
      start: 2,
      end: 3,
    },
    {
      source: "x -1",
      message: "unexpected character '-'",
      start: 2,
      end: 3,
    },
    {
      source: "f() -1",
      message: "unexpected character '-'",
      start: 4,
      end: 5,
    },
    {
      source: "a[0] -1",
      message: "unexpected character '-'",
      start: 5,
      end: 6,
    },
    { source: "-", message: "unexpected character '-'", start: 0, end: 1 },
    { source: "- 1", message: "unexpected character '-'", start: 0, end: 1 },
    // `-Infinity` is a number only where a negative number may start, and
    // only when spelled out in full.
    {
      source: "x -Infinity",
      message: "unexpected character '-'",
      start: 2,
      end: 3,
    },
    {
      source: "- Infinity",
      message: "unexpected character '-'",
      start: 0,
      end: 1,
    },
    { source: "-Inf", message: "unexpected character '-'", start: 0, end: 1 },
    {
      source: "-Infinity2",
      message: "invalid number '-Infinity2'",
      start: 0,
      end: 10,
    },
    { source: "1a", message: "invalid number '1a'", start: 0, end: 2 },
    { source: "12abc", message: "invalid number '12a'", start: 0, end: 3 },
    { source: "0x", message: "invalid number '0x'", start: 0, end: 2 },
    { source: "0xg", message: "invalid number '0x'", start: 0, end: 2 },
    { source: "0X", message: "invalid number '0X'", start: 0, end: 2 },
    { source: "0XG", message: "invalid number '0X'", start: 0, end: 2 },
    { source: "1e", message: "invalid number '1e'", start: 0, end: 2 },
    { source: "1_000", message: "invalid number '1_'", start: 0, end: 2 },
    { source: "a == 1-", message: "invalid number '1-'", start: 5, end: 7 },
    { source: "#", message: "unexpected character '#'", start: 0, end: 1 },
    {
      source: "'ok' @",
      message: "unexpected character '@'",
      start: 5,
      end: 6,
    },
    { source: "${{", message: "unexpected character '$'", start: 0, end: 1 },
    { source: "é", message: "unexpected character 'é'", start: 0, end: 1 },
  ])("rejects $source: $message", ({ source, message, start, end }) => {
    const error = thrown(() => tokenize(source));
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error.name).toBe("ExpressionError");
    expect({
      message: error.message,
      start: error.start,
      end: error.end,
    }).toEqual({ message, start, end });
  });

  it("gives each identifier and operator the exact text it spans", () => {
    const source = "contains( stages.a-b.outputs ,'x' ) && !(n >= 0x1f)";
    for (const token of tokenize(source)) {
      if (token.kind === "identifier" || token.kind === "operator") {
        expect(source.slice(token.start, token.end)).toBe(token.value);
      }
    }
  });
});
