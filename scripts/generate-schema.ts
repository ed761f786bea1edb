// Writes schema/specwright.schema.json, docs/configuration.md and the
// dashboard API's docs/api/openapi.json from the zod schemas, and a
// database migration for store schema changes. With --check, fails if any
// of them is stale instead of writing.
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { renderConfigDoc } from "../src/config/render-config-doc.js";
import { renderJsonSchema } from "../src/config/render-json-schema.js";
import { renderOpenApi } from "../src/web/api/render-openapi.js";

const schema = renderJsonSchema();
const files: Record<string, string> = {
  "schema/specwright.schema.json": `${JSON.stringify(schema, null, 2)}\n`,
  "docs/configuration.md": renderConfigDoc(schema),
  "docs/api/openapi.json": `${JSON.stringify(renderOpenApi(), null, 2)}\n`,
};

const check = process.argv.includes("--check");
let stale = 0;
for (const [path, content] of Object.entries(files)) {
  const current = await readFile(path, "utf8").catch(() => undefined);
  if (current === content) continue;
  if (check) {
    process.stderr.write(
      `${path} is stale: run \`npm run generate\` and commit it.\n`,
    );
    stale++;
  } else {
    await writeFile(path, content);
    process.stdout.write(`wrote ${path}\n`);
  }
}
// drizzle-kit compares src/store/schema.ts with the latest migration's snapshot.
if (check) {
  const output = execFileSync(
    "npx",
    [
      "drizzle-kit",
      "generate",
      "--config",
      "drizzle.config.ts",
      "--name",
      "pending",
    ],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  if (!output.includes("No schema changes")) {
    process.stderr.write(
      "src/store/schema.ts changed without a migration: a new one is in migrations/; review and commit it.\n",
    );
    stale++;
  }
} else {
  execFileSync(
    "npx",
    ["drizzle-kit", "generate", "--config", "drizzle.config.ts"],
    { stdio: "inherit" },
  );
}
process.exitCode = stale > 0 ? 1 : 0;
