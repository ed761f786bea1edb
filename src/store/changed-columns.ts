/** A column's value as it is written: JSON columns compare by their text. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object") return false;
  if (a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The columns of `row` whose value differs from `before`'s, and those of
 * `always`: an update that writes only them (a run's JSON document, the
 * largest column, is mostly left as it is).
 */
export function changedColumns<Row extends object>(
  row: Row,
  before: Row,
  always: (keyof Row)[],
): Partial<Row> {
  const out: Partial<Row> = {};
  for (const key of Object.keys(row) as (keyof Row)[]) {
    if (always.includes(key) || !sameValue(row[key], before[key]))
      out[key] = row[key];
  }
  return out;
}
