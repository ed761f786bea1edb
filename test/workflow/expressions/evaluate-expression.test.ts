import { describe, expect, it, vi } from "vitest";
import {
  evaluateExpression,
  type Scope,
} from "../../../src/workflow/expressions/evaluate-expression.js";
import { ExpressionError } from "../../../src/workflow/expressions/expression-error.js";
import { parseExpression } from "../../../src/workflow/expressions/parse-expression.js";
import {
  toNumber,
  toText,
  toValue,
  type Value,
} from "../../../src/workflow/expressions/values.js";

const scope: Scope = {
  parameters: {
    name: "Mona",
    count: 3,
    flag: true,
    empty: "",
    zero: 0,
    nothing: null,
    list: ["a", "B", 3],
    obj: { x: 1, "k-y": 2 },
  },
  stages: {
    plan: {
      status: "succeeded",
      outputs: {
        summary: "ok",
        labels: [{ name: "bug" }, { name: "help wanted" }],
      },
    },
  },
  run: { issue: 42, branch: "feature/x" },
  env: { CI: "true" },
};

function evaluate(source: string): Value {
  return evaluateExpression(parseExpression(source), scope);
}

function evaluationError(source: string): ExpressionError {
  try {
    evaluate(source);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to fail`);
}

type Case = [source: string, expected: Value];

/** Cases are checked with Object.is semantics: NaN equals NaN, -0 is not 0. */
const check = (source: string, expected: Value) => {
  expect(evaluate(source)).toStrictEqual(expected);
};

describe("evaluateExpression", () => {
  describe("literals", () => {
    it.each<Case>([
      ["null", null],
      ["true", true],
      ["false", false],
      ["711", 711],
      ["-9.2", -9.2],
      ["0xff", 255],
      ["0X1F", 31],
      ["-2.99e-2", -0.0299],
      ["'It''s open source!'", "It's open source!"],
      ["NaN", Number.NaN],
      ["Infinity", Number.POSITIVE_INFINITY],
      ["-Infinity", Number.NEGATIVE_INFINITY],
      // %s: JSON would print NaN and ±Infinity as null.
    ])("%s is %s", check);
  });

  describe("== and != (GitHub's loose equality)", () => {
    it.each<Case>([
      ["1 == 1", true],
      ["1 == 2", false],
      ["1 != 2", true],
      // Strings compare ignoring case.
      ["'abc' == 'ABC'", true],
      ["'a' != 'A'", false],
      // Case folding is ordinal, one character at a time: a letter whose
      // upper case is longer ('ß' → 'SS', 'ﬁ' → 'FI') only equals itself.
      ["'straße' == 'STRASSE'", false],
      ["'straße' == 'STRAßE'", true],
      ["'ﬁle' == 'FILE'", false],
      ["'é' == 'É'", true],
      ["'École' == 'éCOLE'", true],
      ["null == null", true],
      ["true == true", true],
      ["true == false", false],
      // Different types are compared as numbers.
      ["null == 0", true],
      ["null == false", true],
      ["null == ''", true],
      ["'' == 0", true],
      ["'' == false", true],
      ["1 == true", true],
      ["2 == true", false],
      ["'1' == 1", true],
      ["'1.0' == 1", true],
      ["' 1 ' == 1", true],
      ["'1e2' == 100", true],
      ["'0x10' == 16", true],
      ["'-0x10' == -16", true],
      ["'abc' == 0", false],
      ["'true' == true", false],
      ["'Infinity' == Infinity", true],
      ["'-Infinity' == -Infinity", true],
      ["-Infinity < -1e308", true],
      ["'1' == true", true],
      // NaN never equals anything, itself included.
      ["NaN == NaN", false],
      ["NaN != NaN", true],
      ["0 == -0", true],
      // Arrays and objects only equal themselves.
      ["parameters.list == parameters.list", true],
      ["parameters.obj != parameters.obj", false],
      ["fromJSON('[]') == fromJSON('[]')", false],
      ["parameters.obj == 'Object'", false],
      ["parameters.list == 'Array'", false],
      ["fromJSON('[]') == 0", false],
      ["fromJSON('{}') != null", true],
      ["parameters.list == parameters.obj", false],
      ["parameters.missing == null", true],
    ])("%s is %j", check);
  });

  describe("< <= > >=", () => {
    it.each<Case>([
      ["1 < 2", true],
      ["2 < 1", false],
      ["2 <= 2", true],
      ["3 > 2", true],
      ["2 >= 3", false],
      // Two strings compare ignoring case, character by character.
      ["'a' < 'B'", true],
      ["'B' > 'a'", true],
      ["'abc' >= 'ABC'", true],
      ["'abc' <= 'ABC'", true],
      ["'10' < '9'", true],
      ["'é' <= 'É'", true],
      ["'straße' < 'STRASSE'", false],
      ["'straße' > 'STRASSE'", true],
      // Anything else compares as numbers.
      ["'10' < 9", false],
      ["'10' > 9", true],
      ["null < 1", true],
      ["null >= 0", true],
      ["true > false", true],
      ["'' < 1", true],
      ["'abc' < 1", false],
      ["'abc' >= 1", false],
      ["NaN < 1", false],
      ["NaN >= NaN", false],
      ["parameters.list < 1", false],
      ["parameters.obj > 0", false],
      ["fromJSON('10') > 9", true],
      ["Infinity > 1e308", true],
    ])("%s is %j", check);
  });

  describe("&&, || and !", () => {
    it.each<Case>([
      // && and || give an operand, not a boolean.
      ["'a' && 'b'", "b"],
      ["'' && 'b'", ""],
      ["0 && 'b'", 0],
      ["null && 'b'", null],
      ["null || 'default'", "default"],
      ["'x' || 'y'", "x"],
      ["false || 0", 0],
      ["parameters.empty || 'fallback'", "fallback"],
      ["parameters.count || 'fallback'", 3],
      ["parameters.list && parameters.obj", { x: 1, "k-y": 2 }],
      ["parameters.flag && 'yes' || 'no'", "yes"],
      ["parameters.zero && 'yes' || 'no'", "no"],
      // The right side is not evaluated once the left decides.
      ["false && nosuch", false],
      ["true || nosuch", true],
      ["!true", false],
      ["!null", true],
      ["!'false'", false],
      ["!!parameters.list", true],
    ])("%s is %j", check);

    it.each<[string, boolean]>([
      ["false", false],
      ["0", false],
      ["-0", false],
      ["NaN", false],
      ["''", false],
      ["null", false],
      ["parameters.missing", false],
      ["true", true],
      ["1", true],
      ["-1", true],
      ["0.5", true],
      ["Infinity", true],
      ["'0'", true],
      ["'false'", true],
      ["' '", true],
      ["fromJSON('[]')", true],
      ["fromJSON('{}')", true],
    ])("treats %s as %s", (source, truthy) => {
      expect(evaluate(`!!(${source})`)).toBe(truthy);
      expect(evaluate(`${source} ? 'then' : 'else'`)).toBe(
        truthy ? "then" : "else",
      );
    });
  });

  describe("a ? b : c", () => {
    it.each<Case>([
      ["parameters.count > 2 ? 'many' : 'few'", "many"],
      ["parameters.count > 5 ? 'many' : 'few'", "few"],
      ["false ? 1 : true ? 2 : 3", 2],
      ["true ? parameters.list : nosuch", ["a", "B", 3]],
      ["false ? nosuch : null", null],
    ])("%s is %j", check);
  });

  describe("property and index access", () => {
    it.each<Case>([
      ["parameters.name", "Mona"],
      ["parameters['name']", "Mona"],
      ["parameters[format('{0}{1}', 'na', 'me')]", "Mona"],
      ["parameters.obj['k-y']", 2],
      ["parameters.obj.k-y", 2],
      ["stages.plan.outputs.labels[1].name", "help wanted"],
      ["stages['plan']['status']", "succeeded"],
      ["parameters.list[0]", "a"],
      ["parameters.list[2]", 3],
      // An index is converted to a number and rounded down.
      ["parameters.list['1']", "B"],
      ["parameters.list[' 1 ']", "B"],
      ["parameters.list['0x1']", "B"],
      ["parameters.list[1.5]", "B"],
      ["parameters.list[1.999]", "B"],
      ["parameters.list['1.5']", "B"],
      ["parameters.list[true]", "B"],
      ["parameters.list[false]", "a"],
      ["parameters.list[null]", "a"],
      ["parameters.list['']", "a"],
      ["parameters.list[parameters.zero]", "a"],
      ["parameters.list[parameters.missing]", "a"],
      // Any primitive key reads the property named by its text.
      ['fromJSON(\'{"1": "one"}\')[1]', "one"],
      ['fromJSON(\'{"1": "one"}\')[1.0]', "one"],
      ['fromJSON(\'{"true": "yes"}\')[true]', "yes"],
      ['fromJSON(\'{"1.5": "x"}\')[1.5]', "x"],
      // A missing property, or one read from something that has none, is null.
      ["parameters.missing", null],
      ["parameters.missing.deeper.still", null],
      ["parameters.nothing.x", null],
      ["parameters.name.length", null],
      ["parameters.name[0]", null],
      ["parameters.count.x", null],
      ["parameters.list.length", null],
      ["parameters.list[5]", null],
      ["parameters.list[-1]", null],
      ["parameters.list[-0.5]", null],
      ["parameters.list[NaN]", null],
      ["parameters.list[Infinity]", null],
      ["parameters.list[-Infinity]", null],
      ["parameters.list['a']", null],
      ["parameters.list['1e999']", null],
      ["parameters.list[parameters.list]", null],
      ["parameters.list[parameters.obj]", null],
      ["fromJSON('[[0]]')[fromJSON('[0]')]", null],
      ["parameters.obj[1]", null],
      ["parameters.obj[parameters.list]", null],
      ["fromJSON('{\"\": 1}')[null]", null],
      ["fromJSON('{\"Object\": 1}')[parameters.obj]", null],
      ["parameters.obj.x.y", null],
      // Only own properties are readable.
      ["parameters.obj.toString", null],
      ["parameters.obj.constructor", null],
      ["parameters.obj['__proto__']", null],
      ["parameters.list.map", null],
      // Property names are case-sensitive.
      ["parameters.NAME", null],
    ])("%s is %j", check);

    it.each<Case>([
      ["parameters.list.*", ["a", "B", 3]],
      ["parameters.list[*]", ["a", "B", 3]],
      ["parameters.obj.*", [1, 2]],
      ["parameters.name.*", []],
      ["parameters.nothing.*", []],
      ["parameters.missing.*", []],
      ["length(parameters.obj.*)", 2],
      ["join(parameters.obj.*, '+')", "1+2"],
      ["contains(parameters.list.*, 'b')", true],
    ])("%s is %j", check);

    // After `*`, reading a property or an index reads it of every element
    // and drops the nulls; a further `*` flattens. These are GitHub's object
    // filters:
    // https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#object-filters
    it.each<Case>([
      ["stages.plan.outputs.labels.*.name", ["bug", "help wanted"]],
      ["stages.plan.outputs.labels[*].name", ["bug", "help wanted"]],
      ["stages.plan.outputs.labels[*]['name']", ["bug", "help wanted"]],
      ["contains(stages.plan.outputs.labels.*.name, 'bug')", true],
      ["contains(stages.plan.outputs.labels.*.name, 'feature')", false],
      ["join(stages.plan.outputs.labels.*.name, ', ')", "bug, help wanted"],
      ["length(stages.plan.outputs.labels.*.name)", 2],
      ["stages.plan.outputs.labels.*.missing", []],
      ["stages.plan.outputs.labels.*.name.first", []],
      ["stages.*.status", ["succeeded"]],
      ["stages.*.outputs.summary", ["ok"]],
      ["stages.*.outputs.labels.*.name", ["bug", "help wanted"]],
      [
        'fromJSON(\'[{"a": 1}, {"b": 2}, {"a": null}, 3, {"a": 0}]\').*.a',
        [1, 0],
      ],
      ['fromJSON(\'{"x": {"n": 1}, "y": {"n": 2}}\').*.n', [1, 2]],
      // An index applies to each element too.
      ["fromJSON('[[1, 2], [3], []]').*[0]", [1, 3]],
      ['fromJSON(\'[{"1": "a"}, ["b", "c"]]\').*[1]', ["a", "c"]],
      ["parameters.obj.*[1]", []],
      ["parameters.list.*[0]", []],
      // A second `*` flattens one level.
      ["fromJSON('[[1, 2], [3, [4]]]').*.*", [1, 2, 3, [4]]],
      ["fromJSON('[[1, 2], [3, [4]]]').*.*.*", [4]],
      ['fromJSON(\'[{"x": [1]}, {"x": [2, 3]}]\').*.x.*', [1, 2, 3]],
      ['fromJSON(\'[{"a": 1, "b": 2}, [3]]\').*.*', [1, 2, 3]],
      ["fromJSON('[1, null, [2]]').*.*", [2]],
      ["parameters.name.*.x", []],
      ["parameters.missing.*.*", []],
    ])("filters with %s giving %j", check);

    it("leaves the arrays it filters untouched", () => {
      check("parameters.list.*", ["a", "B", 3]);
      check("parameters.list[1]", "B");
      check("parameters.list.*[1]", []);
      check("stages.plan.outputs.labels.name", null);
      check("stages.plan.outputs.labels[0].name", "bug");
    });

    it("throws for a name the scope does not have", () => {
      const error = evaluationError("parameters.name == nosuch");
      expect([error.message, error.start, error.end]).toEqual([
        "unknown name 'nosuch'",
        19,
        25,
      ]);
    });

    it("does not find names on the scope's prototype", () => {
      const name = {
        kind: "name",
        name: "toString",
        start: 0,
        end: 8,
      } as const;
      expect(() => evaluateExpression(name, scope)).toThrow(
        new ExpressionError("unknown name 'toString'", 0, 8),
      );
    });

    it.each(["constructor", "toString", "__proto__", "hasOwnProperty"])(
      "throws for %s as for any unknown name",
      (name) => {
        const error = evaluationError(name);
        expect([error.message, error.start, error.end]).toEqual([
          `unknown name '${name}'`,
          0,
          name.length,
        ]);
      },
    );

    it("reads constructor from a scope that has it", () => {
      const own: Scope = { constructor: "mine" };
      expect(evaluateExpression(parseExpression("constructor"), own)).toBe(
        "mine",
      );
    });
  });

  describe("functions", () => {
    it.each<Case>([
      ["length('abc')", 3],
      ["length('')", 0],
      ["length(parameters.list)", 3],
      ["length(parameters.obj)", 2],
      ["length(null)", 0],
      ["length(parameters.missing)", 0],
      ["Length('ab')", 2],
    ])("length: %s is %j", check);

    it.each<Case>([
      ["contains('Hello world', 'llo')", true],
      ["contains('Hello world', 'LLO')", true],
      ["contains('Hello world', 'xyz')", false],
      ["contains('abc', '')", true],
      ["contains(123, 2)", true],
      ["contains(true, 'RU')", true],
      ["contains(null, '')", true],
      ["contains(null, 'a')", false],
      ["contains('a null', null)", true],
      ["contains(fromJSON('[\"push\", \"pull_request\"]'), 'PUSH')", true],
      ["contains(parameters.list, 'b')", true],
      ["contains(parameters.list, 3)", true],
      ["contains(parameters.list, '3')", true],
      ["contains(parameters.list, 'c')", false],
      ["contains(fromJSON('[]'), null)", false],
      ["contains(fromJSON('[null]'), 0)", true],
      ["contains(fromJSON('[[1]]'), fromJSON('[1]'))", false],
      ["CONTAINS('abc', 'B')", true],
    ])("contains: %s is %j", check);

    // An array or object is never searched as its text ('Array'/'Object'):
    // as in GitHub Actions, the answer is false unless both sides are
    // primitives (or, for contains, the search is an array).
    it.each<Case>([
      ["contains(parameters.obj, 'obj')", false],
      ["contains(parameters.obj, 'Object')", false],
      ["contains('Object', parameters.obj)", false],
      ["contains('Array', parameters.list)", false],
      ["contains(parameters.obj, parameters.obj)", false],
      ["contains(parameters.list, parameters.list)", false],
      ["startsWith(parameters.list, 'arr')", false],
      ["startsWith(parameters.list, 'Array')", false],
      ["startsWith('Array', parameters.list)", false],
      ["startsWith(parameters.obj, '')", false],
      ["endsWith(parameters.obj, 'ect')", false],
      ["endsWith(parameters.obj, 'Object')", false],
      ["endsWith('Object', parameters.obj)", false],
      ["endsWith(parameters.list, null)", false],
    ])("%s is %j, as in GitHub Actions", check);

    // Text comparisons fold case one character at a time, as == does.
    it.each<Case>([
      ["contains('Straße', 'STRASSE')", false],
      ["contains('Straße', 'STRAßE')", true],
      ["contains('CAFÉ', 'é')", true],
      ["startsWith('ﬁle', 'FI')", false],
      ["startsWith('école', 'É')", true],
      ["endsWith('STRASSE', 'ße')", false],
      ["contains(fromJSON('[\"Straße\"]'), 'STRASSE')", false],
      ["contains(fromJSON('[\"café\"]'), 'CAFÉ')", true],
    ])("%s is %j", check);

    it.each<Case>([
      ["startsWith('Hello world', 'He')", true],
      ["startsWith('Hello world', 'he')", true],
      ["startsWith('Hello world', 'world')", false],
      ["startsWith(123, 12)", true],
      ["startsWith(true, 'TR')", true],
      ["startsWith(null, '')", true],
      ["startsWith('abc', null)", true],
      ["endsWith('Hello world', 'ld')", true],
      ["endsWith('Hello world', 'LD')", true],
      ["endsWith('Hello world', 'Hello')", false],
      ["endsWith(1.5, 5)", true],
      ["endsWith(null, 'x')", false],
      ["STARTSWITH('ab', 'A')", true],
      ["endswith('ab', 'B')", true],
    ])("startsWith and endsWith: %s is %j", check);

    it.each<Case>([
      [
        "format('Hello {0} {1} {2}', 'Mona', 'the', 'Octocat')",
        "Hello Mona the Octocat",
      ],
      [
        "format('{{Hello {0} {1} {2}!}}', 'Mona', 'the', 'Octocat')",
        "{Hello Mona the Octocat!}",
      ],
      ["format('plain')", "plain"],
      ["format('')", ""],
      ["format('{0}{0}', 'x')", "xx"],
      ["format('{1}-{0}', 'a', 'b')", "b-a"],
      ["format('{00}', 'a')", "a"],
      ["format('{0}', 'a', 'unused')", "a"],
      ["format('{{0}}', 'a')", "{0}"],
      ["format('{{{0}}}', 'a')", "{a}"],
      ["format('}}{{')", "}{"],
      ["format('{0}', null)", ""],
      ["format('{0} {1}', true, 1.5)", "true 1.5"],
      ["format('{0}', -0)", "0"],
      ["format('{0}', parameters.list)", "Array"],
      ["format('{0}', parameters.obj)", "Object"],
      ["format('{0}', 0xff)", "255"],
      ["format(1)", "1"],
      ["FORMAT('{0}!', 'hi')", "hi!"],
    ])("format: %s is %j", check);

    it.each<Case>([
      ["join(parameters.list)", "a,B,3"],
      ["join(parameters.list, ', ')", "a, B, 3"],
      ["join(parameters.list, '')", "aB3"],
      ["join(parameters.list, null)", "aB3"],
      ["join(parameters.list, 1)", "a1B13"],
      [
        "join(fromJSON('[1, null, true, [2], {}]'), '|')",
        "1||true|Array|Object",
      ],
      ["join(fromJSON('[]'))", ""],
      ["join('abc', '-')", "abc"],
      ["join(12)", "12"],
      ["join(null)", ""],
      ["JOIN(parameters.list)", "a,B,3"],
    ])("join: %s is %j", check);

    it.each<Case>([
      ["toJSON(parameters.obj)", '{\n  "x": 1,\n  "k-y": 2\n}'],
      ["toJSON(parameters.list)", '[\n  "a",\n  "B",\n  3\n]'],
      ["toJSON('a')", '"a"'],
      ["toJSON(null)", "null"],
      ["toJSON(true)", "true"],
      ["toJSON(1.5)", "1.5"],
      ["toJSON(fromJSON('[]'))", "[]"],
      ["tojson(fromJSON('{\"a\":[1]}'))", '{\n  "a": [\n    1\n  ]\n}'],
    ])("toJSON: %s is %j", check);

    it.each<Case>([
      ['fromJSON(\'{"a": [1, "x", null]}\')', { a: [1, "x", null] }],
      ["fromJSON('true')", true],
      ["fromJSON('1.5')", 1.5],
      ["fromJSON('-0')", -0],
      ["fromJSON('null')", null],
      ["fromJSON(' \"s\" ')", "s"],
      ["fromJSON('{\"a\": 1}').a", 1],
      ["fromJSON(format('[{0}]', 5))[0]", 5],
      ["fromJSON(toJSON(parameters.obj))", { x: 1, "k-y": 2 }],
      ["fromJSON(12)", 12],
      ["FromJson('[]')", []],
    ])("fromJSON: %s is %j", check);

    // A "__proto__" key is a key like any other, never the prototype.
    it.each<Case>([
      ["fromJSON('{\"__proto__\": \"x\"}')['__proto__']", "x"],
      ['length(fromJSON(\'{"__proto__": 1, "a": 2}\'))', 2],
      ["toJSON(fromJSON('{\"__proto__\": {}}'))", '{\n  "__proto__": {}\n}'],
      ['fromJSON(\'{"__proto__": {"x": 1}}\').x', null],
      ["fromJSON('{\"__proto__\": {\"x\": 1}}')['__proto__'].x", 1],
      ['fromJSON(\'{"__proto__": 1, "a": 2}\').*', [1, 2]],
    ])("keeps a __proto__ key: %s is %j", check);

    it("refuses to write a value nested too deeply for toJSON", () => {
      let deep: Value = [];
      for (let i = 0; i < 100_000; i++) deep = [deep];
      const source = "'x' == toJSON(parameters.deep)";
      let error: unknown;
      try {
        evaluateExpression(parseExpression(source), {
          parameters: { deep },
        });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ExpressionError);
      const { message, start, end } = error as ExpressionError;
      expect([message, start, end]).toEqual([
        "toJSON: the value is nested too deeply",
        7,
        source.length,
      ]);
    });

    it("reports JSON nested too deeply to parse as invalid", () => {
      // Node 20's JSON.parse does not recurse, so no real input reaches this;
      // an engine whose parser does would throw a RangeError here.
      const parse = vi.spyOn(JSON, "parse").mockImplementationOnce(() => {
        throw new RangeError("Maximum call stack size exceeded");
      });
      try {
        const error = evaluationError("fromJSON('[[[]]]')");
        expect([error.message, error.start, error.end]).toEqual([
          "fromJSON: not valid JSON (nested too deeply)",
          0,
          18,
        ]);
      } finally {
        parse.mockRestore();
      }
    });

    interface ErrorCase {
      source: string;
      message: string;
      start: number;
      end: number;
    }

    it.each<ErrorCase>([
      {
        source: "length(1)",
        message: "length: expected a string, array or object, got a number",
        start: 0,
        end: 9,
      },
      {
        source: "'x' == length(true)",
        message: "length: expected a string, array or object, got a boolean",
        start: 7,
        end: 19,
      },
      {
        source: "nope(1)",
        message: "unknown function 'nope'",
        start: 0,
        end: 4,
      },
      {
        source: "a.b || nope()",
        message: "unknown name 'a'",
        start: 0,
        end: 1,
      },
      {
        source: "length(nosuch) > 0 || true",
        message: "unknown name 'nosuch'",
        start: 7,
        end: 13,
      },
      {
        source: "length()",
        message: "length(value) takes 1 argument, got 0",
        start: 0,
        end: 8,
      },
      {
        // The arity is checked before the arguments are evaluated.
        source: "length(nosuch, 1)",
        message: "length(value) takes 1 argument, got 2",
        start: 0,
        end: 17,
      },
      {
        source: "contains('a')",
        message: "contains(search, item) takes 2 arguments, got 1",
        start: 0,
        end: 13,
      },
      {
        source: "startsWith('a', 'b', 'c')",
        message: "startsWith(text, prefix) takes 2 arguments, got 3",
        start: 0,
        end: 25,
      },
      {
        source: "join()",
        message: "join(array, separator = ',') takes 1 to 2 arguments, got 0",
        start: 0,
        end: 6,
      },
      {
        source: "join(1, 2, 3)",
        message: "join(array, separator = ',') takes 1 to 2 arguments, got 3",
        start: 0,
        end: 13,
      },
      {
        source: "format()",
        message: "format(template, ...values) takes 1 or more arguments, got 0",
        start: 0,
        end: 8,
      },
      {
        source: "toJSON(1, 2)",
        message: "toJSON(value) takes 1 argument, got 2",
        start: 0,
        end: 12,
      },
      {
        source: "format('{0} {1}', 'a')",
        message: "format: placeholder {1} has no argument (1 given)",
        start: 0,
        end: 22,
      },
      {
        source: "format('{0}')",
        message: "format: placeholder {0} has no argument (0 given)",
        start: 0,
        end: 13,
      },
      {
        source: "format('{x}', 1)",
        message:
          "format: invalid placeholder at position 0 of '{x}'; use {0}, {1}, … or {{ and }} for braces",
        start: 0,
        end: 16,
      },
      {
        source: "format('{}', 1)",
        message:
          "format: invalid placeholder at position 0 of '{}'; use {0}, {1}, … or {{ and }} for braces",
        start: 0,
        end: 15,
      },
      {
        source: "format('a { 0 }', 1)",
        message:
          "format: invalid placeholder at position 2 of 'a { 0 }'; use {0}, {1}, … or {{ and }} for braces",
        start: 0,
        end: 20,
      },
      {
        source: "format('a {', 1)",
        message:
          "format: invalid placeholder at position 2 of 'a {'; use {0}, {1}, … or {{ and }} for braces",
        start: 0,
        end: 16,
      },
      {
        source: "format('{-1}', 1)",
        message:
          "format: invalid placeholder at position 0 of '{-1}'; use {0}, {1}, … or {{ and }} for braces",
        start: 0,
        end: 17,
      },
      {
        source: "format('a } b')",
        message:
          "format: unmatched '}' at position 2 of 'a } b'; use }} for a literal brace",
        start: 0,
        end: 15,
      },
      {
        source: "format('{0}}', 1)",
        message:
          "format: unmatched '}' at position 3 of '{0}}'; use }} for a literal brace",
        start: 0,
        end: 17,
      },
      {
        source: "  format('{{}')",
        message:
          "format: unmatched '}' at position 2 of '{{}'; use }} for a literal brace",
        start: 2,
        end: 15,
      },
    ])("$source fails: $message", ({ source, message, start, end }) => {
      const error = evaluationError(source);
      expect({
        message: error.message,
        start: error.start,
        end: error.end,
      }).toEqual({ message, start, end });
    });

    it.each([
      "fromJSON('{')",
      "fromJSON('')",
      "fromJSON(null)",
      "fromJSON('[1,]')",
    ])("%s fails as invalid JSON", (source) => {
      const error = evaluationError(source);
      expect(error.message).toMatch(/^fromJSON: not valid JSON \(.+\)$/);
      expect([error.start, error.end]).toEqual([0, source.length]);
    });
  });
});

describe("value conversions", () => {
  it.each<[Value, number]>([
    [null, 0],
    [true, 1],
    [false, 0],
    [1.5, 1.5],
    ["", 0],
    ["   ", 0],
    ["42", 42],
    [" -4.5e1 ", -45],
    [".5", 0.5],
    ["1.", 1],
    ["0x1F", 31],
    ["-0x1f", -31],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["-Infinity", Number.NEGATIVE_INFINITY],
    ["1,000", Number.NaN],
    ["12px", Number.NaN],
    ["0b11", Number.NaN],
    ["+1", Number.NaN],
    [[], Number.NaN],
    [{}, Number.NaN],
  ])("toNumber(%j) is %d", (value, expected) => {
    expect(toNumber(value)).toBe(expected);
  });

  it.each<[Value, string]>([
    [null, ""],
    [true, "true"],
    [false, "false"],
    [0, "0"],
    [-0, "0"],
    [1.25, "1.25"],
    ["Text", "Text"],
    [[1, 2], "Array"],
    [{ a: 1 }, "Object"],
  ])("toText(%j) is %j", (value, expected) => {
    expect(toText(value)).toBe(expected);
  });

  it.each<[unknown, Value]>([
    [undefined, null],
    [null, null],
    ["s", "s"],
    [1, 1],
    [false, false],
    [
      [1, undefined, { a: undefined }],
      [1, null, { a: null }],
    ],
    [{ nested: { list: ["x"] } }, { nested: { list: ["x"] } }],
    [10n, "10"],
  ])("toValue(%s) is %j", (input, expected) => {
    expect(toValue(input)).toStrictEqual(expected);
  });

  it("keeps a __proto__ key as a key in toValue", () => {
    const value = toValue(JSON.parse('{"__proto__": {"x": 1}, "a": 2}'));
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value as object)).toEqual(["__proto__", "a"]);
    expect(Object.getOwnPropertyDescriptor(value, "__proto__")).toEqual({
      value: { x: 1 },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    expect(JSON.stringify(value)).toBe('{"__proto__":{"x":1},"a":2}');
  });
});
