import { describe, expect, it } from "vitest";
import type { Expression } from "../../../src/workflow/expressions/ast.js";
import {
  type CheckEnvironment,
  checkExpression,
} from "../../../src/workflow/expressions/check-expression.js";
import { evaluateExpression } from "../../../src/workflow/expressions/evaluate-expression.js";
import { ExpressionError } from "../../../src/workflow/expressions/expression-error.js";
import type { StaticType } from "../../../src/workflow/expressions/functions.js";
import { parseExpression } from "../../../src/workflow/expressions/parse-expression.js";
import { referencedNames } from "../../../src/workflow/expressions/referenced-names.js";

const NOT_A_DEPENDENCY =
  "stages.implement cannot be read here: 'implement' is not a dependency of this stage";

/** A workflow with parameters, four stages and two env names. */
const environment: CheckEnvironment = {
  parameters: new Map<string, StaticType>([
    ["feature", "string"],
    ["count", "number"],
    ["dry_run", "boolean"],
    ["labels", "array"],
    ["config", "object"],
    ["nothing", "null"],
    ["anything", "any"],
  ]),
  stages: new Map<string, ReadonlyMap<string, StaticType>>([
    [
      "specify",
      new Map<string, StaticType>([
        ["spec_file", "string"],
        ["questions", "number"],
      ]),
    ],
    [
      "plan",
      new Map<string, StaticType>([
        ["summary", "string"],
        ["tasks", "array"],
      ]),
    ],
    ["tasks", new Map<string, StaticType>()],
    ["implement", new Map<string, StaticType>([["pr", "number"]])],
  ]),
  canReadStage: (id) => (id === "implement" ? NOT_A_DEPENDENCY : true),
  env: new Set(["NODE_VERSION", "REGION"]),
};

const bare: CheckEnvironment = {
  parameters: new Map(),
  stages: new Map(),
  canReadStage: () => true,
  env: new Set(),
};

interface Problem {
  message: string;
  start: number;
  end: number;
}

function check(
  source: string,
  env: CheckEnvironment = environment,
): { type: StaticType; problems: Problem[] } {
  const { type, errors } = checkExpression(parseExpression(source), env);
  return {
    type,
    problems: errors.map(({ message, start, end }) => ({
      message,
      start,
      end,
    })),
  };
}

const NAMES = "expressions can read parameters, stages, run, workflow, env";
const FUNCTIONS =
  "functions: length, contains, startsWith, endsWith, format, join, toJSON, fromJSON";
const STATUSES =
  "statuses: pending, waiting_approval, dispatched, running, retrying, succeeded, failed, timed_out, cancelled, skipped";
const RUN_FIELDS =
  "fields: id, feature, issue, repository, branch, base_branch, spec_dir, actor, started_at";

interface ErrorCase {
  source: string;
  problems: Problem[];
}

/** One problem spanning `span` (its first, or with `last` its last, occurrence). */
function one(
  source: string,
  message: string,
  span: string,
  last = false,
): ErrorCase {
  const start = last ? source.lastIndexOf(span) : source.indexOf(span);
  if (start === -1) throw new Error(`'${span}' is not in '${source}'`);
  return { source, problems: [{ message, start, end: start + span.length }] };
}

describe("checkExpression", () => {
  describe("names", () => {
    it.each<ErrorCase>([
      one(
        "parameter.feature",
        `unknown name 'parameter' (did you mean 'parameters'?); ${NAMES}`,
        "parameter",
      ),
      one(
        "stage.plan.status",
        `unknown name 'stage' (did you mean 'stages'?); ${NAMES}`,
        "stage",
      ),
      one(
        "Run.issue",
        `unknown name 'Run' (did you mean 'run'?); ${NAMES}`,
        "Run",
      ),
      one("foo", `unknown name 'foo'; ${NAMES}`, "foo"),
      one("x[0]", `unknown name 'x'; ${NAMES}`, "x"),
      one(
        "needs.plan.outputs.summary",
        `unknown name 'needs' (use stages.<id> to read another stage); ${NAMES}`,
        "needs",
      ),
      one(
        "steps.build.outputs.x",
        `unknown name 'steps' (use stages.<id> to read another stage); ${NAMES}`,
        "steps",
      ),
      one(
        "jobs.build.result",
        `unknown name 'jobs' (use stages.<id> to read another stage); ${NAMES}`,
        "jobs",
      ),
      one(
        "inputs.feature",
        `unknown name 'inputs' (use parameters.<name> for workflow parameters); ${NAMES}`,
        "inputs",
      ),
      one(
        "github.ref",
        `unknown name 'github' (use run.<field> (run.repository, run.branch, run.actor, …)); ${NAMES}`,
        "github",
      ),
      one(
        "vars.REGION",
        `unknown name 'vars' (declare the value in workflow.env and read env.<name>); ${NAMES}`,
        "vars",
      ),
      one(
        "secrets.GITHUB_TOKEN",
        `unknown name 'secrets' (secrets are never readable by workflow expressions: give them to the agent through the stage workflow's secrets); ${NAMES}`,
        "secrets",
      ),
    ])("$source", ({ source, problems }) => {
      expect(check(source)).toEqual({ type: "any", problems });
    });

    // FOREIGN_NAMES hints come from its own keys only, never from members
    // inherited from Object.prototype.
    it.each(["constructor", "toString", "__proto__", "hasOwnProperty"])(
      "gives no hint for %s, inherited from Object.prototype",
      (source) => {
        const name: Expression = {
          kind: "name",
          name: source,
          start: 0,
          end: source.length,
        };
        const { type, errors } = checkExpression(name, environment);
        expect(type).toBe("any");
        expect(
          errors.map(({ message, start, end }) => [message, start, end]),
        ).toEqual([[`unknown name '${source}'; ${NAMES}`, 0, source.length]]);
      },
    );

    it.each<ErrorCase>([
      one("constructor", `unknown name 'constructor'; ${NAMES}`, "constructor"),
      one("toString", `unknown name 'toString'; ${NAMES}`, "toString"),
      one("__proto__", `unknown name '__proto__'; ${NAMES}`, "__proto__"),
      one(
        "hasOwnProperty.x",
        `unknown name 'hasOwnProperty'; ${NAMES}`,
        "hasOwnProperty",
      ),
      one(
        "length(constructor)",
        `unknown name 'constructor'; ${NAMES}`,
        "constructor",
      ),
    ])("reports $source as an unknown name", ({ source, problems }) => {
      expect(check(source).problems).toEqual(problems);
    });
  });

  describe("parameters", () => {
    it.each<ErrorCase>([
      one(
        "parameters.featur",
        "undeclared parameter 'featur' (did you mean 'feature'?)",
        "featur",
      ),
      one(
        "parameters['featur']",
        "undeclared parameter 'featur' (did you mean 'feature'?)",
        "'featur'",
      ),
      one("parameters.zzz", "undeclared parameter 'zzz'", "zzz"),
      one(
        "parameters.FEATURE",
        "undeclared parameter 'FEATURE' (did you mean 'feature'?)",
        "FEATURE",
      ),
    ])("$source", ({ source, problems }) => {
      expect(check(source).problems).toEqual(problems);
    });

    it("says so when the workflow declares no parameters", () => {
      expect(check("parameters.x", bare).problems).toEqual([
        {
          message:
            "undeclared parameter 'x'; the workflow declares no parameters",
          start: 11,
          end: 12,
        },
      ]);
    });
  });

  describe("stages", () => {
    it.each<ErrorCase>([
      one(
        "stages",
        "'stages' needs a stage id: stages.<id>.outputs.<name> or stages.<id>.status",
        "stages",
      ),
      one(
        "stages.plann.status",
        "unknown stage 'plann' (did you mean 'plan'?)",
        "plann",
      ),
      one(
        "stages['plann'].status",
        "unknown stage 'plann' (did you mean 'plan'?)",
        "'plann'",
      ),
      one("stages.deploy.status", "unknown stage 'deploy'", "deploy"),
      one("stages.implement.status", NOT_A_DEPENDENCY, "implement"),
      one("stages.implement.outputs.pr", NOT_A_DEPENDENCY, "implement"),
      one("stages.implement", NOT_A_DEPENDENCY, "implement"),
      one(
        "stages.plan.output.summary",
        "expected 'outputs' or 'status' after stages.plan (did you mean 'outputs'?)",
        "output",
      ),
      one(
        "stages.plan.Status",
        "expected 'outputs' or 'status' after stages.plan (did you mean 'status'?)",
        "Status",
      ),
      one(
        "stages.plan.result",
        "expected 'outputs' or 'status' after stages.plan",
        "result",
      ),
      one(
        "stages.plan[0]",
        "expected 'outputs' or 'status' after stages.plan",
        "0",
      ),
      one(
        "stages.plan.*",
        "expected 'outputs' or 'status' after stages.plan",
        "*",
      ),
      one(
        "stages.plan.outputs.sumary",
        "stage 'plan' declares no output 'sumary' (did you mean 'summary'?); its outputs: summary, tasks",
        "sumary",
      ),
      one(
        "stages.specify.outputs.report",
        "stage 'specify' declares no output 'report'; its outputs: spec_file, questions",
        "report",
      ),
      one(
        "stages.tasks.outputs.list",
        "stage 'tasks' declares no output 'list'",
        "list",
      ),
    ])("$source", ({ source, problems }) => {
      expect(check(source)).toEqual({ type: "any", problems });
    });

    it("asks canReadStage about each stage read, after finding it", () => {
      const asked: string[] = [];
      const spy: CheckEnvironment = {
        ...environment,
        canReadStage: (id) => {
          asked.push(id);
          return true;
        },
      };
      check("stages.plan.status == stages.nope.status || stages.specify", spy);
      expect(asked).toEqual(["plan", "specify"]);
    });
  });

  describe("run, workflow and env", () => {
    it.each<ErrorCase>([
      one(
        "run.isue",
        `run has no field 'isue' (did you mean 'issue'?); ${RUN_FIELDS}`,
        "isue",
      ),
      one("run.number", `run has no field 'number'; ${RUN_FIELDS}`, "number"),
      one(
        "run['branh']",
        `run has no field 'branh' (did you mean 'branch'?); ${RUN_FIELDS}`,
        "'branh'",
      ),
      one(
        "workflow.nam",
        "workflow has no field 'nam' (did you mean 'name'?); fields: name, description",
        "nam",
      ),
      one(
        "workflow.title",
        "workflow has no field 'title'; fields: name, description",
        "title",
      ),
      one(
        "env.NODE_VERSON",
        "env.NODE_VERSON is not declared in workflow.env (did you mean 'NODE_VERSION'?)",
        "NODE_VERSON",
      ),
      one("env.OTHER", "env.OTHER is not declared in workflow.env", "OTHER"),
      one(
        "env['region']",
        "env.region is not declared in workflow.env (did you mean 'REGION'?)",
        "'region'",
      ),
    ])("$source", ({ source, problems }) => {
      expect(check(source)).toEqual({ type: "any", problems });
    });

    // Only the tables' own fields count, not Object.prototype's members.
    it.each<ErrorCase>([
      one(
        "run.constructor",
        `run has no field 'constructor'; ${RUN_FIELDS}`,
        "constructor",
      ),
      one(
        "run['__proto__']",
        `run has no field '__proto__'; ${RUN_FIELDS}`,
        "'__proto__'",
      ),
      one(
        "workflow.toString",
        "workflow has no field 'toString'; fields: name, description",
        "toString",
      ),
      one(
        "workflow.hasOwnProperty.x",
        "workflow has no field 'hasOwnProperty'; fields: name, description",
        "hasOwnProperty",
      ),
    ])("reports $source as an unknown field", ({ source, problems }) => {
      expect(check(source)).toEqual({ type: "any", problems });
    });
  });

  describe("reading a property of a primitive", () => {
    it.each<ErrorCase>([
      one(
        "parameters.feature.length",
        "cannot read 'length' of parameters.feature, which is a string",
        "length",
      ),
      one(
        "parameters.count[0]",
        "cannot read an index of parameters.count, which is a number",
        "0",
      ),
      one(
        "parameters.dry_run['x']",
        "cannot read 'x' of parameters.dry_run, which is a boolean",
        "'x'",
      ),
      one(
        "parameters.nothing.x",
        "cannot read 'x' of parameters.nothing, which is a null",
        "x",
      ),
      one(
        "parameters.feature.*",
        "cannot read an index of parameters.feature, which is a string",
        "*",
      ),
      one(
        "run.issue.x",
        "cannot read 'x' of run.issue, which is a number",
        "x",
      ),
      one(
        "workflow.name.first",
        "cannot read 'first' of workflow.name, which is a string",
        "first",
      ),
      one(
        "env.REGION.x",
        "cannot read 'x' of env.REGION, which is a string",
        "x",
      ),
      one(
        "stages.plan.status.code",
        "cannot read 'code' of stages.plan.status, which is a string",
        "code",
      ),
      one(
        "stages.plan.outputs.summary.text",
        "cannot read 'text' of stages.plan.outputs.summary, which is a string",
        "text",
      ),
      one(
        "'abc'.length",
        "cannot read 'length' of this value, which is a string",
        "length",
      ),
      one(
        "(1)[0]",
        "cannot read an index of this value, which is a number",
        "0",
      ),
      one("null.x", "cannot read 'x' of this value, which is a null", "x"),
      one(
        "length('a').x",
        "cannot read 'x' of this value, which is a number",
        "x",
      ),
      one(
        "(1 == 1).x",
        "cannot read 'x' of this value, which is a boolean",
        "x",
      ),
    ])("$source", ({ source, problems }) => {
      expect(check(source)).toEqual({ type: "any", problems });
    });

    it.each([
      "parameters.config.a.b",
      "parameters.labels[0].name",
      "parameters.labels.*",
      "parameters.anything.x.y",
      "stages.plan.outputs.tasks[0].title",
      "fromJSON('{}').a[1]",
      "parameters[parameters.feature].x",
      "stages[parameters.feature].anything",
    ])("allows %s", (source) => {
      expect(check(source).problems).toEqual([]);
    });
  });

  describe("functions", () => {
    it.each<ErrorCase>([
      one(
        "contain('a', 'b')",
        `unknown function 'contain' (did you mean 'contains'?); ${FUNCTIONS}`,
        "contain",
      ),
      one(
        "tojsn(1)",
        `unknown function 'tojsn' (did you mean 'toJSON'?); ${FUNCTIONS}`,
        "tojsn",
      ),
      one("upper('a')", `unknown function 'upper'; ${FUNCTIONS}`, "upper"),
      one("length()", "length(value) takes 1 argument, got 0", "length()"),
      one(
        "contains('a')",
        "contains(search, item) takes 2 arguments, got 1",
        "contains('a')",
      ),
      one(
        "startsWith('a', 'b', 'c')",
        "startsWith(text, prefix) takes 2 arguments, got 3",
        "startsWith('a', 'b', 'c')",
      ),
      one(
        "endsWith()",
        "endsWith(text, suffix) takes 2 arguments, got 0",
        "endsWith()",
      ),
      one(
        "join(1, 2, 3)",
        "join(array, separator = ',') takes 1 to 2 arguments, got 3",
        "join(1, 2, 3)",
      ),
      one(
        "format()",
        "format(template, ...values) takes 1 or more arguments, got 0",
        "format()",
      ),
      one("toJSON()", "toJSON(value) takes 1 argument, got 0", "toJSON()"),
      one(
        "fromJSON('1', 2)",
        "fromJSON(text) takes 1 argument, got 2",
        "fromJSON('1', 2)",
      ),
    ])("$source", ({ source, problems }) => {
      expect(check(source)).toEqual({ type: "any", problems });
    });

    it.each<ErrorCase>([
      one(
        "length(1)",
        "argument 1 of length(value) must be a string or an array or an object or a null, not a number",
        "1",
      ),
      one(
        "length(parameters.dry_run)",
        "argument 1 of length(value) must be a string or an array or an object or a null, not a boolean",
        "parameters.dry_run",
      ),
      one(
        "contains(parameters.config, 'x')",
        "argument 1 of contains(search, item) must be a string or a number or a boolean or a null or an array, not an object",
        "parameters.config",
      ),
      one(
        "startsWith(parameters.labels, 'a')",
        "argument 1 of startsWith(text, prefix) must be a string or a number or a boolean or a null, not an array",
        "parameters.labels",
      ),
      one(
        "endsWith('a', parameters.config)",
        "argument 2 of endsWith(text, suffix) must be a string or a number or a boolean or a null, not an object",
        "parameters.config",
      ),
      one(
        "format(1)",
        "argument 1 of format(template, ...values) must be a string, not a number",
        "1",
      ),
      one(
        "join(parameters.config)",
        "argument 1 of join(array, separator = ',') must be an array or a string or a number or a boolean or a null, not an object",
        "parameters.config",
      ),
      one(
        "join(parameters.labels, parameters.labels)",
        "argument 2 of join(array, separator = ',') must be a string or a number or a boolean or a null, not an array",
        "parameters.labels",
        true,
      ),
      one(
        "fromJSON(null)",
        "argument 1 of fromJSON(text) must be a string, not a null",
        "null",
      ),
    ])("$source", ({ source, problems }) => {
      expect(check(source).problems).toEqual(problems);
    });

    it.each([
      "length(parameters.anything)",
      "length(fromJSON('1'))",
      "length(parameters.labels)",
      "length(stages.plan.outputs)",
      "contains(parameters.labels, parameters.config)",
      "format('{0}', parameters.labels, parameters.config)",
      "toJSON(parameters.config)",
      "join(parameters.labels)",
      "CONTAINS('a', 'b')",
      "fromjson(parameters.feature)",
    ])("accepts %s", (source) => {
      expect(check(source).problems).toEqual([]);
    });

    it("checks the arguments of an unknown function", () => {
      expect(check("nope(foo)").problems).toEqual([
        { message: `unknown name 'foo'; ${NAMES}`, start: 5, end: 8 },
        { message: `unknown function 'nope'; ${FUNCTIONS}`, start: 0, end: 4 },
      ]);
    });
  });

  describe("format placeholders", () => {
    // The same messages as formatString gives at run time.
    const invalid = (position: number, template: string) =>
      `format: invalid placeholder at position ${position} of '${template}'; use {0}, {1}, … or {{ and }} for braces`;
    const unmatched = (position: number, template: string) =>
      `format: unmatched '}' at position ${position} of '${template}'; use }} for a literal brace`;

    it.each<[string, string[]]>([
      [
        "format('{0} {1}', 'a')",
        ["format: placeholder {1} has no argument (1 given)"],
      ],
      ["format('{0}')", ["format: placeholder {0} has no argument (0 given)"]],
      [
        "format('{0}{2}', 'a', 'b')",
        ["format: placeholder {2} has no argument (2 given)"],
      ],
      ["format('{x}', 1)", [invalid(0, "{x}")]],
      ["format('{}', 1)", [invalid(0, "{}")]],
      ["format('{ 0 }', 1)", [invalid(0, "{ 0 }")]],
      ["format('a {0', 1)", [invalid(2, "a {0")]],
      ["format('{-1}', 1)", [invalid(0, "{-1}")]],
      ["format('{{{x}}}', 1)", [invalid(2, "{{{x}}}")]],
      ["format('a}b')", [unmatched(1, "a}b")]],
      ["format('{{}')", [unmatched(2, "{{}")]],
      ["format('{0} }', 1)", [unmatched(4, "{0} }")]],
      ["format('{0}}', 1)", [unmatched(3, "{0}}")]],
      ["format('}}}')", [unmatched(2, "}}}")]],
      // A template that parses: every placeholder without an argument.
      [
        "format('{0} {5} {1}')",
        [
          "format: placeholder {0} has no argument (0 given)",
          "format: placeholder {5} has no argument (0 given)",
          "format: placeholder {1} has no argument (0 given)",
        ],
      ],
      // One that does not: only its first syntax error.
      ["format('{0} {5} {y}')", [invalid(8, "{0} {5} {y}")]],
      ["format('{5} } {y}')", [unmatched(4, "{5} } {y}")]],
      ["format('{x} }')", [invalid(0, "{x} }")]],
      [
        "FORMAT('{1}', 'a')",
        ["format: placeholder {1} has no argument (1 given)"],
      ],
    ])("%s", (source, messages) => {
      const { type, problems } = check(source);
      expect(type).toBe("string");
      expect(problems).toEqual(
        messages.map((message) => ({ message, start: 0, end: source.length })),
      );
    });

    it.each([
      "format('{0}', 1)",
      "format('{1}{0}', 1, 2)",
      "format('{{0}}')",
      "format('{{{0}}}', 1)",
      "format('}}{{')",
      "format('plain')",
      "format(parameters.feature)",
      "format(parameters.feature, 1)",
    ])("accepts %s", (source) => {
      expect(check(source).problems).toEqual([]);
    });

    it.each([
      "format('a}b')",
      "format('{{}')",
      "format('{0} }', 1)",
      "format('{x}', 1)",
      "format('a {', 1)",
      "format('{0} {1}', 'a')",
      "format('{0} {5} {y}')",
    ])("reports %s as the run time does", (source) => {
      const expression = parseExpression(source);
      let failure: unknown;
      try {
        evaluateExpression(expression, {});
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(ExpressionError);
      const { message, start, end } = failure as ExpressionError;
      expect(check(source).problems[0]).toEqual({ message, start, end });
    });
  });

  describe("stage status literals", () => {
    it.each<ErrorCase>([
      one(
        "stages.plan.status == 'succeded'",
        `'succeded' is not a stage status (did you mean 'succeeded'?); ${STATUSES}`,
        "'succeded'",
      ),
      one(
        "'Faild' != stages.plan.status",
        `'Faild' is not a stage status (did you mean 'failed'?); ${STATUSES}`,
        "'Faild'",
      ),
      one(
        "stages.plan.status == 'done'",
        `'done' is not a stage status; ${STATUSES}`,
        "'done'",
      ),
      one(
        "stages['plan']['status'] < 'runing'",
        `'runing' is not a stage status (did you mean 'running'?); ${STATUSES}`,
        "'runing'",
      ),
    ])("$source", ({ source, problems }) => {
      expect(check(source)).toEqual({ type: "boolean", problems });
    });

    it.each([
      "stages.plan.status == 'succeeded'",
      "stages.plan.status == 'SUCCEEDED'",
      "'timed_out' == stages.plan.status",
      "stages.plan.status == 1",
      "stages.plan.status == parameters.feature",
      "stages.plan.outputs.summary == 'whatever'",
      "parameters.feature == 'whatever'",
      "contains(stages.plan.status, 'ed')",
    ])("accepts %s", (source) => {
      expect(check(source).problems).toEqual([]);
    });
  });

  it("collects every problem, in order", () => {
    expect(
      check("foo && parameters.bar || nope(1) ? env.X : run.y").problems,
    ).toEqual([
      { message: `unknown name 'foo'; ${NAMES}`, start: 0, end: 3 },
      { message: "undeclared parameter 'bar'", start: 18, end: 21 },
      { message: `unknown function 'nope'; ${FUNCTIONS}`, start: 25, end: 29 },
      { message: "env.X is not declared in workflow.env", start: 39, end: 40 },
      { message: `run has no field 'y'; ${RUN_FIELDS}`, start: 47, end: 48 },
    ]);
  });

  it("checks computed indexes", () => {
    expect(check("parameters[foo]").problems).toEqual([
      { message: `unknown name 'foo'; ${NAMES}`, start: 11, end: 14 },
    ]);
  });

  it.each<[string, StaticType]>([
    ["null", "null"],
    ["true", "boolean"],
    ["1", "number"],
    ["NaN", "number"],
    ["'a'", "string"],
    ["parameters", "object"],
    ["parameters.feature", "string"],
    ["parameters['count']", "number"],
    ["parameters.dry_run", "boolean"],
    ["parameters.labels", "array"],
    ["parameters.config", "object"],
    ["parameters.nothing", "null"],
    ["parameters.anything", "any"],
    ["parameters.config.x", "any"],
    ["parameters.labels[0]", "any"],
    ["parameters[parameters.feature]", "any"],
    ["parameters.*", "any"],
    ["stages.plan", "object"],
    ["stages.plan.outputs", "object"],
    ["stages.plan.status", "string"],
    ["stages.plan.outputs.summary", "string"],
    ["stages.plan.outputs.tasks", "array"],
    ["stages.specify.outputs['questions']", "number"],
    ["stages.plan.outputs[parameters.feature]", "any"],
    ["stages.plan.outputs.*", "any"],
    ["stages[parameters.feature].status", "any"],
    ["run", "object"],
    ["run.issue", "number"],
    ["run.branch", "string"],
    ["run[parameters.feature]", "any"],
    ["workflow", "object"],
    ["workflow.name", "string"],
    ["env", "object"],
    ["env.REGION", "string"],
    ["env[parameters.feature]", "any"],
    ["!parameters.count", "boolean"],
    ["1 == 2", "boolean"],
    ["parameters.feature < 'b'", "boolean"],
    ["'a' || 'b'", "string"],
    ["'a' || 1", "any"],
    ["parameters.count && 1", "number"],
    ["parameters.anything || 'x'", "any"],
    ["true ? 'a' : 'b'", "string"],
    ["true ? 'a' : 1", "any"],
    ["(parameters.labels)", "array"],
    ["length('a')", "number"],
    ["contains('a', 'b')", "boolean"],
    ["startsWith('a', 'b')", "boolean"],
    ["endsWith('a', 'b')", "boolean"],
    ["format('{0}', 1)", "string"],
    ["join(parameters.labels)", "string"],
    ["toJSON(1)", "string"],
    ["fromJSON('1')", "any"],
    ["StartsWith('a', 'b')", "boolean"],
  ])("infers %s as %s", (source, type) => {
    expect(check(source)).toEqual({ type, problems: [] });
  });

  it("infers any for an expression with an error", () => {
    expect(check("foo").type).toBe("any");
    expect(check("length()").type).toBe("any");
  });
});

describe("referencedNames", () => {
  it.each<[string, string[]]>([
    ["1 == 1", []],
    ["parameters.a", ["parameters"]],
    [
      "stages.plan.status == 'succeeded' && parameters.x",
      ["stages", "parameters"],
    ],
    ["a[b].c.*", ["a", "b"]],
    ["f(a, g(b)) || !c", ["a", "b", "c"]],
    ["a ? b : c", ["a", "b", "c"]],
    ["a < a.b", ["a"]],
    ["contains(fromJSON('[]'), run.x)", ["run"]],
  ])("of %s are %j", (source, names) => {
    expect([...referencedNames(parseExpression(source))]).toEqual(names);
  });

  it("adds to a given set", () => {
    const into = new Set(["env"]);
    expect(referencedNames(parseExpression("run.id"), into)).toBe(into);
    expect([...into]).toEqual(["env", "run"]);
  });
});
