/** A runtime value: what JSON can hold. */
export type Value = null | boolean | number | string | Value[] | ValueObject;
export interface ValueObject {
  [key: string]: Value;
}

export type ValueKind =
  | "null"
  | "boolean"
  | "number"
  | "string"
  | "array"
  | "object";

export function kindOf(value: Value): ValueKind {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as "boolean" | "number" | "string" | "object";
}

/**
 * Number coercion as GitHub Actions does it: null → 0, booleans → 1/0,
 * strings parsed as JSON numbers (empty → 0, else NaN), arrays and objects → NaN.
 */
export function toNumber(value: Value): number {
  switch (kindOf(value)) {
    case "null":
      return 0;
    case "boolean":
      return value ? 1 : 0;
    case "number":
      return value as number;
    case "string": {
      const text = (value as string).trim();
      if (text === "") return 0;
      if (/^-?0x[0-9a-f]+$/i.test(text)) {
        const magnitude = Number.parseInt(text.replace(/^-?0x/i, ""), 16);
        return text.startsWith("-") ? -magnitude : magnitude;
      }
      return /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(text) ||
        text === "NaN" ||
        /^-?Infinity$/.test(text)
        ? Number(text)
        : Number.NaN;
    }
    default:
      return Number.NaN;
  }
}

/** String conversion as GitHub Actions does it: null → '', arrays → 'Array'. */
export function toText(value: Value): string {
  switch (kindOf(value)) {
    case "null":
      return "";
    case "boolean":
    case "string":
      return String(value);
    case "number":
      return Object.is(value, -0) ? "0" : String(value);
    case "array":
      return "Array";
    default:
      return "Object";
  }
}

/** Falsy: false, 0, -0, NaN, '' and null. Arrays and objects are truthy. */
export function isTruthy(value: Value): boolean {
  if (value === null || value === false || value === "") return false;
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  return true;
}

/**
 * `==` as GitHub Actions defines it: strings compare ignoring case; values of
 * different types are compared as numbers; arrays and objects only equal
 * themselves.
 */
export function looseEquals(left: Value, right: Value): boolean {
  const leftKind = kindOf(left);
  const rightKind = kindOf(right);
  if (leftKind === rightKind) {
    if (leftKind === "string") {
      return (left as string).toUpperCase() === (right as string).toUpperCase();
    }
    return left === right;
  }
  if (
    leftKind === "array" ||
    leftKind === "object" ||
    rightKind === "array" ||
    rightKind === "object"
  ) {
    return false;
  }
  return toNumber(left) === toNumber(right);
}

/**
 * `<`, `<=`, `>`, `>=`: two strings compare ignoring case; anything else is
 * compared as numbers (so a comparison with NaN is false).
 */
export function compareValues(
  operator: "<" | "<=" | ">" | ">=",
  left: Value,
  right: Value,
): boolean {
  let a: number | string;
  let b: number | string;
  if (typeof left === "string" && typeof right === "string") {
    a = left.toUpperCase();
    b = right.toUpperCase();
  } else {
    a = toNumber(left);
    b = toNumber(right);
  }
  switch (operator) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    default:
      return a >= b;
  }
}

/** Turns any JSON-compatible JavaScript value into a {@link Value}. */
export function toValue(input: unknown): Value {
  if (input === undefined || input === null) return null;
  if (
    typeof input === "boolean" ||
    typeof input === "number" ||
    typeof input === "string"
  ) {
    return input;
  }
  if (Array.isArray(input)) return input.map(toValue);
  if (typeof input === "object") {
    const out: ValueObject = {};
    for (const [key, item] of Object.entries(input)) out[key] = toValue(item);
    return out;
  }
  return String(input);
}
