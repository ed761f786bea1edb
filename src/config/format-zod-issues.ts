import type { z } from "zod";
import type { Diagnostic } from "../workflow/diagnostic.js";
import { didYouMean } from "../workflow/did-you-mean.js";
import { knownKeysAt } from "./known-keys.js";

type Issue = z.core.$ZodIssue & { input?: unknown };
type Path = (string | number)[];

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value === "number" ? "the number" : "the boolean"} ${String(value)}`;
}

const TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  null: "null",
};

function expectedText(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

function toPath(path: readonly PropertyKey[]): Path {
  return path.map((segment) =>
    typeof segment === "number" ? segment : String(segment),
  );
}

/**
 * Turns zod issues into diagnostics with messages for people: what was
 * expected, what was found, and a did-you-mean for misspelt keys and values.
 */
export function formatZodIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  options: {
    /** Where the value `schema` checked sits in the file. */
    prefix?: Path;
    /** Where, inside `schema`, the issues' paths start (for unions). */
    within?: Path;
  } = {},
): Diagnostic[] {
  const { prefix = [], within = [] } = options;
  const out: Diagnostic[] = [];
  for (const raw of issues) {
    const issue = raw as Issue;
    const relative = [...within, ...toPath(issue.path)];
    const path = [...prefix, ...relative];
    switch (issue.code) {
      case "unrecognized_keys": {
        const known = knownKeysAt(schema, relative);
        for (const key of issue.keys) {
          const hint = didYouMean(key, known);
          out.push({
            message: `unknown key '${key}'${hint || (known.length > 0 ? `; expected one of: ${known.join(", ")}` : "")}`,
            path: [...path, key],
            target: "key",
          });
        }
        break;
      }
      case "invalid_type": {
        if (!("input" in issue) || issue.input === undefined) {
          const key = path[path.length - 1];
          out.push({
            message: `missing required key '${String(key)}' (${expectedText(issue.expected)})`,
            path,
          });
        } else {
          out.push({
            message: `expected ${expectedText(issue.expected)}, got ${describeValue(issue.input)}`,
            path,
          });
        }
        break;
      }
      case "invalid_value": {
        const values = issue.values.map((v) => String(v));
        const input = issue.input;
        const hint = typeof input === "string" ? didYouMean(input, values) : "";
        out.push({
          message: `expected one of ${values.join(", ")}; got ${describeValue(input)}${hint}`,
          path,
        });
        break;
      }
      case "invalid_union": {
        out.push(...formatUnion(issue, schema, prefix, relative));
        break;
      }
      case "too_small":
      case "too_big": {
        const bound =
          issue.code === "too_small" ? issue.minimum : issue.maximum;
        const word = issue.code === "too_small" ? "at least" : "at most";
        let message: string;
        if (issue.origin === "array")
          message = `needs ${word} ${bound} item${Number(bound) === 1 ? "" : "s"}`;
        else if (issue.origin === "string")
          message = `must be ${word} ${bound} character${Number(bound) === 1 ? "" : "s"} long`;
        else message = `must be ${word} ${bound}; got ${String(issue.input)}`;
        out.push({
          message: issue.message.startsWith("Too ") ? message : issue.message,
          path,
        });
        break;
      }
      case "invalid_format":
        out.push({
          message: issue.message.startsWith("Invalid")
            ? `invalid ${issue.format}: got ${describeValue(issue.input)}`
            : `${issue.message}; got ${describeValue(issue.input)}`,
          path,
        });
        break;
      case "not_multiple_of":
        out.push({
          message: `must be a whole number; got ${String(issue.input)}`,
          path,
        });
        break;
      default:
        out.push({ message: issue.message, path });
    }
  }
  return out;
}

/**
 * For a union, report the branch whose shape the input has (a mapping for
 * the mapping branch); if none, say which kinds of value are accepted.
 */
function formatUnion(
  issue: Extract<Issue, { code: "invalid_union" }>,
  schema: z.ZodType,
  prefix: Path,
  within: Path,
): Diagnostic[] {
  const branches = issue.errors;
  const shaped = branches.find((errors) =>
    errors.every((e) => !(e.code === "invalid_type" && e.path.length === 0)),
  );
  if (shaped) return formatZodIssues(shaped, schema, { prefix, within });
  const expected = [
    ...new Set(
      branches.flatMap((errors) =>
        errors
          .filter((e) => e.code === "invalid_type" && e.path.length === 0)
          .map((e) => expectedText((e as { expected: string }).expected)),
      ),
    ),
  ];
  return [
    {
      message: `expected ${expected.join(" or ")}, got ${describeValue(issue.input)}`,
      path: [...prefix, ...within],
    },
  ];
}
