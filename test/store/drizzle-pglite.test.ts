import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { DrizzlePGlite } from "../../src/store/drizzle-pglite.js";

const VALUES = sql`select
  '2026-12-05 10:00:00+00'::timestamptz as at,
  '2026-12-05 10:00:00'::timestamp as local,
  '2026-12-05'::date as day,
  interval '1 day 2 hours' as span,
  array[1.5, 2]::numeric[] as amounts,
  array['2026-12-05 10:00:00+00'::timestamptz] as times,
  42 as answer,
  '{"a": 1}'::jsonb as doc`;

describe("DrizzlePGlite", () => {
  const fast = new DrizzlePGlite("memory://");
  const plain = new PGlite("memory://");
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await fast.close();
    await plain.close();
  });

  it("reads every type through drizzle as drizzle's own parsers on plain PGlite do", async () => {
    const [ours] = (await drizzle(fast).execute(VALUES)).rows;
    const [theirs] = (await drizzle(plain).execute(VALUES)).rows;

    expect(ours).toEqual(theirs);
    // And still after a table is made (PGlite learns new types then).
    await fast.exec("create table later (id int, at timestamptz[])");
    expect((await drizzle(fast).execute(VALUES)).rows).toEqual([theirs]);
    expect(ours).toMatchObject({
      at: expect.any(String),
      day: "2026-12-05",
      answer: 42,
      doc: { a: 1 },
    });
  });

  it("sends PGlite drizzle's queries without their per-query parsers", async () => {
    const query = vi.spyOn(PGlite.prototype, "query");

    await drizzle(fast).execute(sql`select 1 as one`);

    expect(query).toHaveBeenCalledTimes(1);
    const options = query.mock.calls[0]?.[2];
    expect(options).toEqual({ rowMode: expect.any(String) });
  });

  it("keeps parsers other than drizzle's", async () => {
    const result = await fast.query<{ answer: string }>(
      "select 42 as answer",
      [],
      { parsers: { 23: (value: string) => `int ${value}` } },
    );

    expect(result.rows[0]?.answer).toBe("int 42");
  });
});
