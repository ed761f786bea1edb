import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkPrompt,
  readWithHandlebars,
  scanSimpleTemplate,
} from "../../src/workflow/check-prompt.js";

const declared = {
  inputs: new Set(["spec", "plan"]),
  parameters: new Set(["depth"]),
};

describe("checkPrompt", () => {
  it.each([
    "Plan {{ feature }} for issue #{{ issue.number }} ({{ run.repository }}).",
    "{{#if inputs.spec}}Read {{ inputs.spec }}.{{else}}No spec.{{/if}}",
    "{{#each outputs}}- {{ name }} ({{ this.type }}) {{ ../feature }}{{/each}}",
    "{{#with issue}}{{ title }}{{/with}} {{ lookup inputs 'plan' }} {{@root.stage.id}}",
    "Depth {{ parameters.depth }} in {{ stage.name }}; {{!-- a comment --}}",
  ])("accepts %j", (template) => {
    expect(checkPrompt(template, declared)).toEqual([]);
  });

  it.each([
    [
      "Hello {{ feture }}",
      [
        {
          message:
            "prompt reads unknown name 'feture' (did you mean 'feature'?); prompts can read feature, issue, stage, inputs, parameters, outputs, run",
          offset: 9,
        },
      ],
    ],
    [
      "{{#if inputs.tasks}}x{{/if}}",
      [
        {
          message: "prompt reads inputs.tasks, which is not declared",
          offset: 6,
        },
      ],
    ],
    [
      "Depth: {{ parameters.dept }}",
      [
        {
          message:
            "prompt reads parameters.dept, which is not declared (did you mean 'depth'?)",
          offset: 10,
        },
      ],
    ],
    [
      "{{ lookup secrets 'token' }}",
      [
        {
          message:
            "prompt reads unknown name 'secrets'; prompts can read feature, issue, stage, inputs, parameters, outputs, run",
          offset: 10,
        },
      ],
    ],
    [
      "line one\n{{#if x}}\n{{ feature }",
      [
        {
          message:
            "prompt is not a valid Handlebars template: parse error near '{#if x}}{{ feature }'",
          offset: 19,
        },
      ],
    ],
    [
      "{{#if feature}}x{{/each}}",
      [
        {
          message:
            "prompt is not a valid Handlebars template: if doesn't match each",
          offset: 0,
        },
      ],
    ],
    [
      "Write ${{ inputs.spec }}",
      [
        {
          message:
            "prompts are Handlebars templates: write {{ inputs.name }}, not ${{ … }}",
          offset: 6,
        },
      ],
    ],
  ])("reports %j", (template, expected) => {
    expect(checkPrompt(template, declared)).toEqual(expected);
  });
});

describe("the simple-template scanner", () => {
  const segment = fc.constantFrom(
    "feature",
    "inputs",
    "spec",
    "issue",
    "title",
    "x-y",
    "_z",
    "true",
    "null",
  );
  const path = fc.oneof(
    fc
      .array(segment, { minLength: 1, maxLength: 3 })
      .map((parts) => parts.join(".")),
    fc.constantFrom(
      "this",
      "@index",
      "@key",
      "@root.feature",
      "this.name",
      "../feature",
      "../../x",
    ),
  );
  const text = fc.constantFrom(
    "",
    "a",
    " ",
    "\n",
    "plain text",
    "{",
    "}",
    "{ x }",
    ", ",
  );
  const helper = fc.constantFrom("if", "unless", "each", "with");
  const space = fc.constantFrom("", " ", "  ");
  const { template } = fc.letrec<{ template: string; item: string }>((tie) => ({
    template: fc
      .array(tie("item"), { maxLength: 6 })
      .map((items) => items.join("")),
    item: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      text,
      fc.tuple(space, path, space).map(([a, p, b]) => `{{${a}${p}${b}}}`),
      fc
        .tuple(helper, path, tie("template"), fc.option(tie("template")))
        .map(
          ([h, p, body, otherwise]) =>
            `{{#${h} ${p}}}${body}${otherwise === null ? "" : `{{else}}${otherwise}`}{{/${h}}}`,
        ),
    ),
  }));

  it("reads simple templates exactly as Handlebars does", () => {
    fc.assert(
      fc.property(template, (t) => {
        const fast = scanSimpleTemplate(t);
        if (fast === undefined) return;
        expect(fast).toEqual(readWithHandlebars(t));
      }),
      { numRuns: 2000 },
    );
  });

  // Guards the property above against passing vacuously.
  it("handles many of the generated templates itself", () => {
    const samples = fc.sample(template, { numRuns: 500, seed: 1 });
    const handled = samples.filter((t) => scanSimpleTemplate(t) !== undefined);
    expect(handled.length).toBeGreaterThan(100);
  });

  it.each([
    "{{! a comment }}",
    "{{> partial }}",
    "{{{ raw }}}",
    "\\{{ escaped }}",
    "{{ lookup inputs 'x' }}",
    "{{#if a}}unclosed",
    "{{/if}}",
    "{{#if a}}{{/each}}",
    "{{ true }}",
    "{{#each 3}}x{{/each}}",
    "{{ a",
  ])("leaves %j to Handlebars", (t) => {
    expect(scanSimpleTemplate(t)).toBeUndefined();
  });
});
