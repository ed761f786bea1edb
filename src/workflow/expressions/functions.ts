import { ExpressionError } from "./expression-error.js";
import {
  kindOf,
  looseEquals,
  toText,
  toValue,
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

function upper(value: Value): string {
  return toText(value).toUpperCase();
}

/** `format('{0} and {1}', a, b)`; `{{` and `}}` are literal braces. */
export function formatString(
  template: string,
  args: readonly Value[],
  start: number,
  end: number,
): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === "{" && template[i + 1] === "{") {
      out += "{";
      i++;
    } else if (c === "}" && template[i + 1] === "}") {
      out += "}";
      i++;
    } else if (c === "{") {
      const close = template.indexOf("}", i);
      const digits = close === -1 ? "" : template.slice(i + 1, close);
      if (!/^\d+$/.test(digits)) {
        throw new ExpressionError(
          `format: invalid placeholder at position ${i} of '${template}'; use {0}, {1}, … or {{ and }} for braces`,
          start,
          end,
        );
      }
      const index = Number(digits);
      if (index >= args.length) {
        throw new ExpressionError(
          `format: placeholder {${index}} has no argument (${args.length} given)`,
          start,
          end,
        );
      }
      out += toText(args[index] as Value);
      i = close;
    } else if (c === "}") {
      throw new ExpressionError(
        `format: unmatched '}' at position ${i} of '${template}'; use }} for a literal brace`,
        start,
        end,
      );
    } else {
      out += c;
    }
  }
  return out;
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
      return upper(search).includes(upper(item));
    },
  },
  startsWith: {
    minArgs: 2,
    maxArgs: 2,
    accepts: [TEXTUAL, TEXTUAL],
    returns: "boolean",
    signature: "startsWith(text, prefix)",
    call([text = null, prefix = null]) {
      return upper(text).startsWith(upper(prefix));
    },
  },
  endsWith: {
    minArgs: 2,
    maxArgs: 2,
    accepts: [TEXTUAL, TEXTUAL],
    returns: "boolean",
    signature: "endsWith(text, suffix)",
    call([text = null, suffix = null]) {
      return upper(text).endsWith(upper(suffix));
    },
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
    call([value = null]) {
      return JSON.stringify(value, null, 2);
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
        return toValue(JSON.parse(toText(text)));
      } catch (error) {
        throw new ExpressionError(
          `fromJSON: not valid JSON (${(error as Error).message})`,
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

/** `1 argument`, `1 or 2 arguments`, `1 or more arguments`. */
export function arityText(spec: FunctionSpec): string {
  const noun = (n: number) => (n === 1 ? "argument" : "arguments");
  if (spec.minArgs === spec.maxArgs)
    return `${spec.minArgs} ${noun(spec.minArgs)}`;
  if (spec.maxArgs === Number.POSITIVE_INFINITY)
    return `${spec.minArgs} or more arguments`;
  return `${spec.minArgs} to ${spec.maxArgs} arguments`;
}
