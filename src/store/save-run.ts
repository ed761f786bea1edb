import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Attempt } from "../engine/run-state.js";
import type { Transition } from "../engine/transition.js";
import { changedColumns } from "./changed-columns.js";
import type { Tx } from "./database.js";
import { type AttemptIds, attemptKey, type StoredRun } from "./run-cache.js";
import { attemptToRow, runToRow } from "./run-rows.js";
import * as schema from "./schema.js";

/** Another writer changed the run first; the caller retries. */
export class VersionConflict extends Error {
  override name = "VersionConflict";
}

/** What is stored of a run before a save: its attempts' rows and its artifacts. */
interface StoredRows {
  attemptIds: AttemptIds;
  /** The attempts as stored, by `stage/attempt`; unknown: write them all. */
  attempts?: ReadonlyMap<string, Attempt>;
  artifactPaths: ReadonlySet<string>;
}

/**
 * Writes a transition's state in `tx` if the run is still at
 * `expectedVersion` (else throws `VersionConflict`): the run row, its
 * attempts, artifacts not yet recorded, and the effects it asks for.
 * Given the run as stored at that version (`before`), only what changed
 * is written and nothing is read. Returns the attempts' row ids.
 */
export async function saveRun(
  tx: Tx,
  expectedVersion: number,
  next: Transition,
  now: string,
  before?: StoredRun,
): Promise<AttemptIds> {
  const { state } = next;
  const previous =
    before?.state.version === expectedVersion ? before : undefined;
  const { id: _, ...row } = runToRow(state, now);
  const updated = await tx
    .update(schema.runs)
    .set(
      previous
        ? changedColumns(row, runToRow(previous.state, now), [
            "version",
            "updatedAt",
          ])
        : row,
    )
    .where(
      and(
        eq(schema.runs.id, state.id),
        eq(schema.runs.version, expectedVersion),
      ),
    )
    .returning({ id: schema.runs.id });
  if (updated.length === 0)
    throw new VersionConflict(`run ${state.id} changed under us`);

  const stored = previous ? storedRows(previous) : await readRows(tx, state.id);
  const ids = new Map(stored.attemptIds);
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
      } else if (!sameAttempt(stored.attempts?.get(key), attempt)) {
        await tx
          .update(schema.stageAttempts)
          .set(attemptRow)
          .where(eq(schema.stageAttempts.id, id));
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
    await tx.insert(schema.stageAttempts).values(newAttempts);
  if (newArtifacts.length > 0)
    await tx.insert(schema.artifacts).values(newArtifacts);
  if (next.effects.length > 0) {
    await tx.insert(schema.effects).values(
      next.effects.map((effect) => ({
        runId: state.id,
        kind: effect.kind,
        payload: effect,
        status: "pending",
        availableAt: now,
        createdAt: now,
      })),
    );
  }
  return ids;
}

/** Whether an attempt is as stored (unknown: it may not be). */
function sameAttempt(stored: Attempt | undefined, attempt: Attempt): boolean {
  return (
    stored !== undefined && JSON.stringify(stored) === JSON.stringify(attempt)
  );
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

/** The run's attempt row ids and artifacts, read in `tx`. */
async function readRows(tx: Tx, runId: string): Promise<StoredRows> {
  const existing = await tx
    .select({
      id: schema.stageAttempts.id,
      stage: schema.stageAttempts.stage,
      attempt: schema.stageAttempts.attempt,
    })
    .from(schema.stageAttempts)
    .where(eq(schema.stageAttempts.runId, runId));
  const artifacts = await tx
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
