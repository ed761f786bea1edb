// Bundles the stage action (action/src) into action/dist/index.js with
// esbuild: one ES module for Node 24, unminified, with a source map. With
// --check, builds in memory and fails if the committed bundle differs (it
// must be rebuilt and committed with the sources).
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { build } from "esbuild";

const check = process.argv.includes("--check");

const result = await build({
  entryPoints: ["action/src/index.ts"],
  outfile: "action/dist/index.js",
  bundle: true,
  platform: "node",
  target: "node24",
  format: "esm",
  sourcemap: "linked",
  sourcesContent: false,
  legalComments: "eof",
  logLevel: "warning",
  write: !check,
  // Some CommonJS dependencies call require() for Node's built-ins.
  banner: {
    js: 'import { createRequire as __specwrightCreateRequire } from "node:module";\nconst require = __specwrightCreateRequire(import.meta.url);',
  },
});

if (check) {
  let stale = 0;
  for (const file of result.outputFiles ?? []) {
    const path = relative(process.cwd(), file.path);
    const committed = await readFile(path, "utf8").catch(() => undefined);
    if (file.text !== committed) {
      process.stderr.write(
        `${path} is stale: run \`npm run build:action\` and commit it.\n`,
      );
      stale++;
    }
  }
  process.exitCode = stale > 0 ? 1 : 0;
} else {
  process.stdout.write("wrote action/dist/index.js\n");
}
