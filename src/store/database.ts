import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

/** A drizzle database on PGlite or node-postgres, without a relational schema. */
export type Database = PgDatabase<PgQueryResultHKT, Record<string, never>>;

/** A transaction on a `Database`. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
