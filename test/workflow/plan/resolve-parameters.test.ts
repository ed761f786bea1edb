import { describe, expect, it } from "vitest";
import {
  type ParameterValues,
  resolveParameters,
} from "../../../src/workflow/plan/resolve-parameters.js";
import { Parameter } from "../../../src/workflow/schema.js";

/** Declares parameters as a workflow file would, with schema defaults. */
function declare(
  raw: Record<string, Record<string, unknown>>,
): Record<string, Parameter> {
  return Object.fromEntries(
    Object.entries(raw).map(([name, p]) => [name, Parameter.parse(p)]),
  );
}

interface ResolveCase {
  name: string;
  declared: Record<string, Record<string, unknown>>;
  supplied: Record<string, unknown>;
  values: ParameterValues;
  errors: string[];
}

const coercion: ResolveCase[] = [
  {
    name: "a string stays a string",
    declared: { title: {} },
    supplied: { title: "42" },
    values: { title: "42" },
    errors: [],
  },
  {
    name: "an integer string becomes a number",
    declared: { n: { type: "number" } },
    supplied: { n: "42" },
    values: { n: 42 },
    errors: [],
  },
  {
    name: "a negative decimal string becomes a number",
    declared: { n: { type: "number" } },
    supplied: { n: "-3.5" },
    values: { n: -3.5 },
    errors: [],
  },
  {
    name: "an exponent string becomes a number",
    declared: { n: { type: "number" } },
    supplied: { n: "1e3" },
    values: { n: 1000 },
    errors: [],
  },
  {
    name: "white space around a number is ignored",
    declared: { n: { type: "number" } },
    supplied: { n: " 7 " },
    values: { n: 7 },
    errors: [],
  },
  {
    name: "an empty string is not a number",
    declared: { n: { type: "number" } },
    supplied: { n: "" },
    values: {},
    errors: ["parameter 'n': expected a number, got ''"],
  },
  {
    name: "blanks are not a number",
    declared: { n: { type: "number" } },
    supplied: { n: "  " },
    values: {},
    errors: ["parameter 'n': expected a number, got '  '"],
  },
  {
    name: "a word is not a number",
    declared: { n: { type: "number" } },
    supplied: { n: "ten" },
    values: {},
    errors: ["parameter 'n': expected a number, got 'ten'"],
  },
  {
    name: "Infinity is not a number here",
    declared: { n: { type: "number" } },
    supplied: { n: "Infinity" },
    values: {},
    errors: ["parameter 'n': expected a number, got 'Infinity'"],
  },
  {
    name: "NaN is not a number here",
    declared: { n: { type: "number" } },
    supplied: { n: "NaN" },
    values: {},
    errors: ["parameter 'n': expected a number, got 'NaN'"],
  },
  {
    name: "true and false become booleans",
    declared: { a: { type: "boolean" }, b: { type: "boolean" } },
    supplied: { a: "true", b: "false" },
    values: { a: true, b: false },
    errors: [],
  },
  {
    name: "booleans are lower case only",
    declared: { b: { type: "boolean" } },
    supplied: { b: "True" },
    values: {},
    errors: ["parameter 'b': expected true or false, got 'True'"],
  },
  {
    name: "1 is not a boolean",
    declared: { b: { type: "boolean" } },
    supplied: { b: "1" },
    values: {},
    errors: ["parameter 'b': expected true or false, got '1'"],
  },
  {
    name: "a JSON object string becomes an object",
    declared: { o: { type: "object" } },
    supplied: { o: '{"depth":2,"tags":["x"]}' },
    values: { o: { depth: 2, tags: ["x"] } },
    errors: [],
  },
  {
    name: "a JSON array is not an object",
    declared: { o: { type: "object" } },
    supplied: { o: "[1]" },
    values: {},
    errors: ["parameter 'o': expected a JSON object, got '[1]'"],
  },
  {
    name: "JSON null is not an object",
    declared: { o: { type: "object" } },
    supplied: { o: "null" },
    values: {},
    errors: ["parameter 'o': expected a JSON object, got 'null'"],
  },
  {
    name: "invalid JSON is not an object",
    declared: { o: { type: "object" } },
    supplied: { o: "{depth: 2}" },
    values: {},
    errors: ["parameter 'o': expected a JSON object, got '{depth: 2}'"],
  },
  {
    name: "a JSON array string becomes an array",
    declared: { l: { type: "array" } },
    supplied: { l: '["x", 2, true]' },
    values: { l: ["x", 2, true] },
    errors: [],
  },
  {
    name: "a JSON object is not an array",
    declared: { l: { type: "array" } },
    supplied: { l: "{}" },
    values: {},
    errors: ["parameter 'l': expected a JSON array, got '{}'"],
  },
  {
    name: "a bare word is not an array",
    declared: { l: { type: "array" } },
    supplied: { l: "a,b" },
    values: {},
    errors: ["parameter 'l': expected a JSON array, got 'a,b'"],
  },
];

const typed: ResolveCase[] = [
  {
    name: "typed values of the declared types pass",
    declared: {
      s: {},
      n: { type: "number" },
      b: { type: "boolean" },
      o: { type: "object" },
      l: { type: "array" },
    },
    supplied: { s: "x", n: 0, b: false, o: { a: 1 }, l: [] },
    values: { s: "x", n: 0, b: false, o: { a: 1 }, l: [] },
    errors: [],
  },
  {
    name: "a number for a string",
    declared: { s: {} },
    supplied: { s: 5 },
    values: {},
    errors: ["parameter 's': expected a string, got number"],
  },
  {
    name: "a boolean for a number",
    declared: { n: { type: "number" } },
    supplied: { n: true },
    values: {},
    errors: ["parameter 'n': expected a number, got boolean"],
  },
  {
    name: "null for a boolean",
    declared: { b: { type: "boolean" } },
    supplied: { b: null },
    values: {},
    errors: ["parameter 'b': expected a boolean, got null"],
  },
  {
    name: "an array for a string",
    declared: { s: {} },
    supplied: { s: ["x"] },
    values: {},
    errors: ["parameter 's': expected a string, got array"],
  },
];

const enums: ResolveCase[] = [
  {
    name: "a string in the enum",
    declared: { mode: { enum: ["fast", "full"] } },
    supplied: { mode: "full" },
    values: { mode: "full" },
    errors: [],
  },
  {
    name: "a string outside the enum",
    declared: { mode: { enum: ["fast", "full"] } },
    supplied: { mode: "slow" },
    values: {},
    errors: ['parameter \'mode\': "slow" is not one of "fast", "full"'],
  },
  {
    name: "a coerced number in the enum",
    declared: { level: { type: "number", enum: [1, 2, 3] } },
    supplied: { level: "2" },
    values: { level: 2 },
    errors: [],
  },
  {
    name: "a coerced number outside the enum",
    declared: { level: { type: "number", enum: [1, 2, 3] } },
    supplied: { level: "4" },
    values: {},
    errors: ["parameter 'level': 4 is not one of 1, 2, 3"],
  },
  {
    name: "a boolean outside the enum",
    declared: { sure: { type: "boolean", enum: [true] } },
    supplied: { sure: "false" },
    values: {},
    errors: ["parameter 'sure': false is not one of true"],
  },
  {
    name: "enum values compare strictly",
    declared: { mode: { enum: ["Fast"] } },
    supplied: { mode: "fast" },
    values: {},
    errors: ['parameter \'mode\': "fast" is not one of "Fast"'],
  },
];

const defaults: ResolveCase[] = [
  {
    name: "a default fills a missing value",
    declared: {
      mode: { default: "full" },
      depth: { type: "number", default: 2 },
    },
    supplied: {},
    values: { mode: "full", depth: 2 },
    errors: [],
  },
  {
    name: "a supplied value wins over the default",
    declared: { mode: { default: "full" } },
    supplied: { mode: "fast" },
    values: { mode: "fast" },
    errors: [],
  },
  {
    name: "a required parameter with a default needs no value",
    declared: { mode: { required: true, default: "full" } },
    supplied: {},
    values: { mode: "full" },
    errors: [],
  },
  {
    name: "an optional parameter without a default is null",
    declared: { note: {} },
    supplied: {},
    values: { note: null },
    errors: [],
  },
  {
    name: "a required parameter without a value",
    declared: { feature: { required: true } },
    supplied: {},
    values: {},
    errors: ["parameter 'feature' is required"],
  },
  {
    name: "a bad value is reported once, not also as missing",
    declared: { n: { type: "number", required: true, default: 1 } },
    supplied: { n: "many" },
    values: {},
    errors: ["parameter 'n': expected a number, got 'many'"],
  },
  {
    name: "no parameters declared or supplied",
    declared: {},
    supplied: {},
    values: {},
    errors: [],
  },
];

const unknown: ResolveCase[] = [
  {
    name: "an unknown parameter with a close name",
    declared: { mode: {}, deep: { type: "boolean" } },
    supplied: { modes: "fast" },
    values: { mode: null, deep: null },
    errors: [
      "unknown parameter 'modes' (did you mean 'mode'?); declared: mode, deep",
    ],
  },
  {
    name: "an unknown parameter with no close name",
    declared: { mode: {}, deep: { type: "boolean" } },
    supplied: { zzz: "1" },
    values: { mode: null, deep: null },
    errors: ["unknown parameter 'zzz'; declared: mode, deep"],
  },
  {
    name: "an unknown parameter when none are declared",
    declared: {},
    supplied: { feature: "x" },
    values: {},
    errors: [
      "unknown parameter 'feature'; the workflow declares no parameters",
    ],
  },
  {
    name: "every problem is listed: supplied first, then missing",
    declared: {
      feature: { required: true },
      mode: { enum: ["fast", "full"] },
      n: { type: "number" },
      ok: { type: "boolean" },
    },
    supplied: { n: "x", mode: "slow", extra: 1, ok: "true" },
    values: { ok: true },
    errors: [
      "parameter 'n': expected a number, got 'x'",
      'parameter \'mode\': "slow" is not one of "fast", "full"',
      "unknown parameter 'extra'; declared: feature, mode, n, ok",
      "parameter 'feature' is required",
    ],
  },
];

describe("resolveParameters", () => {
  describe.each([
    { group: "coercion of strings", cases: coercion },
    { group: "typed values", cases: typed },
    { group: "enum", cases: enums },
    { group: "defaults and required", cases: defaults },
    { group: "unknown parameters", cases: unknown },
  ])("$group", ({ cases }) => {
    it.each(cases)("$name", ({ declared, supplied, values, errors }) => {
      const result = resolveParameters(declare(declared), supplied);
      expect(result.errors).toStrictEqual(errors);
      expect(result.values).toStrictEqual(values);
    });
  });

  it.each([
    {
      name: "an object parameter given a number",
      declared: { o: { type: "object" } },
      supplied: { o: 5 },
      error: "parameter 'o': expected an object, got number",
    },
    {
      name: "an array parameter given an object",
      declared: { l: { type: "array" } },
      supplied: { l: { a: 1 } },
      error: "parameter 'l': expected an array, got object",
    },
  ])(
    "uses 'an' before object and array: $name",
    ({ declared, supplied, error }) => {
      const result = resolveParameters(declare(declared), supplied);
      expect(result.errors).toStrictEqual([error]);
    },
  );

  // Object.prototype members are not declared parameters.
  it.each<{ supplied: Record<string, unknown>; error: string }>([
    {
      supplied: { toString: "x" },
      error:
        "unknown parameter 'toString'; the workflow declares no parameters",
    },
    {
      supplied: { constructor: 1 },
      error:
        "unknown parameter 'constructor'; the workflow declares no parameters",
    },
  ])(
    "reports an inherited property name as unknown: $supplied",
    ({ supplied, error }) => {
      const result = resolveParameters({}, supplied);
      expect(result.errors).toStrictEqual([error]);
    },
  );

  it("does not change the declared or supplied objects", () => {
    const declared = declare({ mode: { default: "full" } });
    const supplied = { depth: "2" };
    const before = JSON.stringify({ declared, supplied });
    resolveParameters(declared, supplied);
    expect(JSON.stringify({ declared, supplied })).toBe(before);
  });
});
