import { checkPrompt } from "./check-prompt.js";
import type { Diagnostic, ValuePath } from "./diagnostic.js";
import { didYouMean } from "./did-you-mean.js";
import type { Expression } from "./expressions/ast.js";
import {
  type CheckEnvironment,
  checkExpression,
} from "./expressions/check-expression.js";
import { ExpressionError } from "./expressions/expression-error.js";
import type { StaticType } from "./expressions/functions.js";
import {
  hasExpressions,
  parseCondition,
  parseTemplate,
  soleExpression,
} from "./expressions/parse-template.js";
import { buildGraph, type StageGraph } from "./graph/build-graph.js";
import type { Parameter, Stage, Workflow } from "./schema.js";
import {
  NO_SKILL,
  PROMPT_PACK_STAGES,
  type SkillInfo,
  SPECKIT_SKILL,
} from "./skills.js";

export interface CheckWorkflowOptions {
  /** Skills stages may select, by id (the built-in `speckit` is always known). */
  skills?: ReadonlyMap<string, SkillInfo>;
  /** Judge skill references (off when the skill catalog itself is invalid). */
  checkSkills?: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function kindOfValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * Checks what the schema cannot: the stage graph, every `${{ }}` expression
 * (names, references, types), outputs, gates, skills and prompts.
 * `path` locates the workflow in the file (e.g. `["workflow"]`).
 */
export function checkWorkflow(
  workflow: Workflow,
  path: ValuePath,
  options: CheckWorkflowOptions = {},
): { graph: StageGraph; diagnostics: Diagnostic[] } {
  const stagesPath = [...path, "stages"];
  const { graph, diagnostics } = buildGraph(workflow.stages, stagesPath);
  const skills = new Map<string, SkillInfo>([
    [SPECKIT_SKILL.id, SPECKIT_SKILL],
  ]);
  for (const [id, skill] of options.skills ?? []) skills.set(id, skill);

  for (const [name, parameter] of Object.entries(workflow.parameters)) {
    diagnostics.push(
      ...checkParameter(parameter, [...path, "parameters", name]),
    );
  }
  for (const name of Object.keys(workflow.env)) {
    if (!ENV_NAME.test(name)) {
      diagnostics.push({
        message: `'${name}' is not a valid environment variable name (letters, digits and '_', not starting with a digit)`,
        path: [...path, "env", name],
        target: "key",
      });
    }
  }

  const parameterTypes = new Map<string, StaticType>(
    Object.entries(workflow.parameters).map(([name, p]) => [name, p.type]),
  );
  const stageOutputs = new Map<string, ReadonlyMap<string, StaticType>>();
  for (const stage of workflow.stages) {
    if (stageOutputs.has(stage.id)) continue;
    stageOutputs.set(
      stage.id,
      new Map(
        Object.entries(stage.outputs).map(([name, output]) => [
          name,
          output.type === "file" ? "string" : output.type,
        ]),
      ),
    );
  }
  const ancestors = new Map<number, Set<number>>();
  const ancestorsOf = (index: number): Set<number> => {
    let found = ancestors.get(index);
    if (found) return found;
    found = new Set<number>();
    ancestors.set(index, found);
    const stack = [...(graph.dependencies[index] ?? [])];
    while (stack.length > 0) {
      const node = stack.pop() as number;
      if (found.has(node)) continue;
      found.add(node);
      const cached = ancestors.get(node);
      if (cached && node !== index) for (const a of cached) found.add(a);
      else stack.push(...(graph.dependencies[node] ?? []));
    }
    return found;
  };

  workflow.stages.forEach((stage, i) => {
    const stagePath = [...stagesPath, i];
    const environment: CheckEnvironment = {
      parameters: parameterTypes,
      stages: stageOutputs,
      env: new Set(Object.keys(workflow.env)),
      canReadStage(id) {
        const target = graph.indexOf.get(id);
        if (target === i || id === stage.id) {
          return `stage '${stage.id}' cannot read its own outputs or status`;
        }
        if (target === undefined || ancestorsOf(i).has(target)) return true;
        return `stage '${id}' is not a dependency of '${stage.id}': add it to depends_on to read it`;
      },
    };
    diagnostics.push(
      ...checkStage(
        stage,
        stagePath,
        environment,
        options.checkSkills === false ? undefined : skills,
      ),
    );
  });

  return { graph, diagnostics };
}

function checkParameter(parameter: Parameter, path: ValuePath): Diagnostic[] {
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

function checkStage(
  stage: Stage,
  path: ValuePath,
  environment: CheckEnvironment,
  skills: ReadonlyMap<string, SkillInfo> | undefined,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = (message: string, at: ValuePath, offset?: number) =>
    diagnostics.push(
      offset === undefined
        ? { message, path: at }
        : { message, path: at, offset },
    );

  /** Checks one expression; `offset` is where its source starts in the string. */
  const check = (
    expression: Expression,
    offset: number,
    at: ValuePath,
  ): StaticType => {
    const { type, errors } = checkExpression(expression, environment);
    for (const error of errors) report(error.message, at, offset + error.start);
    return type;
  };

  /** Parses and checks text that may contain `${{ }}`; returns its static type. */
  const checkTemplate = (
    text: string,
    at: ValuePath,
  ): StaticType | undefined => {
    try {
      const parts = parseTemplate(text);
      const sole = soleExpression(parts);
      if (sole?.kind === "expression")
        return check(sole.expression, sole.offset, at);
      for (const part of parts) {
        if (part.kind === "expression") check(part.expression, part.offset, at);
      }
      return "string";
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      report(error.message, at, error.start);
      return undefined;
    }
  };

  if (stage.condition !== undefined) {
    const at = [...path, "condition"];
    try {
      const { expression, offset } = parseCondition(stage.condition);
      check(expression, offset, at);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      report(error.message, at, error.start);
    }
  }

  for (const [name, input] of Object.entries(stage.inputs)) {
    const at = [...path, "inputs", name];
    // A shorthand input has no `source` key; the locator then stops at the
    // input's own string, which is the source.
    const type = checkTemplate(input.source, [...at, "source"]);
    if (
      type !== undefined &&
      type !== "any" &&
      input.type !== "any" &&
      type !== input.type &&
      type !== "null"
    ) {
      report(
        `input '${name}' is declared ${input.type}, but its source is ${type === "array" || type === "object" ? "an" : "a"} ${type}`,
        at,
      );
    }
  }

  for (const [name, output] of Object.entries(stage.outputs)) {
    const at = [...path, "outputs", name];
    if (output.type === "file") {
      if (output.path === undefined) {
        report(
          `file output '${name}' needs a path (the file or glob the stage must produce)`,
          at,
        );
      } else {
        checkTemplate(output.path, [...at, "path"]);
        const staticPart = output.path.replace(/\$\{\{[\s\S]*?\}\}/g, "x");
        if (
          staticPart.startsWith("/") ||
          staticPart.split("/").includes("..")
        ) {
          report("path must be relative to the repository root, without '..'", [
            ...at,
            "path",
          ]);
        } else if (staticPart === ".git" || staticPart.startsWith(".git/")) {
          report("path must not be inside .git/", [...at, "path"]);
        }
      }
    } else {
      if (output.path !== undefined) {
        report(`path is only for file outputs; '${name}' is a ${output.type}`, [
          ...at,
          "path",
        ]);
      }
      if (output.must_change) {
        report(
          `must_change is only for file outputs; '${name}' is a ${output.type}`,
          [...at, "must_change"],
        );
      }
    }
  }

  if (stage.gate?.message !== undefined) {
    checkTemplate(stage.gate.message, [...path, "gate", "message"]);
  }
  if (stage.agent?.model !== undefined && hasExpressions(stage.agent.model)) {
    checkTemplate(stage.agent.model, [...path, "agent", "model"]);
  }
  stage.agent?.args?.forEach((arg, i) => {
    if (hasExpressions(arg)) checkTemplate(arg, [...path, "agent", "args", i]);
  });

  if (stage.type === "gate") {
    for (const key of ["agent", "skill", "prompt", "fallback"] as const) {
      if (stage[key] !== undefined) {
        report(
          `a gate stage runs no agent: remove '${key}' (or make it type: agent with a gate:)`,
          [...path, key],
        );
      }
    }
    if (Object.keys(stage.outputs).length > 0) {
      report("a gate stage produces no outputs", [...path, "outputs"]);
    }
  } else if (skills !== undefined) {
    diagnostics.push(...checkSkill(stage, path, skills));
  }

  if (stage.prompt !== undefined) {
    for (const problem of checkPrompt(stage.prompt, {
      inputs: new Set(Object.keys(stage.inputs)),
      parameters: new Set(environment.parameters.keys()),
    })) {
      report(problem.message, [...path, "prompt"], problem.offset);
    }
  }
  return diagnostics;
}

function checkSkill(
  stage: Stage,
  path: ValuePath,
  skills: ReadonlyMap<string, SkillInfo>,
): Diagnostic[] {
  const hasBundledPrompt = (PROMPT_PACK_STAGES as readonly string[]).includes(
    stage.id,
  );
  if (stage.skill === undefined || stage.skill === NO_SKILL) {
    if (stage.prompt === undefined && !hasBundledPrompt) {
      return [
        {
          message: `stage '${stage.id}' needs a skill or a prompt: the bundled prompts cover ${PROMPT_PACK_STAGES.join(", ")}`,
          path: [...path, "id"],
        },
      ];
    }
    return [];
  }
  const at = [...path, "skill"];
  const skill = skills.get(stage.skill);
  if (skill === undefined) {
    return [
      {
        message: `unknown skill '${stage.skill}'${didYouMean(stage.skill, [...skills.keys(), NO_SKILL])}; known skills: ${[...skills.keys()].join(", ")} (add others under skills.catalog)`,
        path: at,
      },
    ];
  }
  if (!skill.allowlisted) {
    return [
      {
        message: `skill '${skill.id}' is not allowlisted (skills.catalog[].allowlisted)`,
        path: at,
      },
    ];
  }
  if (!skill.supported_stages.includes(stage.id)) {
    return [
      {
        message: `skill '${skill.id}' has no command for stage '${stage.id}'; it supports: ${skill.supported_stages.join(", ")}`,
        path: at,
      },
    ];
  }
  if (
    stage.fallback === true &&
    stage.prompt === undefined &&
    !hasBundledPrompt
  ) {
    return [
      {
        message: `fallback needs a prompt: stage '${stage.id}' has none and the bundled prompts cover ${PROMPT_PACK_STAGES.join(", ")}`,
        path: [...path, "fallback"],
      },
    ];
  }
  return [];
}
