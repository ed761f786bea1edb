#!/usr/bin/env node
// The `specwright` command. The CLI itself lives in src/cli/ and is compiled
// to dist/ by `npm run build`, which `npm ci` runs through `prepare`.
let cli;
try {
  cli = await import("../dist/src/cli/main.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
  process.stderr.write(
    "specwright: the CLI is not built yet; run `npm run build` (npm ci does it).\n",
  );
  process.exit(3);
}
await cli.main(process.argv.slice(2));
