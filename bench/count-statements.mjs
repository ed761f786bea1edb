// Loaded into the App only when `SPECWRIGHT_APP_SQL_COUNT=<file>` is set
// (bench:e2e with DATABASE_URL): counts the statements the App sends to
// PostgreSQL (through `pg`), and their bytes, by
// kind (the statement's text with its values left out), and writes them to
// <file> as JSON when the App exits (SIGTERM becomes an exit).
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const file = process.env.SPECWRIGHT_APP_SQL_COUNT;
const counts = new Map();

/** A statement's kind: its text, its values' places folded. */
function kindOf(text) {
  return String(text)
    .replace(/\s+/g, " ")
    .replace(/\(\$\d+(, ?\$\d+)*\)(, ?\(\$\d+(, ?\$\d+)*\))*/g, "(…)")
    .replace(/\$\d+/g, "$")
    .slice(0, 160);
}

/** A statement's size in bytes: its text and its values. */
function sizeOf(text, values) {
  let bytes = Buffer.byteLength(String(text));
  for (const value of values ?? [])
    if (value !== null && value !== undefined)
      bytes += Buffer.byteLength(
        typeof value === "string" ? value : JSON.stringify(value),
      );
  return bytes;
}

function count(text, values) {
  const kind = kindOf(text);
  const seen = counts.get(kind) ?? { n: 0, bytes: 0 };
  seen.n += 1;
  seen.bytes += sizeOf(text, values);
  counts.set(kind, seen);
}

const require = createRequire(`${process.cwd()}/package.json`);
const { Client } = require("pg");
const query = Client.prototype.query;
Client.prototype.query = function (config, ...rest) {
  if (typeof config === "string") count(config, rest[0]);
  else count(config?.text, config?.values ?? rest[0]);
  return query.call(this, config, ...rest);
};

process.on("SIGTERM", () => process.exit(0));
process.on("exit", () => {
  const rows = [...counts]
    .map(([kind, { n, bytes }]) => [kind, n, bytes])
    .sort((a, b) => b[1] - a[1]);
  writeFileSync(file, JSON.stringify(rows, null, 1));
});
