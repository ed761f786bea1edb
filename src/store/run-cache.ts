import type { Attempt, RunState } from "../engine/run-state.js";
import { deepFreeze, parseChanging } from "./frozen-json.js";
import { attemptFromRow, attemptToRow, runFromRow } from "./run-rows.js";
import type { runs } from "./schema.js";

type RunRow = typeof runs.$inferSelect;

/** A run's stage attempt row ids, by `stage/attempt`. */
export type AttemptIds = ReadonlyMap<string, string>;

/** A run as stored at one version, with its attempts' row ids. */
export interface StoredRun {
  state: RunState;
  attemptIds: AttemptIds;
  /** Its row as this process wrote it (unknown for a run read). */
  written?: WrittenRow;
}

/**
 * A run's row as a save writes it, kept with the run so that the next
 * save compares with it instead of making it again: the columns but the
 * document, and the document's JSON text (see `documentJson`).
 */
export interface WrittenRow {
  columns: Omit<RunRow, "id" | "state">;
  documentText: string;
  /** Where the text of the parts no transition changes begins. */
  sharedStart: number;
}

/** The key of an attempt's row in `AttemptIds`. */
export function attemptKey(stage: string, attempt: number): string {
  return `${stage}/${attempt}`;
}

/**
 * The runs this process last read or committed, so that reading one again
 * costs a look at its version instead of its rows and their JSON. Every
 * write of a run goes through a transition, which bumps `version` and
 * writes only at the version it read; a reader uses an entry only while
 * the row is still at its version, so another replica's writes are seen.
 * A transition takes the entry without a look at all (optimistically: the
 * process makes one transition of a run at a time, `RunTurns`) and finds
 * out at its save, or, when it changed nothing, by one look then. Entries
 * are set only after a commit (a rolled-back write never shows), hold
 * their own copy, and the oldest go first beyond `limit`.
 */
export class RunCache {
  private readonly entries = new Map<string, StoredRun>();

  constructor(private readonly limit = 1000) {}

  /** The entry for `runId`, at whatever version (for a transition). */
  latest(runId: string): StoredRun | undefined {
    return this.entries.get(runId);
  }

  /** The entry for `runId` if it is at `version`. */
  at(runId: string, version: number): StoredRun | undefined {
    const entry = this.entries.get(runId);
    return entry?.state.version === version ? entry : undefined;
  }

  /** Whether there is an entry for the run (at whatever version). */
  has(runId: string): boolean {
    return this.entries.has(runId);
  }

  /** Keeps `run` (which nobody else may change from now on). */
  set(run: StoredRun): void {
    const id = run.state.id;
    this.entries.delete(id);
    this.entries.set(id, run);
    if (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(runId: string): void {
    this.entries.delete(runId);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * The stored form of states the store handed out: a state read at a
 * version remembers its attempts' row ids, so saving what follows from it
 * needs no query to find them. A state from anywhere else is unknown here.
 */
const handedOut = new WeakMap<RunState, StoredRun>();

/**
 * A copy of a stored run for a caller to keep (and change if it likes),
 * but for the parts no transition changes: those are shared once frozen
 * (see `frozenJson`), as a change to them would fail.
 */
export function handOut(run: StoredRun): RunState {
  // Stored states are JSON through and through (see `asStored`), and
  // copying through JSON is several times faster than structuredClone.
  const { workflow, settings, parameters, ...changing } = run.state;
  const copy: RunState = {
    ...throughJson(changing),
    workflow: sharedOrCopy(workflow),
    settings: sharedOrCopy(settings),
    parameters: sharedOrCopy(parameters),
  };
  handedOut.set(copy, run);
  return copy;
}

function sharedOrCopy<T>(value: T): T {
  return Object.isFrozen(value) ? value : throughJson(value);
}

/**
 * The stored state itself, for a reader that does not change it: a
 * transition, which copies what it changes, or the effect runner, which
 * renders from it. Under test it is frozen, so a reader that would change
 * it fails there instead of changing what every later reader sees.
 */
export function lend(run: StoredRun): RunState {
  if (FREEZE_LENT) deepFreeze(run.state);
  handedOut.set(run.state, run);
  return run.state;
}

/** Lent states are frozen under test (vitest sets NODE_ENV=test). */
const FREEZE_LENT = process.env.NODE_ENV === "test";

/** `state` for a caller to keep: a copy if it was lent, else itself. */
export function ownCopy(state: RunState): RunState {
  const run = handedOut.get(state);
  return run?.state === state ? handOut(run) : state;
}

/** The stored run `state` was handed out from, if it was and is unchanged. */
export function storedFrom(state: RunState): StoredRun | undefined {
  const run = handedOut.get(state);
  return run !== undefined && run.state.version === state.version
    ? run
    : undefined;
}

/** A JSON column's value as the database gives it back. */
function throughJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * A state as a read of what was just written would give it (timestamps in
 * ISO 8601 UTC, attempts in order, JSON as JSON keeps it): what the cache
 * keeps of a committed transition, with the row it was written with. It
 * shares with `state` only the parts no transition changes, frozen when
 * the row's text was made (see `frozenJson`): the rest is parsed again
 * from that text. Attempts the save left as stored (`kept`) are taken as
 * they are, from the version before.
 */
export function asStored(
  state: RunState,
  attemptIds: AttemptIds,
  written: WrittenRow,
  kept: ReadonlyMap<string, Attempt>,
): StoredRun {
  const attempts = state.stages.flatMap((stage) =>
    stage.attempts.map((attempt) => {
      const key = attemptKey(stage.id, attempt.attempt);
      const same = kept.get(key);
      if (same !== undefined) return { stage: stage.id, attempt: same };
      const id = attemptIds.get(key) ?? "";
      const { metadata, ...columns } = attemptToRow(
        state,
        stage.id,
        attempt,
        id,
      );
      return {
        stage: stage.id,
        attempt: attemptFromRow({
          ...columns,
          metadata: throughJson(metadata),
        }),
      };
    }),
  );
  const row: RunRow = {
    id: state.id,
    ...written.columns,
    state: {
      ...parseChanging(written.documentText, written.sharedStart),
      workflow: state.workflow,
      settings: state.settings,
      parameters: state.parameters,
    },
  };
  return { state: runFromRow(row, attempts), attemptIds, written };
}
