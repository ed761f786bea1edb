import { checkPrompt } from "./check-prompt.js";
import { checkSkill } from "./check-skill.js";
import type { Diagnostic, ValuePath } from "./diagnostic.js";
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
import type { Stage } from "./schema.js";
import type { SkillInfo } from "./skills.js";

/**
 * Checks one stage: its condition, inputs (and their types), outputs, gate
 * message and agent settings, and for agent stages the skill and prompt.
 * `skills` undefined skips the skill checks.
 */
export function checkStage(
  stage: Stage,
  path: ValuePath,
  environment: CheckEnvironment,
  parameterNames: ReadonlySet<string>,
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
      parameters: parameterNames,
    })) {
      report(problem.message, [...path, "prompt"], problem.offset);
    }
  }
  return diagnostics;
}
