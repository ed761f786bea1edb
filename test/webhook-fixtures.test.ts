import { readdirSync, readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";

// Every webhook fixture must be a payload GitHub could send: checked against
// the official webhook schemas (@octokit/openapi-webhooks).
const spec = JSON.parse(
  readFileSync(
    "node_modules/@octokit/openapi-webhooks/generated/api.github.com.json",
    "utf8",
  ),
) as { components: Record<string, unknown> };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema({ $id: "wh", components: spec.components });

const files = readdirSync("test/fixtures/webhooks").filter((f) =>
  f.endsWith(".json"),
);

describe("webhook fixtures", () => {
  it("exist", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)("%s matches GitHub's schema", (file) => {
    const [event = "", action = ""] = file.replace(/\.json$/, "").split(".");
    const name = `webhook-${event.replace(/_/g, "-")}-${action.replace(/_/g, "-")}`;
    const validate = ajv.getSchema(`wh#/components/schemas/${name}`);
    expect(validate, `no schema ${name}`).toBeDefined();
    const payload: unknown = JSON.parse(
      readFileSync(`test/fixtures/webhooks/${file}`, "utf8"),
    );
    const valid = validate?.(payload);
    expect(validate?.errors ?? [], `${file}`).toEqual([]);
    expect(valid).toBe(true);
  });
});
