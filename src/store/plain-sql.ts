import { type Column, getTableColumns, getTableName } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Database } from "./database.js";

/**
 * SQL text with its values kept apart, for the statements the App sends at
 * every stage (a transition's, an effect's completion). Drizzle's query
 * builders make an object per clause and walk it all again to write the
 * text, checking each piece's class: measured under `npm run bench:e2e`,
 * the most CPU of any one package (docs/performance.md, "sixth round").
 * Here the text is written once, as it is built; values are sent as
 * parameters, as drizzle sends them, so nothing from outside is ever text.
 */
export class PlainSql {
  /** `strings` has one more entry than `values`: text, value, text, … */
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}
}

/**
 * A statement from a template: `${value}` is a parameter, `${PlainSql}`
 * is inlined (with its own parameters).
 */
export function plainSql(
  strings: TemplateStringsArray,
  ...values: unknown[]
): PlainSql {
  const text = [strings[0] ?? ""];
  const params: unknown[] = [];
  values.forEach((value, i) => {
    const after = strings[i + 1] ?? "";
    if (value instanceof PlainSql) {
      append(text, params, value);
      text[text.length - 1] += after;
    } else {
      params.push(value);
      text.push(after);
    }
  });
  return new PlainSql(text, params);
}

/** Trusted text (names the App wrote, never a value from outside). */
export function rawSql(text: string): PlainSql {
  return new PlainSql([text], []);
}

/** The pieces one after the other, `separator` between them. */
export function joinSql(
  pieces: readonly PlainSql[],
  separator: string,
): PlainSql {
  const text = [""];
  const params: unknown[] = [];
  pieces.forEach((piece, i) => {
    if (i > 0) text[text.length - 1] += separator;
    append(text, params, piece);
  });
  return new PlainSql(text, params);
}

function append(text: string[], params: unknown[], piece: PlainSql): void {
  text[text.length - 1] += piece.strings[0] ?? "";
  piece.values.forEach((value, i) => {
    params.push(value);
    text.push(piece.strings[i + 1] ?? "");
  });
}

/** The text to send, with `$1`, `$2`, … for the values. */
export function toQuery(query: PlainSql): { sql: string; params: unknown[] } {
  const { strings, values } = query;
  let sql = strings[0] ?? "";
  for (let i = 0; i < values.length; i++)
    sql += `$${i + 1}${strings[i + 1] ?? ""}`;
  return { sql, params: [...values] };
}

/**
 * Sends a statement through drizzle's session, as `db.execute` does: its
 * logger sees it, its type parsers read the rows (timestamps as text), and
 * a failure comes wrapped the same way. Returns the rows.
 */
export async function runSql<Row = Record<string, unknown>>(
  db: Database,
  query: PlainSql,
): Promise<Row[]> {
  const result = (await db._.session
    .prepareQuery(toQuery(query), undefined, undefined, false)
    .execute()) as { rows: Row[] };
  return result.rows;
}

/** A table's name and columns, by the schema's keys. */
interface TableInfo {
  name: string;
  columns: ReadonlyMap<string, Column>;
}

const tables = new WeakMap<PgTable, TableInfo>();

function infoOf(table: PgTable): TableInfo {
  let info = tables.get(table);
  if (info === undefined) {
    info = {
      name: quote(getTableName(table)),
      columns: new Map(Object.entries(getTableColumns(table))),
    };
    tables.set(table, info);
  }
  return info;
}

function columnOf(info: TableInfo, key: string): Column {
  const column = info.columns.get(key);
  if (column === undefined)
    throw new Error(`${info.name} has no column for '${key}'`);
  return column;
}

/** A JSON column's value already written as JSON text (sent as it is). */
export class JsonText {
  constructor(readonly text: string) {}
}

/** A value as drizzle sends it for the column (JSON as its text). */
function encode(column: Column, value: unknown): unknown {
  if (value === null) return null;
  if (value instanceof JsonText) return value.text;
  return column.mapToDriverValue(value);
}

/** A quoted identifier. */
export function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"table"."column"`, for a where clause. */
export function columnSql(table: PgTable, key: string): PlainSql {
  const info = infoOf(table);
  return rawSql(`${info.name}.${quote(columnOf(info, key).name)}`);
}

/**
 * `insert into "table" (…) values (…), (…)`: the columns any row names;
 * a row without one (undefined) takes the column's default.
 */
export function insertSql(
  table: PgTable,
  rows: readonly Readonly<Record<string, unknown>>[],
): PlainSql {
  const info = infoOf(table);
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const columns = keys.map((key) => columnOf(info, key));
  const names = columns.map((column) => quote(column.name)).join(", ");
  const tuples = rows.map((row) =>
    joinSql(
      keys.map((key, i) => {
        const value = row[key];
        const column = columns[i] as Column;
        return value === undefined
          ? rawSql("default")
          : plainSql`${encode(column, value)}`;
      }),
      ", ",
    ),
  );
  return plainSql`insert into ${rawSql(info.name)} (${rawSql(names)}) values (${joinSql(tuples, "), (")})`;
}

/** `update "table" set "a" = …, "b" = …`: the keys `set` names (not undefined). */
export function updateSql(
  table: PgTable,
  set: Readonly<Record<string, unknown>>,
): PlainSql {
  const info = infoOf(table);
  const assignments = Object.entries(set)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => {
      const column = columnOf(info, key);
      return plainSql`${rawSql(quote(column.name))} = ${encode(column, value)}`;
    });
  if (assignments.length === 0)
    throw new Error(`an update of ${info.name} must set something`);
  return plainSql`update ${rawSql(info.name)} set ${joinSql(assignments, ", ")}`;
}
