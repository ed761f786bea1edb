import type { Database } from "./database.js";
import {
  joinSql,
  type PlainSql,
  plainSql,
  rawSql,
  runSql,
} from "./plain-sql.js";

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
  private readonly parts: PlainSql[] = [];
  private readonly guards: { part: number; refusal: string }[] = [];
  private events: { part: number; notice: EventNotice } | undefined;

  /** Whether there is nothing to send. */
  get empty(): boolean {
    return this.parts.length === 0;
  }

  /** A write. */
  write(query: PlainSql): this {
    this.parts.push(query);
    return this;
  }

  /** A query that must return a row, else nothing is written. */
  require(query: PlainSql, refusal: string): this {
    this.guards.push({ part: this.parts.length, refusal });
    return this.write(query);
  }

  /**
   * A write of run events that returns their `id`s: `run` gives back the
   * last, and the commit notifies `notice.channel` of it. The events are
   * written only once every guard held (so after a guard's update of the
   * run's row took its lock).
   */
  writeEvents(query: PlainSql, notice: EventNotice): this {
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
      const rows = await runSql<{ last_event_id: string | number | null }>(
        db,
        this.statement(),
      );
      const last = rows[0]?.last_event_id ?? null;
      return { lastEventId: last === null ? null : Number(last) };
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal !== undefined) throw new Refused(refusal);
      throw error;
    }
  }

  private statement(): PlainSql {
    const ctes = joinSql(
      this.parts.map((part, i) => plainSql`${rawSql(name(i))} as (${part})`),
      ", ",
    );
    const exists = this.guards.map(({ part }) =>
      rawSql(`exists (select 1 from ${name(part)})`),
    );
    const held = joinSql(exists, ", ");
    const refusals = joinSql(
      this.guards.map(({ refusal }) => plainSql`${refusal}`),
      ", ",
    );
    const guards =
      this.guards.length === 0
        ? rawSql("true")
        : plainSql`specwright_require(array[${held}], array[${refusals}]::text[])`;
    const events = this.events;
    if (events === undefined)
      return plainSql`with ${ctes} select ${guards} as held, null as last_event_id`;
    const written = rawSql(name(events.part));
    const { channel, runId } = events.notice;
    // The notice is sent at the commit, so never for a statement undone.
    // Read (so written) only once the guards held: a one-time filter.
    const after =
      exists.length === 0 ? rawSql("true") : joinSql(exists, " and ");
    return plainSql`with ${ctes}, last as (select max(id) as id from ${written} where ${after})
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
