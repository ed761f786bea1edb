import {
  PGlite,
  type PGliteOptions,
  type QueryOptions,
  type Results,
  types,
} from "@electric-sql/pglite";

const asText = (value: string): string => value;

/**
 * The types drizzle's PGlite session reads as text, as it asks with every
 * query: dates, times and intervals, and arrays of them and of numerics.
 */
const DRIZZLE_PARSERS: Readonly<Record<number, (value: string) => string>> = {
  [types.TIMESTAMP]: asText,
  [types.TIMESTAMPTZ]: asText,
  [types.INTERVAL]: asText,
  [types.DATE]: asText,
  1231: asText, // numeric[]
  1115: asText, // timestamp[]
  1185: asText, // timestamptz[]
  1187: asText, // interval[]
  1182: asText, // date[]
};

const DRIZZLE_TYPES = new Set(Object.keys(DRIZZLE_PARSERS));

/**
 * PGlite with drizzle's type parsers set once, on the instance. Drizzle's
 * session sends its parsers with every query, and PGlite then merges them
 * into a copy of its whole table (over 300 parsers) for that query:
 * measured, that more than doubles the CPU of a short query (about 130 µs
 * without, 290 with). Here a query's parsers are dropped when they are for
 * exactly drizzle's types, which the instance already reads the same way;
 * any others are kept.
 */
export class DrizzlePGlite extends PGlite {
  constructor(dataDir: string, options: PGliteOptions = {}) {
    super(dataDir, {
      ...options,
      parsers: { ...DRIZZLE_PARSERS, ...options.parsers },
    });
    // PGlite sets its array types' parsers once it started, over those
    // given; drizzle reads those arrays as text, so they are set again.
    // This runs before any query, which waits for the start first.
    void this.waitReady.then(() => {
      Object.assign(this.parsers, DRIZZLE_PARSERS, options.parsers);
    });
  }

  override query<T>(
    query: string,
    params?: unknown[],
    options?: QueryOptions,
  ): Promise<Results<T>> {
    return super.query<T>(query, params, withoutDrizzleParsers(options));
  }
}

function withoutDrizzleParsers(
  options: QueryOptions | undefined,
): QueryOptions | undefined {
  const parsers = options?.parsers;
  if (parsers === undefined) return options;
  const keys = Object.keys(parsers);
  if (
    keys.length !== DRIZZLE_TYPES.size ||
    !keys.every((key) => DRIZZLE_TYPES.has(key))
  )
    return options;
  const { parsers: _, ...rest } = options as QueryOptions;
  return rest;
}
