import Handlebars from "handlebars";
import type { ExpectedOutput } from "../../../src/contracts/stage-request.js";
import type { PromptContext } from "../../../src/workflow/prompt-context.js";
import { fenceUntrusted } from "./fence-untrusted.js";
import { sanitizeUntrusted } from "./sanitize.js";

/** Where a stage writes the values (not files) it must report. */
export const OUTPUTS_FILE = ".specwright/outputs.json";

/** People's text on one line, cleaned and cut to 200 characters. */
export function inlineUntrusted(text: unknown): string {
  return sanitizeUntrusted(typeof text === "string" ? text : "")
    .replace(/\s+/g, " ")
    .slice(0, 200);
}

/**
 * Text people wrote, in the prompt context. However a template prints it,
 * `{{ feature }}`, `{{{ issue.body }}}` or `{{ inputs.report }}`, it comes
 * out fenced as data (or, for titles, cleaned on one line): a workflow
 * author cannot forget to.
 */
class UntrustedText {
  constructor(
    readonly text: string,
    readonly label: string | null,
  ) {}

  toString(): string {
    return this.label === null
      ? inlineUntrusted(this.text)
      : fenceUntrusted(this.text, this.label);
  }

  [Symbol.toPrimitive](): string {
    return this.toString();
  }
}

function unwrap(value: unknown): unknown {
  return value instanceof UntrustedText ? value.text : value;
}

function untrusted(text: string, label: string | null): UntrustedText | string {
  // Empty text stays a plain empty string, so `{{#if feature}}` still works.
  return text === "" ? "" : new UntrustedText(text, label);
}

/**
 * The strings in a stage's inputs (upstream stages' outputs, which agents
 * wrote from people's text) or the run's parameters (which people chose),
 * however deep, wrapped as untrusted; numbers and booleans print as they are.
 */
function untrustedValues(value: unknown, label: string): unknown {
  if (typeof value === "string") return untrusted(value, label);
  if (Array.isArray(value))
    return value.map((item) => untrustedValues(item, label));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        untrustedValues(item, label),
      ]),
    );
  }
  return value;
}

function untrustedRecord(
  record: Record<string, unknown>,
  kind: string,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([name, value]) => [
      name,
      untrustedValues(value, `${kind} ${name}`),
    ]),
  );
}

function guardContext(context: PromptContext): Record<string, unknown> {
  const { issue } = context;
  return {
    ...context,
    inputs: untrustedRecord(context.inputs, "input"),
    parameters: untrustedRecord(context.parameters, "parameter"),
    feature: untrusted(context.feature, "feature request"),
    issue:
      issue === null
        ? null
        : {
            ...issue,
            title: untrusted(issue.title, null),
            body: untrusted(issue.body, "issue body"),
          },
  };
}

function describeOutputs(outputs: readonly ExpectedOutput[]): string {
  if (outputs.length === 0) return "";
  const lines = ["", "## What this stage must leave behind", ""];
  for (const output of outputs) {
    const what = output.description ? `: ${output.description}` : "";
    if (output.type === "file") {
      const change = output.must_change ? " (create it, or change it)" : "";
      lines.push(`- the file \`${output.path}\`${change}${what}`);
    } else {
      lines.push(`- the ${output.type} \`${output.name}\`${what}`);
    }
  }
  if (outputs.some((o) => o.type !== "file")) {
    lines.push(
      "",
      `Write the values as one JSON object to \`${OUTPUTS_FILE}\`, for example {"${outputs.find((o) => o.type !== "file")?.name}": …}.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Renders a stage's prompt template (the bundled one or the workflow's own)
 * with the prompt context, and appends what the stage must produce.
 * Templates are Handlebars without HTML escaping; `untrusted` and
 * `untrusted-inline` are the only helpers beyond the built-in ones, and
 * `feature`, `issue.body` and the strings in `inputs` and `parameters`
 * print fenced, `issue.title` cleaned on one line (see UntrustedText).
 */
export function renderPrompt(
  template: string,
  context: PromptContext,
  outputs: readonly ExpectedOutput[],
): string {
  const handlebars = Handlebars.create();
  handlebars.registerHelper("untrusted", (text: unknown, label: unknown) =>
    fenceUntrusted(unwrap(text), typeof label === "string" ? label : "data"),
  );
  handlebars.registerHelper("untrusted-inline", (text: unknown) =>
    inlineUntrusted(unwrap(text)),
  );
  const body = handlebars.compile(template, { noEscape: true })(
    guardContext(context),
  );
  return `${body.trimEnd()}\n${describeOutputs(outputs)}`;
}
