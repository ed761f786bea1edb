import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import type { Json } from "./webhooks.js";

// GitHub's REST description (@octokit/openapi) for what the simulator
// answers: its examples, to build responses from, and its response schemas,
// to check them against. OpenAPI 3.0's `nullable` and the discriminator
// GitHub uses are rewritten into plain JSON Schema for Ajv.

interface Definition {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Json; examples: Record<string, { value: Json }> };
}

let definition: Definition | undefined;
let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function load(): Definition {
  definition ??= JSON.parse(
    readFileSync(
      "node_modules/@octokit/openapi/generated/api.github.com.json",
      "utf8",
    ),
  ) as Definition;
  return definition;
}

/** A copy of one of GitHub's response examples (`components/examples`). */
export function restExample(name: string): Json {
  const example = load().components.examples[name];
  if (example === undefined) throw new Error(`no REST example ${name}`);
  return structuredClone(example.value);
}

/**
 * Problems with a response body against the operation's schema for that
 * status (`path` as GitHub's description spells it, e.g.
 * `/repos/{owner}/{repo}`), or none.
 */
export function validateRestResponse(
  method: string,
  path: string,
  status: number,
  body: unknown,
): string[] {
  const key = `${method.toLowerCase()} ${path} ${status}`;
  let validate = validators.get(key);
  if (validate === undefined) {
    const api = load();
    const schema =
      api.paths[path]?.[method.toLowerCase()]?.responses?.[String(status)]
        ?.content?.["application/json"]?.schema;
    if (schema === undefined) return [`${key}: no response schema`];
    if (ajv === undefined) {
      ajv = new Ajv({ strict: false, allErrors: true });
      addFormats.default(ajv as never);
      ajv.addSchema({
        $id: "rest",
        components: { schemas: toJsonSchema(api.components.schemas) },
      });
    }
    validate = ajv.compile(toJsonSchema(schema) as object);
    validators.set(key, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${key}: ${e.instancePath || "/"} ${e.message}`);
}

/**
 * Problems with a body against one of GitHub's component schemas (for an
 * error, `basic-error`: operations name it through a shared response,
 * which {@link validateRestResponse} does not follow), or none.
 */
export function validateRestSchema(name: string, body: unknown): string[] {
  const schema = load().components.schemas[name];
  if (schema === undefined) return [`no component schema ${name}`];
  const validate = new Ajv({ strict: false, allErrors: true }).compile(
    toJsonSchema(schema) as object,
  );
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) => `${name}: ${e.instancePath || "/"} ${e.message}`,
  );
}

function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== "object") return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "example" || key === "examples") continue;
    out[key] =
      key === "$ref" && typeof value === "string"
        ? value.replace(/^#/, "rest#")
        : toJsonSchema(value);
  }
  if (out.discriminator !== undefined) {
    // Ajv cannot use a discriminator with a mapping; anyOf accepts the same
    // documents (oneOf would refuse a private user, who is a public one too).
    delete out.discriminator;
    if (out.oneOf !== undefined) {
      out.anyOf = out.oneOf;
      delete out.oneOf;
    }
  }
  const nullable = out.nullable === true;
  delete out.nullable;
  if (!nullable) return out;
  if (typeof out.type === "string" && out.enum === undefined) {
    out.type = [out.type, "null"];
    return out;
  }
  return { anyOf: [out, { type: "null" }] };
}
