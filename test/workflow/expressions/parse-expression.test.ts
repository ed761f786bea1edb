import { describe, expect, it } from "vitest";
import type { Expression } from "../../../src/workflow/expressions/ast.js";
import { ExpressionError } from "../../../src/workflow/expressions/expression-error.js";
import { parseExpression } from "../../../src/workflow/expressions/parse-expression.js";

/** The AST as an S-expression: `(|| a (&& b c))`, `(. a b)`, `(call f x)`. */
function sexpr(node: Expression): string {
  switch (node.kind) {
    case "literal":
      return typeof node.value === "string"
        ? `'${node.value.replaceAll("'", "''")}'`
        : String(node.value);
    case "name":
      return node.name;
    case "member":
      return `(. ${sexpr(node.object)} ${node.property})`;
    case "index":
      return `([] ${sexpr(node.object)} ${sexpr(node.index)})`;
    case "wildcard":
      return `(* ${sexpr(node.object)})`;
    case "call":
      return `(call ${[node.name, ...node.args.map(sexpr)].join(" ")})`;
    case "not":
      return `(! ${sexpr(node.operand)})`;
    case "binary":
    case "logical":
      return `(${node.operator} ${sexpr(node.left)} ${sexpr(node.right)})`;
    case "conditional":
      return `(? ${sexpr(node.test)} ${sexpr(node.consequent)} ${sexpr(node.alternate)})`;
  }
}

function parseError(source: string): ExpressionError {
  try {
    parseExpression(source);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to parse`);
}

describe("parseExpression", () => {
  it.each<[string, string]>([
    ["null", "null"],
    ["true", "true"],
    ["false", "false"],
    ["NaN", "NaN"],
    ["Infinity", "Infinity"],
    ["711", "711"],
    ["-9.2", "-9.2"],
    ["0xff", "255"],
    ["0X1F", "31"],
    ["-Infinity", "-Infinity"],
    ["-2.99e-2", "-0.0299"],
    ["'It''s open source!'", "'It''s open source!'"],
    ["''", "''"],
    // Literals are case-sensitive; anything else is a name.
    ["True", "True"],
    ["NULL", "NULL"],
    ["nan", "nan"],
  ])("reads the literal %s", (source, expected) => {
    expect(sexpr(parseExpression(source))).toBe(expected);
  });

  it.each<[string, string]>([
    // Loosest first: ?:, ||, &&, == !=, < <= > >=, !, then . [] and calls.
    ["a || b && c", "(|| a (&& b c))"],
    ["a && b || c", "(|| (&& a b) c)"],
    ["a || b || c", "(|| (|| a b) c)"],
    ["a && b && c", "(&& (&& a b) c)"],
    ["a == b && c != d", "(&& (== a b) (!= c d))"],
    ["a || b == c", "(|| a (== b c))"],
    ["a < b == c > d", "(== (< a b) (> c d))"],
    ["a <= b != c >= d", "(!= (<= a b) (>= c d))"],
    ["a == b == c", "(== (== a b) c)"],
    ["a != b == c", "(== (!= a b) c)"],
    ["a < b < c", "(< (< a b) c)"],
    ["a > b >= c", "(>= (> a b) c)"],
    ["!a == b", "(== (! a) b)"],
    ["!a < b", "(< (! a) b)"],
    ["!a && !b", "(&& (! a) (! b))"],
    ["!!a", "(! (! a))"],
    ["!a.b", "(! (. a b))"],
    ["!a[0]", "(! ([] a 0))"],
    ["!f(a)", "(! (call f a))"],
    ["!(a || b)", "(! (|| a b))"],
    ["(a || b) && c", "(&& (|| a b) c)"],
    ["a && (b || c)", "(&& a (|| b c))"],
    ["((a))", "a"],
    ["a ? b : c", "(? a b c)"],
    ["a ? b : c ? d : e", "(? a b (? c d e))"],
    ["a ? b ? c : d : e", "(? a (? b c d) e)"],
    ["(a ? b : c) ? d : e", "(? (? a b c) d e)"],
    ["a || b ? c : d", "(? (|| a b) c d)"],
    ["a ? b || c : d && e", "(? a (|| b c) (&& d e))"],
    ["a == 1 ? 'x' : 'y'", "(? (== a 1) 'x' 'y')"],
    ["!a ? b : c", "(? (! a) b c)"],
    ["a.b.c", "(. (. a b) c)"],
    ["a['b'].c", "(. ([] a 'b') c)"],
    ["a[0][1]", "([] ([] a 0) 1)"],
    ["a[b.c]", "([] a (. b c))"],
    ["a[b ? 1 : 2]", "([] a (? b 1 2))"],
    ["a[-1]", "([] a -1)"],
    ["a[-Infinity]", "([] a -Infinity)"],
    ["a == -Infinity", "(== a -Infinity)"],
    ["a.*", "(* a)"],
    ["a[*]", "(* a)"],
    ["a.*.b", "(. (* a) b)"],
    ["a[*].b[*]", "(* (. (* a) b))"],
    ["a.b-c", "(. a b-c)"],
    ["a.true", "(. a true)"],
    ["a.null", "(. a null)"],
    ["null.x", "(. null x)"],
    ["'s'[0]", "([] 's' 0)"],
    ["(a).b", "(. a b)"],
    ["(a || b).c", "(. (|| a b) c)"],
    ["f()", "(call f)"],
    ["contains(a, 'b')", "(call contains a 'b')"],
    ["format('{0}', a.b, 1)", "(call format '{0}' (. a b) 1)"],
    ["toJSON(fromJSON('1'))", "(call toJSON (call fromJSON '1'))"],
    ["f(a)[0].b", "(. ([] (call f a) 0) b)"],
    ["f(a ? b : c, d || e)", "(call f (? a b c) (|| d e))"],
    ["f(g(h()))", "(call f (call g (call h)))"],
    // Parsing does not know the function names; the checker does.
    ["anything(1)", "(call anything 1)"],
    ["true(1)", "(call true 1)"],
    [" \n\ta\t==\r\n1 ", "(== a 1)"],
    [
      "stages.plan.status == 'succeeded' && contains(parameters.labels.*, 'x')",
      "(&& (== (. (. stages plan) status) 'succeeded') (call contains (* (. parameters labels)) 'x'))",
    ],
  ])("parses %j as %s", (source, expected) => {
    expect(sexpr(parseExpression(source))).toBe(expected);
  });

  it("records the spans of every node", () => {
    expect(parseExpression("  a.b  ")).toEqual({
      kind: "member",
      object: { kind: "name", name: "a", start: 2, end: 3 },
      property: "b",
      propertyStart: 4,
      start: 2,
      end: 5,
    });
    expect(parseExpression("contains(x, 'y')")).toEqual({
      kind: "call",
      name: "contains",
      nameEnd: 8,
      args: [
        { kind: "name", name: "x", start: 9, end: 10 },
        { kind: "literal", value: "y", start: 12, end: 15 },
      ],
      start: 0,
      end: 16,
    });
    expect(parseExpression("!a ? b[0] : c.*")).toEqual({
      kind: "conditional",
      test: {
        kind: "not",
        operand: { kind: "name", name: "a", start: 1, end: 2 },
        start: 0,
        end: 2,
      },
      consequent: {
        kind: "index",
        object: { kind: "name", name: "b", start: 5, end: 6 },
        index: { kind: "literal", value: 0, start: 7, end: 8 },
        start: 5,
        end: 9,
      },
      alternate: {
        kind: "wildcard",
        object: { kind: "name", name: "c", start: 12, end: 13 },
        start: 12,
        end: 15,
      },
      start: 0,
      end: 15,
    });
    expect(parseExpression("a[*] || 1 <= 2")).toEqual({
      kind: "logical",
      operator: "||",
      left: {
        kind: "wildcard",
        object: { kind: "name", name: "a", start: 0, end: 1 },
        start: 0,
        end: 4,
      },
      right: {
        kind: "binary",
        operator: "<=",
        left: { kind: "literal", value: 1, start: 8, end: 9 },
        right: { kind: "literal", value: 2, start: 13, end: 14 },
        start: 8,
        end: 14,
      },
      start: 0,
      end: 14,
    });
  });

  it("gives a parenthesised expression the span of its contents", () => {
    expect(parseExpression("( a )")).toEqual({
      kind: "name",
      name: "a",
      start: 2,
      end: 3,
    });
  });

  interface ErrorCase {
    source: string;
    message: string;
    start: number;
    end: number;
  }

  it.each<ErrorCase>([
    { source: "", message: "empty expression", start: 0, end: 0 },
    { source: "   ", message: "empty expression", start: 3, end: 3 },
    {
      source: "a ==",
      message: "unexpected end of expression: expected a value",
      start: 4,
      end: 4,
    },
    {
      source: "!",
      message: "unexpected end of expression: expected a value",
      start: 1,
      end: 1,
    },
    {
      source: "(",
      message: "unexpected end of expression: expected a value",
      start: 1,
      end: 1,
    },
    {
      source: "f(a,",
      message: "unexpected end of expression: expected a value",
      start: 4,
      end: 4,
    },
    {
      source: "a b",
      message: "unexpected 'b' after the expression",
      start: 2,
      end: 3,
    },
    {
      source: "a 'b'",
      message: "unexpected string 'b' after the expression",
      start: 2,
      end: 5,
    },
    {
      source: "a 1",
      message: "unexpected number 1 after the expression",
      start: 2,
      end: 3,
    },
    {
      source: "a.1",
      message: "unexpected number 0.1 after the expression",
      start: 1,
      end: 3,
    },
    {
      source: "a)",
      message: "unexpected ')' after the expression",
      start: 1,
      end: 2,
    },
    {
      source: "a.*b",
      message: "unexpected 'b' after the expression",
      start: 3,
      end: 4,
    },
    {
      source: "f(a)(b)",
      message: "unexpected '(' after the expression",
      start: 4,
      end: 5,
    },
    {
      source: ")",
      message: "unexpected ')': expected a value",
      start: 0,
      end: 1,
    },
    {
      source: "a == )",
      message: "unexpected ')': expected a value",
      start: 5,
      end: 6,
    },
    {
      source: "'a' == 'b' 'c'",
      message: "unexpected string 'c' after the expression",
      start: 11,
      end: 14,
    },
    {
      source: "? a",
      message: "unexpected '?': expected a value",
      start: 0,
      end: 1,
    },
    {
      source: "*",
      message: "unexpected '*': expected a value",
      start: 0,
      end: 1,
    },
    {
      source: "a || && b",
      message: "unexpected '&&': expected a value",
      start: 5,
      end: 7,
    },
    {
      source: "a[]",
      message: "unexpected ']': expected a value",
      start: 2,
      end: 3,
    },
    {
      source: "f(a,)",
      message: "unexpected ')': expected a value",
      start: 4,
      end: 5,
    },
    {
      source: "f(,a)",
      message: "unexpected ',': expected a value",
      start: 2,
      end: 3,
    },
    {
      source: "a ? : c",
      message: "unexpected ':': expected a value",
      start: 4,
      end: 5,
    },
    {
      source: "a.(b)",
      message: "expected a property name after '.', found '('",
      start: 2,
      end: 3,
    },
    {
      source: "a.'b'",
      message: "expected a property name after '.', found the string 'b'",
      start: 2,
      end: 5,
    },
    {
      source: "a..b",
      message: "expected a property name after '.', found '.'",
      start: 2,
      end: 3,
    },
    {
      source: "a[1 2]",
      message: "expected ']' to close the index, found the number 2",
      start: 4,
      end: 5,
    },
    {
      source: "a[* 1]",
      message: "expected ']' after '[*', found the number 1",
      start: 4,
      end: 5,
    },
    {
      source: "f(a b)",
      message: "expected ')' to close the arguments of f(), found 'b'",
      start: 4,
      end: 5,
    },
    {
      source: "(a b)",
      message: "expected ')' to close '(', found 'b'",
      start: 3,
      end: 4,
    },
    {
      source: "a ? b c",
      message: "expected ':' in a conditional (a ? b : c), found 'c'",
      start: 6,
      end: 7,
    },
    {
      source: "a ? b ? c : d",
      message:
        "expected ':' in a conditional (a ? b : c), found the end of the expression",
      start: 13,
      end: 13,
    },
    {
      // Before the end, the span covers the token found.
      source: "(a ",
      message: "expected ')' to close '(', found the end of the expression",
      start: 3,
      end: 3,
    },
    // Tokenizer errors come through unchanged.
    {
      source: "a = b",
      message: "unexpected character '=' (use == to compare)",
      start: 2,
      end: 3,
    },
    {
      source: "a == 'b",
      message: "unterminated string: expected a closing '",
      start: 5,
      end: 7,
    },
  ])("rejects $source: $message", ({ source, message, start, end }) => {
    const error = parseError(source);
    expect({
      message: error.message,
      start: error.start,
      end: error.end,
    }).toEqual({ message, start, end });
  });

  interface EndCase {
    source: string;
    message: string;
  }

  // Errors found at the end of the source, where there is no token to point at.
  const atTheEnd: EndCase[] = [
    {
      source: "a.",
      message:
        "expected a property name after '.', found the end of the expression",
    },
    {
      source: "(a",
      message: "expected ')' to close '(', found the end of the expression",
    },
    {
      source: "((a)",
      message: "expected ')' to close '(', found the end of the expression",
    },
    {
      source: "f(a",
      message:
        "expected ')' to close the arguments of f(), found the end of the expression",
    },
    {
      source: "a[1",
      message:
        "expected ']' to close the index, found the end of the expression",
    },
    {
      source: "a[*",
      message: "expected ']' after '[*', found the end of the expression",
    },
    {
      source: "a ? b",
      message:
        "expected ':' in a conditional (a ? b : c), found the end of the expression",
    },
  ];

  // ExpressionError promises offsets into the source, so the span is empty
  // rather than one character past the end.
  it.each(atTheEnd)("rejects $source at its end: $message", (item) => {
    const error = parseError(item.source);
    expect([error.message, error.start, error.end]).toEqual([
      item.message,
      item.source.length,
      item.source.length,
    ]);
  });

  it("refuses nesting deeper than 100 levels without overflowing the stack", () => {
    // Each '(' costs two levels: the group and the expression inside it.
    expect(sexpr(parseExpression(`${"(".repeat(49)}a${")".repeat(49)}`))).toBe(
      "a",
    );
    const parens = parseError(`${"(".repeat(50)}a${")".repeat(50)}`);
    expect([parens.message, parens.start, parens.end]).toEqual([
      "expression nested more than 100 levels deep",
      50,
      50,
    ]);

    expect(sexpr(parseExpression(`${"!".repeat(99)}a`))).toMatch(/^\(! /);
    const bangs = parseError(`${"!".repeat(100)}a`);
    expect([bangs.message, bangs.start]).toEqual([
      "expression nested more than 100 levels deep",
      99,
    ]);
  });

  it.each([
    ["parentheses", "(".repeat(10_000)],
    ["negations", "!".repeat(10_000)],
    ["indexes", "a[".repeat(10_000)],
    ["calls", "f(".repeat(10_000)],
    ["conditionals", "a ? ".repeat(10_000)],
    ["mixed", "!(a[f(".repeat(3_000)],
  ])("refuses 10,000 nested %s with an ExpressionError", (_, source) => {
    expect(parseError(source).message).toBe(
      "expression nested more than 100 levels deep",
    );
  });

  interface ChainCase {
    chain: string;
    /** The longest chain that parses. */
    longest: string;
    /** Its tree. */
    tree: string;
    /** One link longer: refused. */
    refused: string;
    /** Where the refusal starts: the token that crossed the limit. */
    start: number;
  }

  /** The offset of the `n`th (1-based) occurrence of `text` in `source`. */
  function nth(source: string, text: string, n: number): number {
    let at = -1;
    for (let i = 0; i < n; i++) at = source.indexOf(text, at + 1);
    return at;
  }

  const terms = (count: number, operator: string) =>
    Array(count).fill("a").join(` ${operator} `);

  // A chain builds a left-deep tree, one level per link, which evaluation,
  // checking and referencedNames walk recursively: so every link counts
  // against the limit, with the whole expression as the first level.
  it.each<ChainCase>([
    {
      chain: "||",
      longest: terms(100, "||"),
      tree: `${"(|| ".repeat(99)}a${" a)".repeat(99)}`,
      refused: terms(101, "||"),
      start: nth(terms(101, "||"), "||", 100),
    },
    {
      chain: "&&",
      longest: terms(100, "&&"),
      tree: `${"(&& ".repeat(99)}a${" a)".repeat(99)}`,
      refused: terms(101, "&&"),
      start: nth(terms(101, "&&"), "&&", 100),
    },
    {
      chain: "!=",
      longest: terms(100, "!="),
      tree: `${"(!= ".repeat(99)}a${" a)".repeat(99)}`,
      refused: terms(101, "!="),
      start: nth(terms(101, "!="), "!=", 100),
    },
    {
      chain: "<=",
      longest: terms(100, "<="),
      tree: `${"(<= ".repeat(99)}a${" a)".repeat(99)}`,
      refused: terms(101, "<="),
      start: nth(terms(101, "<="), "<=", 100),
    },
    {
      chain: ".b",
      longest: `a${".b".repeat(99)}`,
      tree: `${"(. ".repeat(99)}a${" b)".repeat(99)}`,
      refused: `a${".b".repeat(100)}`,
      start: nth(`a${".b".repeat(100)}`, ".", 100),
    },
    {
      chain: ".*",
      longest: `a${".*".repeat(99)}`,
      tree: `${"(* ".repeat(99)}a${")".repeat(99)}`,
      refused: `a${".*".repeat(100)}`,
      start: nth(`a${".*".repeat(100)}`, ".", 100),
    },
    {
      chain: "[*]",
      longest: `a${"[*]".repeat(99)}`,
      tree: `${"(* ".repeat(99)}a${")".repeat(99)}`,
      refused: `a${"[*]".repeat(100)}`,
      start: nth(`a${"[*]".repeat(100)}`, "[", 100),
    },
    {
      // The index inside the brackets is one level deeper than the '['.
      chain: "[0]",
      longest: `a${"[0]".repeat(98)}`,
      tree: `${"([] ".repeat(98)}a${" 0)".repeat(98)}`,
      refused: `a${"[0]".repeat(99)}`,
      start: nth(`a${"[0]".repeat(99)}`, "0", 99),
    },
  ])(
    "counts each link of a $chain chain against the nesting limit",
    ({ longest, tree, refused, start }) => {
      expect(sexpr(parseExpression(longest))).toBe(tree);
      const error = parseError(refused);
      expect([error.message, error.start, error.end]).toEqual([
        "expression nested more than 100 levels deep",
        start,
        start,
      ]);
    },
  );

  it("frees a chain's levels when it ends, and nests chains inside links", () => {
    expect(sexpr(parseExpression(`${terms(100, "==")} && a`))).toBe(
      `(&& ${"(== ".repeat(99)}a${" a)".repeat(99)} a)`,
    );
    expect(sexpr(parseExpression(`a${".b".repeat(99)} || a`))).toBe(
      `(|| ${"(. ".repeat(99)}a${" b)".repeat(99)} a)`,
    );
    // On the right of a link, a chain starts one level deeper.
    const right = `a || a${".b".repeat(98)}`;
    expect(sexpr(parseExpression(right))).toBe(
      `(|| a ${"(. ".repeat(98)}a${" b)".repeat(98)})`,
    );
    const deeper = `a || a${".b".repeat(99)}`;
    const error = parseError(deeper);
    expect([error.message, error.start]).toEqual([
      "expression nested more than 100 levels deep",
      nth(deeper, ".", 99),
    ]);
  });

  it.each([
    ["||", Array(50_000).fill("1").join("||")],
    ["property", `b${".c".repeat(50_000)}`],
    ["index", `a${"[0]".repeat(50_000)}`],
  ])("refuses a 50,000-link %s chain", (_, source) => {
    expect(parseError(source).message).toBe(
      "expression nested more than 100 levels deep",
    );
  });

  // Only the five literal words are literals: names inherited from
  // Object.prototype are names like any other.
  it.each(["constructor", "toString", "__proto__", "hasOwnProperty"])(
    "parses %s as a name",
    (source) => {
      expect(parseExpression(source)).toEqual({
        kind: "name",
        name: source,
        start: 0,
        end: source.length,
      });
    },
  );
});
