import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { renderConfigDoc } from "../../src/config/render-config-doc.js";
import { renderJsonSchema } from "../../src/config/render-json-schema.js";

// The JSON Schema and the configuration reference are generated from the zod
// schema and committed; these tests fail when either is stale.
describe("generated files", () => {
  it("schema/specwright.schema.json is up to date (npm run generate)", async () => {
    const committed = await readFile("schema/specwright.schema.json", "utf8");
    expect(committed).toBe(`${JSON.stringify(renderJsonSchema(), null, 2)}\n`);
  });

  it("docs/configuration.md is up to date (npm run generate)", async () => {
    const committed = await readFile("docs/configuration.md", "utf8");
    expect(committed).toBe(renderConfigDoc(renderJsonSchema()));
  });
});

describe("renderJsonSchema", () => {
  const schema = renderJsonSchema();

  it("refuses unknown keys and makes defaulted keys optional", () => {
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required ?? []).toEqual([]);
    const stage = schema.$defs?.Stage;
    expect(stage?.additionalProperties).toBe(false);
    expect(stage?.required).toEqual(["id"]);
  });

  it("documents every key of a stage", () => {
    const stage = schema.$defs?.Stage;
    for (const [key, property] of Object.entries(stage?.properties ?? {})) {
      const text =
        property.description ??
        schema.$defs?.[String(property.$ref).replace("#/$defs/", "")]
          ?.description;
      expect(text, `Stage.${key}`).toBeTruthy();
    }
  });
});

describe("renderConfigDoc", () => {
  const doc = renderConfigDoc(renderJsonSchema());

  it("has a section for every mapping a user can write", () => {
    const headings = doc.split("\n").filter((line) => line.startsWith("## "));
    expect(headings).toEqual([
      "## Top level",
      "## `agent`",
      "## `skills`",
      "## `workflow`",
      "## `pull_request`",
      "## `budgets`",
      "## `prices.<name>`",
      "## `skills.catalog[]`",
      "## `workflow.parameters.<name>`",
      "## `workflow.stages[]`",
      "## `budgets.run`",
      "## `budgets.stage`",
      "## `budgets.stages.<name>`",
      "## `budgets.repository`",
      "## `workflow.stages[].agent`",
      "## `workflow.stages[].inputs.<name>`",
      "## `workflow.stages[].outputs.<name>`",
      "## `workflow.stages[].error_policy`",
      "## `workflow.stages[].gate`",
      "## `budgets.repository.daily`",
      "## `budgets.repository.monthly`",
      "## `workflow.stages[].error_policy.retry`",
    ]);
  });

  it("renders a row per key with type, default and description", () => {
    expect(doc).toContain(
      '| `timeout` | string | `"30m"` | The stage\'s hard time limit, per attempt. |',
    );
    expect(doc).toContain(
      "| `artifact_retention_days` | integer (7–90) | `30` | Days the result bundles are kept (7 to 90). |",
    );
    expect(doc).toContain(
      "| `id` (required) | string |  | Unique id, used in `depends_on` and expressions. |",
    );
  });
});
