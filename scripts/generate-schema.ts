// Writes schema/specwright.schema.json and docs/configuration.md from the zod
// schema. With --check, fails if either is stale instead of writing.
import { readFile, writeFile } from "node:fs/promises";
import { renderConfigDoc } from "../src/config/render-config-doc.js";
import { renderJsonSchema } from "../src/config/render-json-schema.js";

const schema = renderJsonSchema();
const files: Record<string, string> = {
  "schema/specwright.schema.json": `${JSON.stringify(schema, null, 2)}\n`,
  "docs/configuration.md": renderConfigDoc(schema),
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
process.exitCode = stale > 0 ? 1 : 0;
