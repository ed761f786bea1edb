import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Transition } from "../engine/transition.js";
import type { Tx } from "./database.js";
import { attemptToRow, runToRow } from "./run-rows.js";
import * as schema from "./schema.js";

/** Another writer changed the run first; the caller retries. */
export class VersionConflict extends Error {
  override name = "VersionConflict";
}

/**
 * Writes a transition's state in `tx` if the run is still at
 * `expectedVersion` (else throws `VersionConflict`): the run row, its
 * attempts, artifacts not yet recorded, and the effects it asks for.
 */
export async function saveRun(
  tx: Tx,
  expectedVersion: number,
  next: Transition,
  now: string,
): Promise<void> {
  const { state } = next;
  const { id: _, ...row } = runToRow(state, now);
  const updated = await tx
    .update(schema.runs)
    .set(row)
    .where(
      and(
        eq(schema.runs.id, state.id),
        eq(schema.runs.version, expectedVersion),
      ),
    )
    .returning({ id: schema.runs.id });
  if (updated.length === 0)
    throw new VersionConflict(`run ${state.id} changed under us`);

  const existing = await tx
    .select({
      id: schema.stageAttempts.id,
      stage: schema.stageAttempts.stage,
      attempt: schema.stageAttempts.attempt,
    })
    .from(schema.stageAttempts)
    .where(eq(schema.stageAttempts.runId, state.id));
  const ids = new Map(existing.map((e) => [`${e.stage}/${e.attempt}`, e.id]));
  const knownArtifacts = new Set(
    (
      await tx
        .select({ path: schema.artifacts.storagePath })
        .from(schema.artifacts)
        .where(eq(schema.artifacts.runId, state.id))
    ).map((a) => a.path),
  );
  for (const stage of state.stages) {
    for (const attempt of stage.attempts) {
      const key = `${stage.id}/${attempt.attempt}`;
      const id = ids.get(key) ?? randomUUID();
      const attemptRow = attemptToRow(state.id, stage.id, attempt, id);
      if (ids.has(key)) {
        await tx
          .update(schema.stageAttempts)
          .set(attemptRow)
          .where(eq(schema.stageAttempts.id, id));
      } else {
        await tx.insert(schema.stageAttempts).values(attemptRow);
      }
      for (const artifact of attempt.artifacts) {
        if (knownArtifacts.has(artifact.storage_path)) continue;
        await tx.insert(schema.artifacts).values({
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
}
