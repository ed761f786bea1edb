import { randomBytes } from "node:crypto";
import Handlebars from "handlebars";
import type { ExpectedOutput } from "../../../src/contracts/stage-request.js";
import type { PromptContext } from "../../../src/workflow/prompt-context.js";
import { sanitizeUntrusted } from "./sanitize.js";

/** Where a stage writes the values (not files) it must report. */
export const OUTPUTS_FILE = ".specwright/outputs.json";

/**
 * Fences people's text as data: cleaned, between BEGIN and END markers with
 * a random token the text does not contain, so it cannot close the fence.
 */
export function fenceUntrusted(text: unknown, label: string): string {
  const clean = sanitizeUntrusted(typeof text === "string" ? text : "");
  let token = randomBytes(6).toString("hex");
  while (clean.includes(token)) token = randomBytes(6).toString("hex");
  const name = label.toUpperCase();
  return `----- BEGIN ${name} ${token} -----\n${clean}\n----- END ${name} ${token} -----`;
}

/** People's text on one line, cleaned and cut to 200 characters. */
export function inlineUntrusted(text: unknown): string {
  return sanitizeUntrusted(typeof text === "string" ? text : "")
    .replace(/\s+/g, " ")
    .slice(0, 200);
}

/**
 * Text people wrote, in the prompt context. However a template prints it,
 * `{{ feature }}` or `{{{ issue.body }}}`, it comes out fenced as data (or,
 * for titles, cleaned on one line): a workflow author cannot forget to.
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

function guardContext(context: PromptContext): Record<string, unknown> {
  const { issue } = context;
  return {
    ...context,
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
 * `feature`, `issue.title` and `issue.body` print fenced (see UntrustedText).
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
