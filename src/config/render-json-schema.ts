import { z } from "zod";
import { Config } from "./schema.js";

export const SCHEMA_ID =
  "https://raw.githubusercontent.com/specwright/specwright/main/schema/specwright.schema.json";

export type JsonSchema = {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  type?: string | string[];
  description?: string;
  title?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  [key: string]: unknown;
};

/**
 * The JSON Schema of `.github/specwright.yml`, generated from the zod schema
 * (what editors accept as input, so defaulted keys are optional).
 */
export function renderJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(Config, {
    io: "input",
    target: "draft-2020-12",
    unrepresentable: "any",
  }) as JsonSchema;
  return { $id: SCHEMA_ID, ...schema };
}
