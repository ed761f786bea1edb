import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Attempt, RunState } from "../engine/run-state.js";
import type { Transition } from "../engine/transition.js";
import { changedColumns } from "./changed-columns.js";
import type { Database } from "./database.js";
import { documentJson, type SharedKey } from "./frozen-json.js";
import type { OneStatement } from "./one-statement.js";
import { insertSql, JsonText, plainSql, updateSql } from "./plain-sql.js";
import {
  type AttemptIds,
  attemptKey,
  type StoredRun,
  type WrittenRow,
} from "./run-cache.js";
import { attemptToRow, runToRow } from "./run-rows.js";
import * as schema from "./schema.js";

/** Another writer changed the run first; the caller retries. */
export class VersionConflict extends Error {
  override name = "VersionConflict";
}

/** The refusal of a save whose run is no longer at the version it read. */
export const RUN_CHANGED = "the run changed under us";

/** What is stored of a run before a save: its attempts' rows and its artifacts. */
interface StoredRows {
  attemptIds: AttemptIds;
  /** The attempts as stored, by `stage/attempt`; unknown: write them all. */
  attempts?: ReadonlyMap<string, Attempt>;
  artifactPaths: ReadonlySet<string>;
}

/** What a save wrote of the run: its row, and its document as JSON text. */
export interface Saved {
  attemptIds: AttemptIds;
  row: WrittenRow;
  /** The attempts it left as they were stored, by `stage/attempt`. */
  kept: KeptAttempts;
}

/** Stored attempts a save left as they were, by `stage/attempt`. */
export type KeptAttempts = ReadonlyMap<string, Attempt>;

/**
 * Adds to `write` a transition's state, to be written only if the run is
 * still at `expectedVersion` (else the statement is refused with
 * `RUN_CHANGED`): the run row, its attempts, artifacts not yet recorded,
 * and the effects it asks for. Given the run as stored at that version
 * (`before`), only what changed is written and nothing is read first.
 */
export async function saveRun(
  db: Database,
  write: OneStatement,
  expectedVersion: number,
  next: Transition,
  now: string,
  before?: StoredRun,
): Promise<Saved> {
  const { state } = next;
  const previous =
    before?.state.version === expectedVersion ? before : undefined;
  const stored = previous ? storedRows(previous) : await readRows(db, state.id);
  const row = writtenRow(state, now);
  const update = updateSql(
    schema.runs,
    previous ? changedRunColumns(row, writtenRowOf(previous, now)) : setOf(row),
  );
  write.require(
    plainSql`${update} where ("runs"."id" = ${state.id} and "runs"."version" = ${expectedVersion}) returning "id"`,
    RUN_CHANGED,
  );
  return { ...writeRunRows(write, next, now, stored), row };
}

/** A run's row as a save writes it: its document's JSON text made once. */
function writtenRow(state: RunState, now: string): WrittenRow {
  const { id: _, state: document, ...columns } = runToRow(state, now);
  const { text, sharedStart } = documentJson(
    document as Record<SharedKey, unknown>,
  );
  return { columns, documentText: text, sharedStart };
}

/** The row to write: its document as the JSON text made for it. */
function setOf(row: WrittenRow) {
  return { ...row.columns, state: new JsonText(row.documentText) };
}

/** The row a stored run was written with, else made from its state. */
function writtenRowOf(run: StoredRun, now: string): WrittenRow {
  return run.written ?? writtenRow(run.state, now);
}

/** The columns that changed, and always the version and the time. */
function changedRunColumns(
  row: WrittenRow,
  before: WrittenRow,
): Record<string, unknown> {
  const changed: Record<string, unknown> = changedColumns(
    row.columns,
    before.columns,
    ["version", "updatedAt"],
  );
  if (row.documentText !== before.documentText)
    changed.state = new JsonText(row.documentText);
  return changed;
}

/**
 * Adds to `write` a new run as its first transition left it: its row, its
 * attempts, artifacts and effects.
 */
export function insertRun(
  write: OneStatement,
  next: Transition,
  now: string,
): Saved {
  const row = writtenRow(next.state, now);
  write.write(insertSql(schema.runs, [{ id: next.state.id, ...setOf(row) }]));
  return { ...writeRunRows(write, next, now, NOTHING_STORED), row };
}

const NOTHING_STORED: StoredRows = {
  attemptIds: new Map(),
  attempts: new Map(),
  artifactPaths: new Set(),
};

/** Adds to `write` the attempts, artifacts and effects not in `stored`. */
function writeRunRows(
  write: OneStatement,
  next: Transition,
  now: string,
  stored: StoredRows,
): { attemptIds: AttemptIds; kept: KeptAttempts } {
  const { state } = next;
  const ids = new Map(stored.attemptIds);
  const kept = new Map<string, Attempt>();
  const newAttempts: (typeof schema.stageAttempts.$inferInsert)[] = [];
  const newArtifacts: (typeof schema.artifacts.$inferInsert)[] = [];
  for (const stage of state.stages) {
    for (const attempt of stage.attempts) {
      const key = attemptKey(stage.id, attempt.attempt);
      const known = ids.get(key);
      const id = known ?? randomUUID();
      const attemptRow = attemptToRow(state, stage.id, attempt, id);
      if (known === undefined) {
        ids.set(key, id);
        newAttempts.push(attemptRow);
      } else {
        // Only what changed; unknown as stored: all of it.
        const before = stored.attempts?.get(key);
        const changed = before
          ? changedColumns(
              attemptRow,
              attemptToRow(state, stage.id, before, id),
              [],
            )
          : attemptRow;
        if (Object.keys(changed).length > 0)
          write.write(
            plainSql`${updateSql(schema.stageAttempts, changed)} where "stage_attempts"."id" = ${id}`,
          );
        else if (before) kept.set(key, before);
      }
      for (const artifact of attempt.artifacts) {
        if (stored.artifactPaths.has(artifact.storage_path)) continue;
        newArtifacts.push({
          id: randomUUID(),
          runId: state.id,
          stageAttemptId: id,
          name: artifact.name,
          artifactType: artifact.type,
          storagePath: artifact.storage_path,
          contentType: artifact.name.endsWith(".json")
            ? "application/json"
            : "text/plain",
          sizeBytes: artifact.size_bytes,
          expiresAt: artifact.expires_at,
          sourcePhase: stage.id,
          createdAt: now,
        });
      }
    }
  }
  if (newAttempts.length > 0)
    write.write(insertSql(schema.stageAttempts, newAttempts));
  if (newArtifacts.length > 0)
    write.write(insertSql(schema.artifacts, newArtifacts));
  if (next.effects.length > 0) {
    write.write(
      insertSql(
        schema.effects,
        next.effects.map((effect) => ({
          runId: state.id,
          kind: effect.kind,
          payload: effect,
          status: "pending",
          runVersion: state.version,
          availableAt: now,
          createdAt: now,
        })),
      ),
    );
  }
  return { attemptIds: ids, kept };
}

/** What a run's state at a version says is stored: every save writes all of it. */
function storedRows(run: StoredRun): StoredRows {
  const attempts = new Map<string, Attempt>();
  const artifactPaths = new Set<string>();
  for (const stage of run.state.stages) {
    for (const attempt of stage.attempts) {
      attempts.set(attemptKey(stage.id, attempt.attempt), attempt);
      for (const artifact of attempt.artifacts)
        artifactPaths.add(artifact.storage_path);
    }
  }
  return { attemptIds: run.attemptIds, attempts, artifactPaths };
}

/** The run's attempt row ids and artifacts, as stored now. */
async function readRows(db: Database, runId: string): Promise<StoredRows> {
  const existing = await db
    .select({
      id: schema.stageAttempts.id,
      stage: schema.stageAttempts.stage,
      attempt: schema.stageAttempts.attempt,
    })
    .from(schema.stageAttempts)
    .where(eq(schema.stageAttempts.runId, runId));
  const artifacts = await db
    .select({ path: schema.artifacts.storagePath })
    .from(schema.artifacts)
    .where(eq(schema.artifacts.runId, runId));
  return {
    attemptIds: new Map(
      existing.map((e) => [attemptKey(e.stage, e.attempt), e.id]),
    ),
    artifactPaths: new Set(artifacts.map((a) => a.path)),
  };
}
