import { didYouMean } from "../did-you-mean.js";
import type { Expression, LiteralValue } from "./ast.js";
import { ExpressionError } from "./expression-error.js";
import { missingArgument, parseFormat } from "./format-string.js";
import {
  arityText,
  FUNCTION_NAMES,
  lookupFunction,
  type StaticType,
} from "./functions.js";
import {
  FOREIGN_NAMES,
  NAMESPACES,
  RUN_FIELDS,
  STAGE_STATUSES,
  WORKFLOW_FIELDS,
} from "./namespaces.js";

/** What the checker knows about the workflow around an expression. */
export interface CheckEnvironment {
  /** Declared parameters and their types. */
  parameters: ReadonlyMap<string, StaticType>;
  /** Every stage's declared outputs and their types (`file` reads as a string). */
  stages: ReadonlyMap<string, ReadonlyMap<string, StaticType>>;
  /**
   * Whether the expression may read stage `id`; a string explains why not
   * (for example: not a dependency).
   */
  canReadStage(id: string): true | string;
  /** Declared `workflow.env` names. */
  env: ReadonlySet<string>;
}

export interface Typed {
  type: StaticType;
  /** The value is a `stages.<id>.status`. */
  status?: true;
  /** The value is this literal. */
  literal?: LiteralValue;
}

interface Segment {
  /** The property name, or `undefined` for a computed index or `*`. */
  key: string | undefined;
  start: number;
  end: number;
}

const ANY: Typed = { type: "any" };
const article = (type: string) =>
  /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;

/**
 * Checks an expression against the workflow without running it: names,
 * functions and their arguments, stage references, declared outputs and
 * parameters, and types. Returns the inferred type and every problem found.
 */
export function checkExpression(
  expression: Expression,
  environment: CheckEnvironment,
): { type: StaticType; errors: ExpressionError[] } {
  const errors: ExpressionError[] = [];
  const fail = (message: string, start: number, end: number): Typed => {
    errors.push(new ExpressionError(message, start, end));
    return ANY;
  };

  function access(
    base: Typed,
    segments: readonly Segment[],
    described: string,
  ): Typed {
    const [segment] = segments;
    if (segment === undefined) return base;
    if (
      base.type === "any" ||
      base.type === "object" ||
      base.type === "array"
    ) {
      return ANY;
    }
    const label = segment.key === undefined ? "an index" : `'${segment.key}'`;
    return fail(
      `cannot read ${label} of ${described}, which is ${article(base.type)}`,
      segment.start,
      segment.end,
    );
  }

  function namespace(
    root: { name: string; start: number; end: number },
    segments: Segment[],
  ): Typed {
    const [first, ...rest] = segments;
    switch (root.name) {
      case "parameters": {
        if (first === undefined) return { type: "object" };
        if (first.key === undefined) return ANY;
        const type = environment.parameters.get(first.key);
        if (type === undefined) {
          const declared = [...environment.parameters.keys()];
          return fail(
            `undeclared parameter '${first.key}'${didYouMean(first.key, declared)}${declared.length === 0 ? "; the workflow declares no parameters" : ""}`,
            first.start,
            first.end,
          );
        }
        return access({ type }, rest, `parameters.${first.key}`);
      }
      case "stages":
        return stageReference(root, segments);
      case "run":
      case "workflow": {
        const fields: Record<string, StaticType> =
          root.name === "run" ? RUN_FIELDS : WORKFLOW_FIELDS;
        if (first === undefined) return { type: "object" };
        if (first.key === undefined) return ANY;
        const type = Object.hasOwn(fields, first.key)
          ? fields[first.key]
          : undefined;
        if (type === undefined) {
          return fail(
            `${root.name} has no field '${first.key}'${didYouMean(first.key, Object.keys(fields))}; fields: ${Object.keys(fields).join(", ")}`,
            first.start,
            first.end,
          );
        }
        return access({ type }, rest, `${root.name}.${first.key}`);
      }
      case "env": {
        if (first === undefined) return { type: "object" };
        if (first.key === undefined) return ANY;
        if (!environment.env.has(first.key)) {
          return fail(
            `env.${first.key} is not declared in workflow.env${didYouMean(first.key, environment.env)}`,
            first.start,
            first.end,
          );
        }
        return access({ type: "string" }, rest, `env.${first.key}`);
      }
      default: {
        const hint = Object.hasOwn(FOREIGN_NAMES, root.name)
          ? FOREIGN_NAMES[root.name]
          : undefined;
        const suggestion =
          hint === undefined ? didYouMean(root.name, NAMESPACES) : ` (${hint})`;
        return fail(
          `unknown name '${root.name}'${suggestion}; expressions can read ${NAMESPACES.join(", ")}`,
          root.start,
          root.end,
        );
      }
    }
  }

  function stageReference(
    root: { start: number; end: number },
    segments: Segment[],
  ): Typed {
    const [id, field, name, ...rest] = segments;
    if (id === undefined) {
      return fail(
        "'stages' needs a stage id: stages.<id>.outputs.<name> or stages.<id>.status",
        root.start,
        root.end,
      );
    }
    if (id.key === undefined) return ANY;
    const outputs = environment.stages.get(id.key);
    if (outputs === undefined) {
      return fail(
        `unknown stage '${id.key}'${didYouMean(id.key, environment.stages.keys())}`,
        id.start,
        id.end,
      );
    }
    const readable = environment.canReadStage(id.key);
    if (readable !== true) return fail(readable, id.start, id.end);
    if (field === undefined) return { type: "object" };
    if (field.key === "status") {
      return name === undefined
        ? { type: "string", status: true }
        : access(
            { type: "string" },
            [name, ...rest],
            `stages.${id.key}.status`,
          );
    }
    if (field.key !== "outputs") {
      return fail(
        `expected 'outputs' or 'status' after stages.${id.key}${field.key === undefined ? "" : didYouMean(field.key, ["outputs", "status"])}`,
        field.start,
        field.end,
      );
    }
    if (name === undefined) return { type: "object" };
    if (name.key === undefined) return ANY;
    const type = outputs.get(name.key);
    if (type === undefined) {
      const declared = [...outputs.keys()];
      return fail(
        `stage '${id.key}' declares no output '${name.key}'${didYouMean(name.key, declared)}${declared.length === 0 ? "" : `; its outputs: ${declared.join(", ")}`}`,
        name.start,
        name.end,
      );
    }
    return access({ type }, rest, `stages.${id.key}.outputs.${name.key}`);
  }

  /** Flattens `a.b['c'][x].*` into its root and segments. */
  function reference(node: Expression): Typed {
    const segments: Segment[] = [];
    let current = node;
    for (;;) {
      if (current.kind === "member") {
        segments.unshift({
          key: current.property,
          start: current.propertyStart,
          end: current.end,
        });
        current = current.object;
      } else if (current.kind === "index") {
        const index = current.index;
        if (index.kind === "literal" && typeof index.value === "string") {
          segments.unshift({
            key: index.value,
            start: index.start,
            end: index.end,
          });
        } else {
          visit(index);
          segments.unshift({
            key: undefined,
            start: index.start,
            end: index.end,
          });
        }
        current = current.object;
      } else if (current.kind === "wildcard") {
        segments.unshift({
          key: undefined,
          start: current.end - 1,
          end: current.end,
        });
        current = current.object;
      } else {
        break;
      }
    }
    if (current.kind === "name") return namespace(current, segments);
    const base = visit(current);
    return access(base, segments, "this value");
  }

  function visit(node: Expression): Typed {
    switch (node.kind) {
      case "literal":
        return {
          type:
            node.value === null ? "null" : (typeof node.value as StaticType),
          literal: node.value,
        };
      case "name":
      case "member":
      case "index":
      case "wildcard":
        return reference(node);
      case "call":
        return call(node);
      case "not":
        visit(node.operand);
        return { type: "boolean" };
      case "binary": {
        const left = visit(node.left);
        const right = visit(node.right);
        checkStatusLiteral(left, right, node.right);
        checkStatusLiteral(right, left, node.left);
        return { type: "boolean" };
      }
      case "logical":
      case "conditional": {
        if (node.kind === "conditional") visit(node.test);
        const a = visit(node.kind === "logical" ? node.left : node.consequent);
        const b = visit(node.kind === "logical" ? node.right : node.alternate);
        return a.type === b.type ? { type: a.type } : ANY;
      }
    }
  }

  function checkStatusLiteral(
    side: Typed,
    other: Typed,
    otherNode: Expression,
  ) {
    if (!side.status || typeof other.literal !== "string") return;
    const value = other.literal.toLowerCase();
    if (!(STAGE_STATUSES as readonly string[]).includes(value)) {
      fail(
        `'${other.literal}' is not a stage status${didYouMean(value, STAGE_STATUSES)}; statuses: ${STAGE_STATUSES.join(", ")}`,
        otherNode.start,
        otherNode.end,
      );
    }
  }

  function call(node: Extract<Expression, { kind: "call" }>): Typed {
    const args = node.args.map(visit);
    const spec = lookupFunction(node.name);
    if (spec === undefined) {
      return fail(
        `unknown function '${node.name}'${didYouMean(node.name, FUNCTION_NAMES)}; functions: ${FUNCTION_NAMES.join(", ")}`,
        node.start,
        node.nameEnd,
      );
    }
    if (args.length < spec.minArgs || args.length > spec.maxArgs) {
      return fail(
        `${spec.signature} takes ${arityText(spec)}, got ${args.length}`,
        node.start,
        node.end,
      );
    }
    args.forEach((arg, i) => {
      const accepts =
        spec.accepts[Math.min(i, spec.accepts.length - 1)] ?? "any";
      if (accepts === "any" || arg.type === "any" || accepts.includes(arg.type))
        return;
      const argNode = node.args[i] as Expression;
      fail(
        `argument ${i + 1} of ${spec.signature} must be ${accepts.map(article).join(" or ")}, not ${article(arg.type)}`,
        argNode.start,
        argNode.end,
      );
    });
    const template = args[0]?.literal;
    if (node.name.toLowerCase() === "format" && typeof template === "string") {
      checkFormat(template, args.length - 1, node);
    }
    return { type: spec.returns };
  }

  function checkFormat(template: string, count: number, node: Expression) {
    const parsed = parseFormat(template);
    if ("error" in parsed) {
      fail(parsed.error, node.start, node.end);
      return;
    }
    for (const part of parsed.parts) {
      if (typeof part === "number" && part >= count) {
        fail(missingArgument(part, count), node.start, node.end);
      }
    }
  }

  const result = visit(expression);
  return { type: result.type, errors };
}
