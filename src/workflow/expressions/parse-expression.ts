import type { ComparisonOperator, Expression } from "./ast.js";
import { ExpressionError } from "./expression-error.js";
import { type Token, tokenize } from "./tokenize.js";

const LITERALS: Readonly<Record<string, string | number | boolean | null>> = {
  true: true,
  false: false,
  null: null,
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
};

/**
 * Deeper nesting than this is refused rather than risking the stack. Long
 * operator chains (`a || b || …`, `a.b.c…`) nest too: each link is a level
 * of the tree that evaluation walks recursively.
 */
const MAX_DEPTH = 100;

function describe(token: Token, article = true): string {
  const the = article ? "the " : "";
  switch (token.kind) {
    case "end":
      return `${the}end of the expression`;
    case "string":
      return `${the}string '${token.value}'`;
    case "number":
      return `${the}number ${token.value}`;
    default:
      return `'${token.value}'`;
  }
}

/**
 * Parses a GitHub Actions style expression (the text between `${{` and `}}`).
 *
 * Precedence, loosest first: `a ? b : c`, `||`, `&&`, `== !=`,
 * `< <= > >=`, `!`, then `.`, `[]` and calls. Throws {@link ExpressionError}
 * with the offending position.
 */
export function parseExpression(source: string): Expression {
  const tokens = tokenize(source);
  let position = 0;
  let depth = 0;
  /** Where an error about `token` ends: at least one character, never past the source. */
  const endOf = (token: Token) =>
    Math.min(source.length, Math.max(token.end, token.start + 1));

  const peek = (): Token => tokens[position] as Token;
  const next = (): Token => tokens[position++] as Token;
  const isOperator = (value: string) => {
    const token = peek();
    return token.kind === "operator" && token.value === value;
  };
  const expect = (value: string, context: string): Token => {
    const token = peek();
    if (token.kind !== "operator" || token.value !== value) {
      throw new ExpressionError(
        `expected '${value}' ${context}, found ${describe(token)}`,
        token.start,
        endOf(token),
      );
    }
    return next();
  };
  const enter = (token: Token) => {
    if (++depth > MAX_DEPTH) {
      throw new ExpressionError(
        `expression nested more than ${MAX_DEPTH} levels deep`,
        token.start,
      );
    }
  };

  function conditional(): Expression {
    enter(peek());
    const test = or();
    if (!isOperator("?")) {
      depth--;
      return test;
    }
    next();
    const consequent = conditional();
    expect(":", "in a conditional (a ? b : c)");
    const alternate = conditional();
    depth--;
    return {
      kind: "conditional",
      test,
      consequent,
      alternate,
      start: test.start,
      end: alternate.end,
    };
  }

  /**
   * A left-associative chain `operand (op operand)*`. Each link deepens the
   * tree by one, so it counts against the nesting limit until the chain ends.
   */
  function chain(
    operand: () => Expression,
    operators: readonly string[],
    link: (operator: string, left: Expression, right: Expression) => Expression,
  ): Expression {
    let left = operand();
    let links = 0;
    for (;;) {
      const token = peek();
      if (
        token.kind !== "operator" ||
        !operators.includes(token.value as string)
      )
        break;
      next();
      enter(token);
      links++;
      left = link(token.value as string, left, operand());
    }
    depth -= links;
    return left;
  }

  const logical =
    (operator: "&&" | "||") =>
    (_: string, left: Expression, right: Expression): Expression => ({
      kind: "logical",
      operator,
      left,
      right,
      start: left.start,
      end: right.end,
    });
  const binary = (
    operator: string,
    left: Expression,
    right: Expression,
  ): Expression => ({
    kind: "binary",
    operator: operator as ComparisonOperator,
    left,
    right,
    start: left.start,
    end: right.end,
  });

  const or = (): Expression => chain(and, ["||"], logical("||"));
  const and = (): Expression => chain(equality, ["&&"], logical("&&"));
  const equality = (): Expression => chain(comparison, ["==", "!="], binary);
  const comparison = (): Expression =>
    chain(unary, ["<", "<=", ">", ">="], binary);

  function unary(): Expression {
    if (isOperator("!")) {
      const bang = next();
      enter(bang);
      const operand = unary();
      depth--;
      return { kind: "not", operand, start: bang.start, end: operand.end };
    }
    return postfix(primary());
  }

  function postfix(expression: Expression): Expression {
    let result = expression;
    let links = 0;
    for (;;) {
      if (isOperator(".")) {
        enter(next());
        links++;
        const token = next();
        if (token.kind === "operator" && token.value === "*") {
          result = {
            kind: "wildcard",
            object: result,
            start: result.start,
            end: token.end,
          };
        } else if (token.kind === "identifier") {
          result = {
            kind: "member",
            object: result,
            property: token.value as string,
            propertyStart: token.start,
            start: result.start,
            end: token.end,
          };
        } else {
          throw new ExpressionError(
            `expected a property name after '.', found ${describe(token)}`,
            token.start,
            endOf(token),
          );
        }
      } else if (isOperator("[")) {
        enter(next());
        links++;
        if (isOperator("*")) {
          next();
          const close = expect("]", "after '[*'");
          result = {
            kind: "wildcard",
            object: result,
            start: result.start,
            end: close.end,
          };
        } else {
          const index = conditional();
          const close = expect("]", "to close the index");
          result = {
            kind: "index",
            object: result,
            index,
            start: result.start,
            end: close.end,
          };
        }
      } else {
        depth -= links;
        return result;
      }
    }
  }

  function primary(): Expression {
    const token = next();
    switch (token.kind) {
      case "number":
      case "string":
        return {
          kind: "literal",
          value: token.value,
          start: token.start,
          end: token.end,
        };
      case "identifier": {
        const name = token.value as string;
        if (isOperator("(")) return call(token);
        if (Object.hasOwn(LITERALS, name)) {
          return {
            kind: "literal",
            value: LITERALS[name] ?? null,
            start: token.start,
            end: token.end,
          };
        }
        return { kind: "name", name, start: token.start, end: token.end };
      }
      case "operator":
        if (token.value === "(") {
          enter(token);
          const inner = conditional();
          expect(")", "to close '('");
          depth--;
          return inner;
        }
        break;
      case "end":
        throw new ExpressionError(
          source.trim() === ""
            ? "empty expression"
            : "unexpected end of expression: expected a value",
          token.start,
        );
    }
    throw new ExpressionError(
      `unexpected ${describe(token, false)}: expected a value`,
      token.start,
      token.end,
    );
  }

  function call(nameToken: Token): Expression {
    const open = next();
    enter(open);
    const args: Expression[] = [];
    if (!isOperator(")")) {
      for (;;) {
        args.push(conditional());
        if (isOperator(",")) {
          next();
          continue;
        }
        break;
      }
    }
    const close = expect(")", `to close the arguments of ${nameToken.value}()`);
    depth--;
    return {
      kind: "call",
      name: nameToken.value as string,
      nameEnd: nameToken.end,
      args,
      start: nameToken.start,
      end: close.end,
    };
  }

  const expression = conditional();
  const trailing = peek();
  if (trailing.kind !== "end") {
    throw new ExpressionError(
      `unexpected ${describe(trailing, false)} after the expression`,
      trailing.start,
      trailing.end,
    );
  }
  return expression;
}
