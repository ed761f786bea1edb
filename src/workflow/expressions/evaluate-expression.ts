import type { Expression } from "./ast.js";
import { ExpressionError } from "./expression-error.js";
import { arityText, lookupFunction } from "./functions.js";
import {
  compareValues,
  isPrimitive,
  isTruthy,
  looseEquals,
  toNumber,
  toText,
  type Value,
  type ValueObject,
} from "./values.js";

/** The namespaces an expression can read, by name (`parameters`, `stages`, …). */
export type Scope = Readonly<Record<string, Value>>;

/**
 * Arrays made by `*`: reading a property of one reads it of every element
 * (`labels.*.name`), dropping nulls, as GitHub Actions' object filters do.
 */
const FILTERED = new WeakSet<Value[]>();

function filtered(items: Value[]): Value[] {
  FILTERED.add(items);
  return items;
}

function property(object: Value, key: Value): Value {
  if (Array.isArray(object)) {
    if (FILTERED.has(object)) {
      const out: Value[] = [];
      for (const item of object) {
        const value = property(item, key);
        if (value !== null) out.push(value);
      }
      return filtered(out);
    }
    if (!isPrimitive(key)) return null;
    const index = Math.floor(toNumber(key));
    return Number.isNaN(index) || index < 0 ? null : (object[index] ?? null);
  }
  if (
    object !== null &&
    typeof object === "object" &&
    isPrimitive(key) &&
    key !== null
  ) {
    const name = toText(key);
    return Object.hasOwn(object, name) ? (object[name] ?? null) : null;
  }
  return null;
}

function elements(value: Value): Value[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === "object") {
    return Object.values(value as ValueObject);
  }
  return [];
}

/**
 * Evaluates a parsed expression. Reading a missing property gives `null`, as
 * in GitHub Actions; a function used wrongly throws {@link ExpressionError}.
 */
export function evaluateExpression(
  expression: Expression,
  scope: Scope,
): Value {
  switch (expression.kind) {
    case "literal":
      return expression.value;
    case "name":
      if (!Object.hasOwn(scope, expression.name)) {
        throw new ExpressionError(
          `unknown name '${expression.name}'`,
          expression.start,
          expression.end,
        );
      }
      return scope[expression.name] ?? null;
    case "member":
      return property(
        evaluateExpression(expression.object, scope),
        expression.property,
      );
    case "index":
      return property(
        evaluateExpression(expression.object, scope),
        evaluateExpression(expression.index, scope),
      );
    case "wildcard": {
      const object = evaluateExpression(expression.object, scope);
      if (Array.isArray(object) && FILTERED.has(object)) {
        return filtered(object.flatMap(elements));
      }
      return filtered([...elements(object)]);
    }
    case "call": {
      const spec = lookupFunction(expression.name);
      if (spec === undefined) {
        throw new ExpressionError(
          `unknown function '${expression.name}'`,
          expression.start,
          expression.nameEnd,
        );
      }
      if (
        expression.args.length < spec.minArgs ||
        expression.args.length > spec.maxArgs
      ) {
        throw new ExpressionError(
          `${spec.signature} takes ${arityText(spec)}, got ${expression.args.length}`,
          expression.start,
          expression.end,
        );
      }
      const args = expression.args.map((arg) => evaluateExpression(arg, scope));
      return spec.call(args, expression.start, expression.end);
    }
    case "not":
      return !isTruthy(evaluateExpression(expression.operand, scope));
    case "binary": {
      const left = evaluateExpression(expression.left, scope);
      const right = evaluateExpression(expression.right, scope);
      switch (expression.operator) {
        case "==":
          return looseEquals(left, right);
        case "!=":
          return !looseEquals(left, right);
        default:
          return compareValues(expression.operator, left, right);
      }
    }
    case "logical": {
      const left = evaluateExpression(expression.left, scope);
      if (expression.operator === "&&") {
        return isTruthy(left)
          ? evaluateExpression(expression.right, scope)
          : left;
      }
      return isTruthy(left)
        ? left
        : evaluateExpression(expression.right, scope);
    }
    case "conditional":
      return isTruthy(evaluateExpression(expression.test, scope))
        ? evaluateExpression(expression.consequent, scope)
        : evaluateExpression(expression.alternate, scope);
  }
}
