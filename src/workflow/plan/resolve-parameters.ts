import { didYouMean } from "../did-you-mean.js";
import type { Parameter } from "../schema.js";

export type ParameterValues = Record<string, unknown>;

function kindOf(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

/** Converts a command-line string to the parameter's type. */
function coerce(
  parameter: Parameter,
  text: string,
): { value: unknown } | { error: string } {
  switch (parameter.type) {
    case "string":
      return { value: text };
    case "number": {
      const value = Number(text);
      return text.trim() !== "" && Number.isFinite(value)
        ? { value }
        : { error: `expected a number, got '${text}'` };
    }
    case "boolean":
      if (text === "true" || text === "false")
        return { value: text === "true" };
      return { error: `expected true or false, got '${text}'` };
    default: {
      try {
        const value: unknown = JSON.parse(text);
        return kindOf(value) === parameter.type
          ? { value }
          : {
              error: `expected ${parameter.type === "array" ? "a JSON array" : "a JSON object"}, got '${text}'`,
            };
      } catch {
        return {
          error: `expected ${parameter.type === "array" ? "a JSON array" : "a JSON object"}, got '${text}'`,
        };
      }
    }
  }
}

/**
 * Resolves a run's parameter values: supplied values (strings, as from the
 * command line, or typed values) checked against their declarations,
 * defaults for the rest. Reports unknown names, bad values, values outside
 * `enum` and missing required parameters.
 */
export function resolveParameters(
  declared: Readonly<Record<string, Parameter>>,
  supplied: Readonly<Record<string, unknown>>,
): { values: ParameterValues; errors: string[] } {
  const values: ParameterValues = {};
  const errors: string[] = [];
  for (const [name, raw] of Object.entries(supplied)) {
    const parameter = Object.hasOwn(declared, name)
      ? declared[name]
      : undefined;
    if (parameter === undefined) {
      const names = Object.keys(declared);
      errors.push(
        `unknown parameter '${name}'${didYouMean(name, names)}; ${names.length === 0 ? "the workflow declares no parameters" : `declared: ${names.join(", ")}`}`,
      );
      continue;
    }
    let value = raw;
    if (typeof raw === "string" && parameter.type !== "string") {
      const coerced = coerce(parameter, raw);
      if ("error" in coerced) {
        errors.push(`parameter '${name}': ${coerced.error}`);
        continue;
      }
      value = coerced.value;
    } else if (kindOf(raw) !== parameter.type) {
      errors.push(
        `parameter '${name}': expected ${parameter.type === "object" || parameter.type === "array" ? "an" : "a"} ${parameter.type}, got ${kindOf(raw)}`,
      );
      continue;
    }
    if (
      parameter.enum !== undefined &&
      !parameter.enum.some((allowed) => allowed === value)
    ) {
      errors.push(
        `parameter '${name}': ${JSON.stringify(value)} is not one of ${parameter.enum.map((v) => JSON.stringify(v)).join(", ")}`,
      );
      continue;
    }
    values[name] = value;
  }
  for (const [name, parameter] of Object.entries(declared)) {
    if (Object.hasOwn(values, name) || Object.hasOwn(supplied, name)) continue;
    if (parameter.default !== undefined) values[name] = parameter.default;
    else if (parameter.required) errors.push(`parameter '${name}' is required`);
    else values[name] = null;
  }
  return { values, errors };
}
