import type { Diagnostic, ValuePath } from "./diagnostic.js";
import type { Parameter } from "./schema.js";

function kindOfValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** Checks that a parameter's default and enum values have its type. */
export function checkParameter(
  parameter: Parameter,
  path: ValuePath,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const matches = (value: unknown) => kindOfValue(value) === parameter.type;
  if (parameter.default !== undefined && !matches(parameter.default)) {
    diagnostics.push({
      message: `default must be a ${parameter.type}, not ${kindOfValue(parameter.default)}`,
      path: [...path, "default"],
    });
  }
  parameter.enum?.forEach((value, i) => {
    if (!matches(value)) {
      diagnostics.push({
        message: `enum values must be ${parameter.type}s, not ${kindOfValue(value)}`,
        path: [...path, "enum", i],
      });
    }
  });
  if (
    parameter.enum !== undefined &&
    parameter.default !== undefined &&
    !parameter.enum.some((value) => value === parameter.default)
  ) {
    diagnostics.push({
      message: `default ${JSON.stringify(parameter.default)} is not one of enum ${JSON.stringify(parameter.enum)}`,
      path: [...path, "default"],
    });
  }
  return diagnostics;
}
