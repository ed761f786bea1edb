import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { Database } from "./database.js";

/** A guard of a `OneStatement` did not hold: nothing was written. */
export class Refused extends Error {
  override name = "Refused";

  constructor(readonly refusal: string) {
    super(refusal);
  }
}

/** The SQLSTATE `specwright_require` raises (migrations/0008_one_statement.sql). */
const REFUSED_STATE = "SW001";

/** Where the written events are announced (`pg_notify`), and for which run. */
export interface EventNotice {
  channel: string;
  runId: string;
}

/**
 * Writes that happen all together or not at all, sent as one statement:
 * each a data-modifying query in a `WITH`, which PostgreSQL runs to
 * completion together and commits at once. One round trip, no `BEGIN` or
 * `COMMIT`, where a transaction of the same writes costs one for each
 * and two more.
 *
 * A guard is a query that must return a row (the run still at the version
 * read, a delivery not seen before). Guards are checked in the order
 * given; the first that returns none makes `specwright_require` raise,
 * which undoes every write of the statement, and `run` throws `Refused`
 * with its refusal.
 */
export class OneStatement {
  private readonly parts: SQL[] = [];
  private readonly guards: { part: number; refusal: string }[] = [];
  private events: { part: number; notice: EventNotice } | undefined;

  /** Whether there is nothing to send. */
  get empty(): boolean {
    return this.parts.length === 0;
  }

  /** A write. */
  write(query: SQLWrapper): this {
    this.parts.push(query.getSQL());
    return this;
  }

  /** A query that must return a row, else nothing is written. */
  require(query: SQLWrapper, refusal: string): this {
    this.guards.push({ part: this.parts.length, refusal });
    return this.write(query);
  }

  /**
   * A write of run events that returns their `id`s: `run` gives back the
   * last, and the commit notifies `notice.channel` of it. The events are
   * written only once every guard held (so after a guard's update of the
   * run's row took its lock).
   */
  writeEvents(query: SQLWrapper, notice: EventNotice): this {
    this.events = { part: this.parts.length, notice };
    return this.write(query);
  }

  /**
   * Sends it all, if there is anything. Returns the last event's id, if
   * events were written. Throws `Refused` when a guard did not hold.
   */
  async run(db: Database): Promise<{ lastEventId: number | null }> {
    if (this.empty) return { lastEventId: null };
    try {
      const result = (await db.execute(this.statement())) as {
        rows: { last_event_id: string | number | null }[];
      };
      const last = result.rows[0]?.last_event_id ?? null;
      return { lastEventId: last === null ? null : Number(last) };
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal !== undefined) throw new Refused(refusal);
      throw error;
    }
  }

  private statement(): SQL {
    const ctes = sql.join(
      this.parts.map((part, i) => sql`${sql.raw(name(i))} as (${part})`),
      sql`, `,
    );
    const exists = this.guards.map(
      ({ part }) => sql`exists (select 1 from ${sql.raw(name(part))})`,
    );
    const held = sql.join(exists, sql`, `);
    const refusals = sql.join(
      this.guards.map(({ refusal }) => sql`${refusal}`),
      sql`, `,
    );
    const guards =
      this.guards.length === 0
        ? sql`true`
        : sql`specwright_require(array[${held}], array[${refusals}]::text[])`;
    const events = this.events;
    if (events === undefined)
      return sql`with ${ctes} select ${guards} as held, null as last_event_id`;
    const written = sql.raw(name(events.part));
    const { channel, runId } = events.notice;
    // The notice is sent at the commit, so never for a statement undone.
    // Read (so written) only once the guards held: a one-time filter.
    const after =
      exists.length === 0 ? sql`true` : sql.join(exists, sql` and `);
    return sql`with ${ctes}, last as (select max(id) as id from ${written} where ${after})
      select ${guards} as held, (select id from last) as last_event_id,
        (select count(pg_notify(${channel}, json_build_object('run_id', ${runId}::text, 'id', id)::text))
          from last where id is not null) as notified`;
  }
}

function name(part: number): string {
  return `w${part}`;
}

/** The refusal of a guard that did not hold, if that is what `error` is. */
function refusalOf(error: unknown): string | undefined {
  for (let e = error; e instanceof Error; e = e.cause) {
    const { code } = e as Error & { code?: unknown };
    if (code === REFUSED_STATE) return e.message;
  }
  return undefined;
}
