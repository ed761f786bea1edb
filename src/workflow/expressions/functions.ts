import { ExpressionError } from "./expression-error.js";
import { missingArgument, parseFormat } from "./format-string.js";
import {
  foldCase,
  isPrimitive,
  kindOf,
  looseEquals,
  toText,
  type Value,
  type ValueKind,
} from "./values.js";

/** What the checker knows of a value's type; `any` when unknown until run time. */
export type StaticType = ValueKind | "any";

export interface FunctionSpec {
  minArgs: number;
  maxArgs: number;
  /** Types each argument may have (the last entry covers extra arguments). */
  accepts: readonly (readonly StaticType[] | "any")[];
  returns: StaticType;
  signature: string;
  call(args: Value[], start: number, end: number): Value;
}

const TEXTUAL = ["string", "number", "boolean", "null"] as const;

/** `format('{0} and {1}', a, b)`; `{{` and `}}` are literal braces. */
export function formatString(
  template: string,
  args: readonly Value[],
  start: number,
  end: number,
): string {
  const parsed = parseFormat(template);
  if ("error" in parsed) throw new ExpressionError(parsed.error, start, end);
  let out = "";
  for (const part of parsed.parts) {
    if (typeof part === "string") out += part;
    else if (part >= args.length) {
      throw new ExpressionError(missingArgument(part, args.length), start, end);
    } else out += toText(args[part] as Value);
  }
  return out;
}

/** Text comparison for startsWith/endsWith: both sides must be primitives. */
function textTest(
  test: (text: string, part: string) => boolean,
): (args: Value[]) => Value {
  return ([text = null, part = null]) =>
    isPrimitive(text) &&
    isPrimitive(part) &&
    test(foldCase(toText(text)), foldCase(toText(part)));
}

/** The built-in functions, with GitHub Actions' semantics where both have them. */
export const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
  length: {
    minArgs: 1,
    maxArgs: 1,
    accepts: [["string", "array", "object", "null"]],
    returns: "number",
    signature: "length(value)",
    call([value = null], start, end) {
      switch (kindOf(value)) {
        case "null":
          return 0;
        case "string":
          return (value as string).length;
        case "array":
          return (value as Value[]).length;
        case "object":
          return Object.keys(value as object).length;
        default:
          throw new ExpressionError(
            `length: expected a string, array or object, got a ${kindOf(value)}`,
            start,
            end,
          );
      }
    },
  },
  contains: {
    minArgs: 2,
    maxArgs: 2,
    accepts: [["string", "number", "boolean", "null", "array"], "any"],
    returns: "boolean",
    signature: "contains(search, item)",
    call([search = null, item = null]) {
      if (Array.isArray(search))
        return search.some((e) => looseEquals(e, item));
      if (!isPrimitive(search) || !isPrimitive(item)) return false;
      return foldCase(toText(search)).includes(foldCase(toText(item)));
    },
  },
  startsWith: {
    minArgs: 2,
    maxArgs: 2,
    accepts: [TEXTUAL, TEXTUAL],
    returns: "boolean",
    signature: "startsWith(text, prefix)",
    call: textTest((text, prefix) => text.startsWith(prefix)),
  },
  endsWith: {
    minArgs: 2,
    maxArgs: 2,
    accepts: [TEXTUAL, TEXTUAL],
    returns: "boolean",
    signature: "endsWith(text, suffix)",
    call: textTest((text, suffix) => text.endsWith(suffix)),
  },
  format: {
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    accepts: [["string"], "any"],
    returns: "string",
    signature: "format(template, ...values)",
    call([template = null, ...rest], start, end) {
      return formatString(toText(template), rest, start, end);
    },
  },
  join: {
    minArgs: 1,
    maxArgs: 2,
    accepts: [["array", "string", "number", "boolean", "null"], TEXTUAL],
    returns: "string",
    signature: "join(array, separator = ',')",
    call([items = null, separator = ","]) {
      if (Array.isArray(items))
        return items.map(toText).join(toText(separator));
      return toText(items);
    },
  },
  toJSON: {
    minArgs: 1,
    maxArgs: 1,
    accepts: ["any"],
    returns: "string",
    signature: "toJSON(value)",
    call([value = null], start, end) {
      try {
        return JSON.stringify(value, null, 2);
      } catch {
        throw new ExpressionError(
          "toJSON: the value is nested too deeply",
          start,
          end,
        );
      }
    },
  },
  fromJSON: {
    minArgs: 1,
    maxArgs: 1,
    accepts: [["string"]],
    returns: "any",
    signature: "fromJSON(text)",
    call([text = null], start, end) {
      try {
        // JSON.parse makes exactly the values a Value can be, and keeps a
        // "__proto__" key as a key.
        return JSON.parse(toText(text)) as Value;
      } catch (error) {
        const reason =
          error instanceof RangeError
            ? "nested too deeply"
            : (error as Error).message;
        throw new ExpressionError(
          `fromJSON: not valid JSON (${reason})`,
          start,
          end,
        );
      }
    },
  },
};

export const FUNCTION_NAMES = Object.keys(FUNCTIONS);

const BY_LOWER_NAME = new Map(
  Object.entries(FUNCTIONS).map(([name, spec]) => [name.toLowerCase(), spec]),
);

/** Finds a function by name, ignoring case as GitHub Actions does. */
export function lookupFunction(name: string): FunctionSpec | undefined {
  return BY_LOWER_NAME.get(name.toLowerCase());
}

/** `1 argument`, `1 to 2 arguments`, `1 or more arguments`. */
export function arityText(spec: FunctionSpec): string {
  const noun = (n: number) => (n === 1 ? "argument" : "arguments");
  if (spec.minArgs === spec.maxArgs)
    return `${spec.minArgs} ${noun(spec.minArgs)}`;
  if (spec.maxArgs === Number.POSITIVE_INFINITY) {
    return `${spec.minArgs} or more arguments`;
  }
  return `${spec.minArgs} to ${spec.maxArgs} arguments`;
}
