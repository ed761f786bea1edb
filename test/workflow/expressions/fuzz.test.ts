import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Expression } from "../../../src/workflow/expressions/ast.js";
import {
  type CheckEnvironment,
  checkExpression,
} from "../../../src/workflow/expressions/check-expression.js";
import {
  evaluateExpression,
  type Scope,
} from "../../../src/workflow/expressions/evaluate-expression.js";
import { ExpressionError } from "../../../src/workflow/expressions/expression-error.js";
import type { StaticType } from "../../../src/workflow/expressions/functions.js";
import { parseExpression } from "../../../src/workflow/expressions/parse-expression.js";
import {
  evaluateTemplate,
  parseCondition,
  parseTemplate,
} from "../../../src/workflow/expressions/parse-template.js";
import { referencedNames } from "../../../src/workflow/expressions/referenced-names.js";

// Every entry point either succeeds or throws an ExpressionError whose span
// lies inside its input. Anything else (TypeError, RangeError from a stack
// overflow, a span outside the text) is a bug.

const scope: Scope = {
  parameters: { feature: "login", count: 2, labels: ["bug", "ui"], config: {} },
  stages: {
    plan: { status: "succeeded", outputs: { summary: "ok", tasks: [1, 2] } },
  },
  run: { issue: 7, branch: "feature/login" },
  workflow: { name: "default" },
  env: { REGION: "eu" },
  a: [1, "x", { y: null }],
  b: { c: "d", n: 2 },
  c: "text",
  "foo-bar": true,
  _x1: null,
};

const environment: CheckEnvironment = {
  parameters: new Map<string, StaticType>([
    ["feature", "string"],
    ["count", "number"],
    ["labels", "array"],
    ["config", "object"],
  ]),
  stages: new Map([
    ["plan", new Map<string, StaticType>([["summary", "string"]])],
    ["implement", new Map<string, StaticType>()],
  ]),
  canReadStage: (id) => (id === "implement" ? "not a dependency" : true),
  env: new Set(["REGION"]),
};

/** 0 <= start <= end <= length, in whole characters. */
function expectSpanInside(error: ExpressionError, length: number): void {
  const where = `'${error.message}' at ${error.start}-${error.end} of ${length}`;
  expect(Number.isInteger(error.start), where).toBe(true);
  expect(Number.isInteger(error.end), where).toBe(true);
  expect(error.start, where).toBeGreaterThanOrEqual(0);
  expect(error.end, where).toBeGreaterThanOrEqual(error.start);
  expect(error.end, where).toBeLessThanOrEqual(length);
}

/** Runs `work`; an ExpressionError inside `length` is fine, anything else fails. */
function attempt<T>(work: () => T, length: number): T | undefined {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    expectSpanInside(error, length);
    return undefined;
  }
}

function children(node: Expression): Expression[] {
  switch (node.kind) {
    case "literal":
    case "name":
      return [];
    case "member":
    case "wildcard":
      return [node.object];
    case "index":
      return [node.object, node.index];
    case "call":
      return node.args;
    case "not":
      return [node.operand];
    case "binary":
    case "logical":
      return [node.left, node.right];
    case "conditional":
      return [node.test, node.consequent, node.alternate];
  }
}

/** Every node's span lies inside its parent's and inside the source. */
function expectNodeSpans(node: Expression, from: number, to: number): void {
  expect(node.start).toBeGreaterThanOrEqual(from);
  expect(node.end).toBeGreaterThanOrEqual(node.start);
  expect(node.end).toBeLessThanOrEqual(to);
  for (const child of children(node)) {
    expectNodeSpans(child, node.start, node.end);
  }
}

function checkAndEvaluate(expression: Expression, length: number): void {
  const { errors } = checkExpression(expression, environment);
  for (const error of errors) expectSpanInside(error, length);
  referencedNames(expression);
  attempt(() => evaluateExpression(expression, scope), length);
}

/** Feeds one input to every entry point. */
function exercise(input: string): void {
  const length = input.length;

  const expression = attempt(() => parseExpression(input), length);
  if (expression !== undefined) {
    expectNodeSpans(expression, 0, length);
    checkAndEvaluate(expression, length);
  }

  const parts = attempt(() => parseTemplate(input), length);
  if (parts !== undefined) {
    for (const part of parts) {
      if (part.kind !== "expression") continue;
      expectNodeSpans(part.expression, 0, length - part.offset);
      checkAndEvaluate(part.expression, length - part.offset);
    }
    attempt(() => evaluateTemplate(parts, scope), length);
  }

  const condition = attempt(() => parseCondition(input), length);
  if (condition !== undefined) {
    expectNodeSpans(condition.expression, 0, length - condition.offset);
  }
}

const CHARACTERS = [..."abcxyz_-0123456789.eE()[]*!=<>&|?:,'\"{}$ \n\té"];

const FRAGMENTS = [
  "parameters",
  "parameters.feature",
  "stages",
  "stages.plan.status",
  "stages.plan.outputs.",
  "stages.implement",
  "run.issue",
  "workflow",
  "env.REGION",
  "a",
  "b.c",
  "foo-bar",
  "constructor",
  "__proto__",
  "toString",
  "hasOwnProperty",
  "contains(",
  "format(",
  "'{0}'",
  "'{'",
  "'}'",
  "fromJSON(",
  "'[1, {\"a\": 2}]'",
  "toJSON(",
  "join(",
  "length(",
  "startsWith(",
  "endsWith(",
  "nope(",
  "'}}'",
  "'${{'",
  "${{ ",
  " }}",
  "''",
  "'",
  "null",
  "true",
  "false",
  "NaN",
  "Infinity",
  "0x1f",
  "0X1F",
  "-1",
  "-Infinity",
  "1e3",
  ".5",
  " == ",
  " != ",
  " < ",
  " >= ",
  " && ",
  " || ",
  " ? ",
  " : ",
  ", ",
  ".*",
  "[*]",
  "[0]",
  "['b']",
  "!",
  "(",
  ")",
];

const CORPUS = [
  "parameters.feature == 'login'",
  "stages.plan.outputs.summary",
  "stages['plan'].status == 'succeeded' || stages.plan.status == 'skipped'",
  'contains(fromJSON(\'["a", "b"]\'), parameters.feature)',
  "format('{0}-{1} {{x}}', run.issue, run.branch)",
  "!(a[0] || b.c) && c ? 'yes' : 'no'",
  "0xff == 255 && -2.99e-2 < 0 && .5 >= NaN",
  "join(parameters.labels.*, ', ')",
  "toJSON(parameters.config)",
  "length(parameters.labels) >= 2",
  "startsWith(run.branch, 'feature/') && endsWith(run.branch, '-wip')",
  "'It''s' != null",
  "a.*[1] == 'x' ? b['n'] : foo-bar",
  "fromJSON(toJSON(a))[2].y",
  "${{ parameters.feature }}",
  "Issue #${{ run.issue }}: ${{ format('{0}', '}}') }}",
  "  ${{ stages.plan.status == 'failed' }}  ",
];

const piece = fc.oneof(
  fc.constantFrom(...CHARACTERS),
  fc.constantFrom(...FRAGMENTS),
);

type Mutation = {
  kind: "insert" | "delete" | "replace";
  at: number;
  text: string;
};

function mutate(source: string, mutations: readonly Mutation[]): string {
  let out = source;
  for (const { kind, at, text } of mutations) {
    const i = at % (out.length + 1);
    if (kind === "insert") out = out.slice(0, i) + text + out.slice(i);
    else if (kind === "delete") out = out.slice(0, i) + out.slice(i + 1);
    else out = out.slice(0, i) + text + out.slice(i + 1);
  }
  return out;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("insert", "delete", "replace"),
  at: fc.nat(),
  text: piece,
});

/** mulberry32: a small seeded PRNG, so plain random runs are reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

describe("fuzzing the expression language", () => {
  it("survives random strings of expression characters (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join("")),
        (input) => {
          exercise(input);
          exercise(`x \${{ ${input} }} y`);
        },
      ),
      { seed: 20_240_601, numRuns: 1_200 },
    );
  });

  it("survives mutations of valid expressions (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CORPUS),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (source, mutations) => {
          exercise(mutate(source, mutations));
        },
      ),
      { seed: 7, numRuns: 1_200 },
    );
  });

  it("survives seeded random strings and mutations", () => {
    const random = seededRandom(0x5eed);
    for (let run = 0; run < 800; run++) {
      const count = Math.floor(random() * 30);
      const input = Array.from({ length: count }, () =>
        random() < 0.7 ? pick(random, CHARACTERS) : pick(random, FRAGMENTS),
      ).join("");
      exercise(input);
    }
    for (let run = 0; run < 800; run++) {
      const mutations = Array.from(
        { length: 1 + Math.floor(random() * 4) },
        (): Mutation => ({
          kind: pick(random, ["insert", "delete", "replace"] as const),
          at: Math.floor(random() * 200),
          text:
            random() < 0.5 ? pick(random, CHARACTERS) : pick(random, FRAGMENTS),
        }),
      );
      exercise(mutate(pick(random, CORPUS), mutations));
    }
  });

  it("starts from valid expressions and templates", () => {
    for (const source of CORPUS) {
      if (source.includes("${{")) {
        const parts = parseTemplate(source);
        expect(parts.some((part) => part.kind === "expression")).toBe(true);
      } else {
        expect(parseExpression(source).end, source).toBeGreaterThan(0);
      }
    }
  });

  it.each([
    ["10,000 '('", "(".repeat(10_000)],
    ["10,000 '!'", "!".repeat(10_000)],
    ["10,000 '(' closed", `${"(".repeat(10_000)}a${")".repeat(10_000)}`],
    ["10,000 '[' after a name", `a${"[a".repeat(10_000)}`],
    ["10,000 nested calls", `${"f(".repeat(10_000)}1${")".repeat(10_000)}`],
    ["10,000 nested conditionals", "a ? ".repeat(10_000)],
    ["10,000 '!(' in a template", `\${{ ${"!(".repeat(10_000)} }}`],
  ])("refuses %s with an ExpressionError", (_, input) => {
    exercise(input);
    let error: unknown;
    try {
      parseCondition(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).message).toBe(
      "expression nested more than 100 levels deep",
    );
  });

  it.each([
    ["10,000 quotes", "'".repeat(10_001)],
    ["10,000 '-'", "-".repeat(10_000)],
    ["5,000 'a.'", "a.".repeat(5_000)],
    ["10,000 '${{'", "${{".repeat(10_000)],
    ["10,000 '}}'", "}}".repeat(10_000)],
  ])("handles %s", (_, input) => {
    exercise(input);
  });

  // A flat chain builds a left-deep tree as deep as the chain is long, which
  // evaluateExpression, checkExpression and referencedNames recurse over; so
  // the parser counts each link against the nesting limit and refuses a long
  // chain at the link that crosses it.
  it.each([
    // The 100th '||'.
    ["a 50,000-term || chain", Array(50_000).fill("1").join("||"), 298],
    // The 100th '.'.
    ["a 50,000-step property chain", `b${".c".repeat(50_000)}`, 199],
    // The index inside the 99th '[…]', one level deeper than its '['.
    ["a 50,000-step index chain", `a${"[0]".repeat(50_000)}`, 296],
  ])("refuses %s at parse time", (_, input, start) => {
    exercise(input);
    let error: unknown;
    try {
      parseExpression(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ExpressionError);
    const { message, start: at, end } = error as ExpressionError;
    expect([message, at, end]).toEqual([
      "expression nested more than 100 levels deep",
      start,
      start,
    ]);
  });

  it.each([
    ["a 100-term || chain", Array(100).fill("0").join("||"), 0],
    ["a 99-step property chain", `parameters.config${".c".repeat(98)}`, null],
    ["a 98-step index chain", `parameters.labels${"[0]".repeat(97)}`, null],
  ])("checks and evaluates %s, the longest allowed", (_, input, value) => {
    exercise(input);
    const expression = parseExpression(input);
    expect(checkExpression(expression, environment).errors).toEqual([]);
    expect([...referencedNames(expression)]).toEqual(
      value === null ? ["parameters"] : [],
    );
    expect(evaluateExpression(expression, scope)).toBe(value);
  });
});

describe("printing and re-parsing generated expressions", () => {
  /** A generated expression: its source and its expected S-expression. */
  interface Generated {
    source: string;
    tree: string;
    /** Binding strength: 0 `?:`, 1 `||`, 2 `&&`, 3 `==`, 4 `<`, 5 `!`, 6 postfix, 7 primary. */
    level: number;
    numeric: boolean;
  }

  const leaf = (source: string, tree = source, numeric = false): Generated => ({
    source,
    tree,
    level: 7,
    numeric,
  });

  /** Parenthesises `g` unless it binds at least as tightly as `level`. */
  const at = (g: Generated, level: number): string =>
    g.level < level || (level === 6 && g.numeric) ? `(${g.source})` : g.source;

  const OPERATORS = [
    ["||", 1],
    ["&&", 2],
    ["==", 3],
    ["!=", 3],
    ["<", 4],
    ["<=", 4],
    [">", 4],
    [">=", 4],
  ] as const;

  const { node } = fc.letrec<{ node: Generated }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", maxDepth: 6 },
      fc.constantFrom("a", "b", "foo-bar", "_x1").map((name) => leaf(name)),
      fc.constantFrom("null", "true", "false").map((word) => leaf(word)),
      fc
        .integer({ min: -99, max: 99 })
        .map((n) => leaf(String(n), String(n), true)),
      fc
        .string({ unit: fc.constantFrom("x", "'", " ", "}", "{") })
        .map((text) => leaf(`'${text.replaceAll("'", "''")}'`)),
      tie("node").map((g) => ({
        source: `!${at(g, 5)}`,
        tree: `(! ${g.tree})`,
        level: 5,
        numeric: false,
      })),
      fc
        .tuple(tie("node"), fc.constantFrom("b", "status", "true", "k-y"))
        .map(([g, property]) => ({
          source: `${at(g, 6)}.${property}`,
          tree: `(. ${g.tree} ${property})`,
          level: 6,
          numeric: false,
        })),
      tie("node").map((g) => ({
        source: `${at(g, 6)}.*`,
        tree: `(* ${g.tree})`,
        level: 6,
        numeric: false,
      })),
      fc.tuple(tie("node"), tie("node")).map(([g, index]) => ({
        source: `${at(g, 6)}[${index.source}]`,
        tree: `([] ${g.tree} ${index.tree})`,
        level: 6,
        numeric: false,
      })),
      fc
        .tuple(
          fc.constantFrom("contains", "format", "f"),
          fc.array(tie("node"), { maxLength: 3 }),
        )
        .map(([name, args]) => ({
          source: `${name}(${args.map((g) => g.source).join(", ")})`,
          tree: `(call ${[name, ...args.map((g) => g.tree)].join(" ")})`,
          level: 7,
          numeric: false,
        })),
      fc
        .tuple(fc.constantFrom(...OPERATORS), tie("node"), tie("node"))
        .map(([[operator, level], left, right]) => ({
          source: `${at(left, level)} ${operator} ${at(right, level + 1)}`,
          tree: `(${operator} ${left.tree} ${right.tree})`,
          level,
          numeric: false,
        })),
      fc
        .tuple(tie("node"), tie("node"), tie("node"))
        .map(([test, consequent, alternate]) => ({
          source: `${at(test, 1)} ? ${consequent.source} : ${alternate.source}`,
          tree: `(? ${test.tree} ${consequent.tree} ${alternate.tree})`,
          level: 0,
          numeric: false,
        })),
    ),
  }));

  function sexpr(expression: Expression): string {
    switch (expression.kind) {
      case "literal":
        return typeof expression.value === "string"
          ? `'${expression.value.replaceAll("'", "''")}'`
          : String(expression.value);
      case "name":
        return expression.name;
      case "member":
        return `(. ${sexpr(expression.object)} ${expression.property})`;
      case "index":
        return `([] ${sexpr(expression.object)} ${sexpr(expression.index)})`;
      case "wildcard":
        return `(* ${sexpr(expression.object)})`;
      case "call":
        return `(call ${[expression.name, ...expression.args.map(sexpr)].join(" ")})`;
      case "not":
        return `(! ${sexpr(expression.operand)})`;
      case "binary":
      case "logical":
        return `(${expression.operator} ${sexpr(expression.left)} ${sexpr(expression.right)})`;
      case "conditional":
        return `(? ${sexpr(expression.test)} ${sexpr(expression.consequent)} ${sexpr(expression.alternate)})`;
    }
  }

  it("parses what it prints, with the same tree (precedence and associativity)", () => {
    fc.assert(
      fc.property(node, (g) => {
        expect(sexpr(parseExpression(g.source))).toBe(g.tree);
        exercise(g.source);
      }),
      { seed: 42, numRuns: 1_000 },
    );
  });
});
