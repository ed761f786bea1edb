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

/** A JSON number, as GitHub Actions reads numbers out of strings. */
const JSON_NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * Number coercion as GitHub Actions does it: null → 0, booleans → 1/0,
 * strings parsed as JSON numbers (empty → 0, else NaN), arrays and objects
 * → NaN.
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
      if (JSON_NUMBER.test(text) || /^-?(?:Infinity|NaN)$/.test(text)) {
        return Number(text);
      }
      return Number.NaN;
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

/** Null, booleans, numbers and strings: what can compare as text. */
export function isPrimitive(
  value: Value,
): value is null | boolean | number | string {
  return value === null || typeof value !== "object";
}

/**
 * Case folding for comparisons, character by character (an ordinal,
 * case-insensitive comparison, as GitHub Actions does): `ß` does not become
 * `SS`.
 */
export function foldCase(text: string): string {
  if (/^[ -~]*$/.test(text)) return text.toUpperCase();
  let out = "";
  for (const c of text) {
    const upper = c.toUpperCase();
    out += upper.length === c.length ? upper : c;
  }
  return out;
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
      return foldCase(left as string) === foldCase(right as string);
    }
    return left === right;
  }
  if (!isPrimitive(left) || !isPrimitive(right)) return false;
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
    a = foldCase(left);
    b = foldCase(right);
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

/**
 * Turns any JSON-compatible JavaScript value into a {@link Value}. Keys are
 * defined as own properties, so a `__proto__` key stays a key.
 */
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
    for (const [key, item] of Object.entries(input)) {
      Object.defineProperty(out, key, {
        value: toValue(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return String(input);
}
