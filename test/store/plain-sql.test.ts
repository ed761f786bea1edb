import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  insertSql,
  joinSql,
  plainSql,
  rawSql,
  runSql,
  toQuery,
  updateSql,
} from "../../src/store/plain-sql.js";
import * as schema from "../../src/store/schema.js";
import { BACKENDS, openTestStore } from "../support/test-store.js";
import { closeTestStore } from "./close-test-store.js";
import { AGENT, newRun, runId, T0 } from "./run-fixtures.js";

describe("plain SQL", () => {
  it("numbers the values of nested and joined pieces in the order they are sent", () => {
    const inner = plainSql`b = ${2} and c = ${"three"}`;
    const list = joinSql([plainSql`${4}`, plainSql`${5}`], ", ");
    const query = plainSql`select ${1} where ${inner} and d in (${list}) ${rawSql("limit 1")}`;

    expect(toQuery(query)).toEqual({
      sql: "select $1 where b = $2 and c = $3 and d in ($4, $5) limit 1",
      params: [1, 2, "three", 4, 5],
    });
  });

  it("keeps every value out of the text, whatever it holds", () => {
    const hostile = `x'); drop table runs; --`;
    const { sql, params } = toQuery(
      updateSql(schema.runs, { owner: hostile, state: { note: hostile } }),
    );

    expect(sql).toBe('update "runs" set "owner" = $1, "state" = $2');
    expect(sql).not.toContain("drop");
    expect(params).toEqual([hostile, JSON.stringify({ note: hostile })]);
  });

  it("names the column a key is not", () => {
    expect(() => updateSql(schema.runs, { nope: 1 })).toThrow(
      `"runs" has no column for 'nope'`,
    );
    expect(() => updateSql(schema.runs, { owner: undefined })).toThrow(
      'an update of "runs" must set something',
    );
  });

  it("writes a column a row leaves out as its default, and one set to null as null", () => {
    const { sql, params } = toQuery(
      insertSql(schema.effects, [
        { runId: "r", kind: "a", tries: 2, lastError: null },
        { runId: "r", kind: "b" },
      ]),
    );

    expect(sql).toBe(
      'insert into "effects" ("run_id", "kind", "tries", "last_error") values ($1, $2, $3, $4), ($5, $6, default, default)',
    );
    expect(params).toEqual(["r", "a", 2, null, "r", "b"]);
  });
});

describe.each(BACKENDS)("plain SQL against the store (%s)", (backend) => {
  let test: Awaited<ReturnType<typeof openTestStore>>;

  beforeAll(async () => {
    test = await openTestStore(backend, () => new Date(T0));
  });
  afterAll(async () => {
    await closeTestStore(test);
  });
  beforeEach(async () => {
    await test.reset();
    await test.store.createRun(
      newRun(),
      { type: "start", at: T0 },
      { agent: AGENT },
    );
  });

  it("stores what drizzle's builder stores for the same values: JSON, times, numbers, flags, nulls, defaults", async () => {
    const { db } = test.store;
    const values = {
      runId: runId(1),
      kind: "update_check_run",
      payload: { kind: "update_check_run", nested: { a: [1, "two"] } },
      status: "pending",
      runVersion: 7,
      availableAt: "2026-12-05T10:00:00.000Z",
      createdAt: "2026-12-05T10:00:00.000Z",
      leasedBy: null,
      superseded: true,
    };
    const [ours] = await runSql<{ id: string }>(
      db,
      plainSql`${insertSql(schema.effects, [values])} returning "id"`,
    );
    const [theirs] = await db
      .insert(schema.effects)
      .values(values)
      .returning({ id: schema.effects.id });
    const read = (id: number) =>
      db
        .select()
        .from(schema.effects)
        .where(eq(schema.effects.id, id))
        .then(([row]) => row);

    const mine = await read(Number(ours?.id));
    const drizzles = await read(Number(theirs?.id));
    expect(mine).toEqual({ ...drizzles, id: Number(ours?.id) });
    expect(mine?.payload).toEqual(values.payload);
    expect(mine?.tries).toBe(0);
  });

  it("updates only the columns given, where asked", async () => {
    const { db } = test.store;
    const rows = await runSql<{ id: string }>(
      db,
      plainSql`${updateSql(schema.runs, { status: "waiting", headSha: null })} where "runs"."id" = ${runId(1)} returning "id"`,
    );

    expect(rows).toEqual([{ id: runId(1) }]);
    const [run] = await db
      .select({ status: schema.runs.status, owner: schema.runs.owner })
      .from(schema.runs);
    expect(run).toEqual({ status: "waiting", owner: newRun().owner });
  });
});
