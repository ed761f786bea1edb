import { describe, expect, it } from "vitest";
import type { Expression } from "../../../src/workflow/expressions/ast.js";
import type { Scope } from "../../../src/workflow/expressions/evaluate-expression.js";
import {
  evaluateTemplate,
  hasExpressions,
  parseCondition,
  parseTemplate,
  soleExpression,
  type TemplatePart,
} from "../../../src/workflow/expressions/parse-template.js";
import type { Value } from "../../../src/workflow/expressions/values.js";
import { thrown } from "../../support/thrown.js";

/**
 * A part as `text:…` or `expr@offset:…`, where `…` is the slice of the
 * template the expression's span covers (so offsets are checked too).
 */
function describeParts(text: string, parts: readonly TemplatePart[]): string[] {
  return parts.map((part) =>
    part.kind === "text"
      ? `text:${part.text}`
      : `expr@${part.offset}:${text.slice(
          part.offset + part.expression.start,
          part.offset + part.expression.end,
        )}`,
  );
}

interface ErrorCase {
  text: string;
  message: string;
  start: number;
  end: number;
}

const scope: Scope = {
  parameters: { name: "Mona", list: ["a", "b"], nothing: null },
  run: { issue: 7 },
};

describe("hasExpressions", () => {
  it.each<[string, boolean]>([
    ["plain", false],
    ["${{ a }}", true],
    ["${{", true],
    ["$ {{ a }}", false],
    ["{{ a }}", false],
  ])("%j → %s", (text, expected) => {
    expect(hasExpressions(text)).toBe(expected);
  });
});

describe("parseTemplate", () => {
  it.each<[string, string[]]>([
    ["", ["text:"]],
    ["plain text", ["text:plain text"]],
    ["}} and {{ are text", ["text:}} and {{ are text"]],
    ["$ {{ x }}", ["text:$ {{ x }}"]],
    ["${{ 1 }}", ["expr@3:1"]],
    ["${{1}}", ["expr@3:1"]],
    ["a ${{ x }} b", ["text:a ", "expr@5:x", "text: b"]],
    ["${{ a }}${{ b }}", ["expr@3:a", "expr@11:b"]],
    ["x${{ a }}", ["text:x", "expr@4:a"]],
    ["${{ a }}x", ["expr@3:a", "text:x"]],
    ["}} ${{ 1 }}", ["text:}} ", "expr@6:1"]],
    ["${{ a.b == 'c' }}", ["expr@3:a.b == 'c'"]],
    // A }} inside a quoted string does not close the expression.
    ["${{ '}}' }}", ["expr@3:'}}'"]],
    ["${{ 'it''s }}' }} end", ["expr@3:'it''s }}'", "text: end"]],
    ["${{ contains(a, '}}') }}", ["expr@3:contains(a, '}}')"]],
    ["${{ '${{' }}", ["expr@3:'${{'"]],
    ["${{ a }}}", ["expr@3:a", "text:}"]],
    [
      "${{ a }} ${{ b }} ${{ c }}",
      ["expr@3:a", "text: ", "expr@12:b", "text: ", "expr@21:c"],
    ],
  ])("splits %j", (text, expected) => {
    expect(describeParts(text, parseTemplate(text))).toEqual(expected);
  });

  it("parses each expression", () => {
    const [part] = parseTemplate("${{ a || b }}");
    expect(part).toEqual({
      kind: "expression",
      offset: 3,
      expression: {
        kind: "logical",
        operator: "||",
        left: { kind: "name", name: "a", start: 1, end: 2 },
        right: { kind: "name", name: "b", start: 6, end: 7 },
        start: 1,
        end: 7,
      },
    });
  });

  it.each<ErrorCase>([
    {
      text: "a ${{ x",
      message: "'${{' is never closed: expected '}}'",
      start: 2,
      end: 5,
    },
    {
      text: "${{ 1 }} ${{ 2",
      message: "'${{' is never closed: expected '}}'",
      start: 9,
      end: 12,
    },
    {
      text: "${{ 'x }}",
      message: "'${{' is never closed: expected '}}'",
      start: 0,
      end: 3,
    },
    {
      text: "${{ a }",
      message: "'${{' is never closed: expected '}}'",
      start: 0,
      end: 3,
    },
    // Errors inside an expression are moved to offsets into the whole text.
    {
      text: "abc ${{ a == }}",
      message: "unexpected end of expression: expected a value",
      start: 13,
      end: 13,
    },
    {
      text: "x ${{ 1 = 2 }}",
      message: "unexpected character '=' (use == to compare)",
      start: 8,
      end: 9,
    },
    { text: "${{ }}", message: "empty expression", start: 4, end: 4 },
    { text: "${{}}", message: "empty expression", start: 3, end: 3 },
    {
      text: "ok ${{ a }} then ${{ b c }}",
      message: "unexpected 'c' after the expression",
      start: 23,
      end: 24,
    },
    {
      // The span stays inside the expression, short of the closing '}}'.
      text: "${{ (a }}",
      message: "expected ')' to close '(', found the end of the expression",
      start: 7,
      end: 7,
    },
    {
      text: "${{ a. }} b",
      message:
        "expected a property name after '.', found the end of the expression",
      start: 7,
      end: 7,
    },
    {
      text: "${{ a 'b' }}",
      message: "unexpected string 'b' after the expression",
      start: 6,
      end: 9,
    },
    {
      text: '${{ "x" }}',
      message: "strings use single quotes, as in 'text'",
      start: 4,
      end: 5,
    },
  ])("rejects $text: $message", ({ text, message, start, end }) => {
    const error = thrown(() => parseTemplate(text));
    expect({
      message: error.message,
      start: error.start,
      end: error.end,
    }).toEqual({ message, start, end });
  });

  it("refuses deeply nested expressions with an ExpressionError", () => {
    const text = `value: ${"${{ "}${"(".repeat(10_000)} }}`;
    const error = thrown(() => parseTemplate(text));
    expect(error.message).toBe("expression nested more than 100 levels deep");
    expect(error.start).toBe(11 + 50);
  });

  it("refuses long flat chains, at the link that crosses the limit", () => {
    const text = `value: ${"${{ "}${Array(1_000).fill("a").join(" || ")} }}`;
    const error = thrown(() => parseTemplate(text));
    expect(error.message).toBe("expression nested more than 100 levels deep");
    // The 100th '||': 11 characters before the first 'a', 5 per "a || ".
    expect(error.start).toBe(11 + 99 * 5 + 2);
    expect(text.slice(error.start, error.start + 2)).toBe("||");
  });
});

describe("soleExpression", () => {
  it.each<[string, string | undefined]>([
    ["${{ 1 }}", "1"],
    ["  ${{ a.b }}\n", "a.b"],
    ["a${{ 1 }}", undefined],
    ["${{ 1 }}.", undefined],
    ["${{ 1 }}${{ 2 }}", undefined],
    ["${{ 1 }} ${{ 2 }}", undefined],
    ["text", undefined],
    ["", undefined],
  ])("of %j is %j", (text, expected) => {
    const sole = soleExpression(parseTemplate(text));
    if (expected === undefined) {
      expect(sole).toBeUndefined();
      return;
    }
    expect(sole?.kind).toBe("expression");
    if (sole?.kind !== "expression") return;
    expect(
      text.slice(
        sole.offset + sole.expression.start,
        sole.offset + sole.expression.end,
      ),
    ).toBe(expected);
  });
});

describe("evaluateTemplate", () => {
  it.each<[string, Value]>([
    // A lone expression keeps its value's type.
    ["${{ 1 }}", 1],
    ["  ${{ parameters.list }} ", ["a", "b"]],
    ["${{ null }}", null],
    ["${{ run.issue > 5 }}", true],
    // Text mixed with expressions becomes a string.
    ["n=${{ 1 }}", "n=1"],
    ["a${{ null }}b", "ab"],
    ["${{ true }}-${{ parameters.list }}", "true-Array"],
    ["${{ 1 }}${{ 2 }}", "12"],
    ["Hi ${{ parameters.name }}, issue #${{ run.issue }}", "Hi Mona, issue #7"],
    ["${{ '}}' }} and ${{ '${{' }}", "}} and ${{"],
    ["plain", "plain"],
    ["", ""],
  ])("%j is %j", (text, expected) => {
    expect(evaluateTemplate(parseTemplate(text), scope)).toStrictEqual(
      expected,
    );
  });

  it("lets evaluation errors through with offsets into the expression", () => {
    const error = thrown(() =>
      evaluateTemplate(parseTemplate("x ${{ nosuch }}"), scope),
    );
    expect([error.message, error.start, error.end]).toEqual([
      "unknown name 'nosuch'",
      1,
      7,
    ]);
  });
});

describe("parseCondition", () => {
  function show(text: string): string {
    const { expression, offset } = parseCondition(text);
    return `${offset}:${text.slice(offset + expression.start, offset + expression.end)}`;
  }

  it.each<[string, string]>([
    ["a == 1", "0:a == 1"],
    ["  a  ", "0:a"],
    ["${{ a == 1 }}", "3:a == 1"],
    ["  ${{ a }}  ", "5:a"],
    ["\n${{ a }}\n", "4:a"],
    ["${{ contains(x, '}}') }}", "3:contains(x, '}}')"],
    ["a == '}}'", "0:a == '}}'"],
  ])("reads %j", (text, expected) => {
    expect(show(text)).toBe(expected);
  });

  it("gives the same tree with or without ${{ }}", () => {
    const strip = (node: Expression): string =>
      JSON.stringify(node, [
        "kind",
        "name",
        "operator",
        "value",
        "left",
        "right",
        "object",
        "property",
      ]);
    expect(strip(parseCondition("${{ a.b == 'x' }}").expression)).toBe(
      strip(parseCondition("a.b == 'x'").expression),
    );
  });

  it.each<ErrorCase>([
    {
      text: "${{ a }} && b",
      message:
        "a condition that mixes text with ${{ }} is always true: put the whole condition inside one ${{ }}",
      start: 0,
      end: 13,
    },
    {
      text: "${{ a }} ${{ b }}",
      message:
        "a condition that mixes text with ${{ }} is always true: put the whole condition inside one ${{ }}",
      start: 0,
      end: 17,
    },
    {
      text: "x ${{ a",
      message: "'${{' is never closed: expected '}}'",
      start: 2,
      end: 5,
    },
    {
      text: "a ==",
      message: "unexpected end of expression: expected a value",
      start: 4,
      end: 4,
    },
    {
      text: "${{ a = b }}",
      message: "unexpected character '=' (use == to compare)",
      start: 6,
      end: 7,
    },
    {
      text: "  ${{ a && }}",
      message: "unexpected end of expression: expected a value",
      start: 11,
      end: 11,
    },
    { text: "", message: "empty expression", start: 0, end: 0 },
  ])("rejects $text: $message", ({ text, message, start, end }) => {
    const error = thrown(() => parseCondition(text));
    expect({
      message: error.message,
      start: error.start,
      end: error.end,
    }).toEqual({ message, start, end });
  });
});
