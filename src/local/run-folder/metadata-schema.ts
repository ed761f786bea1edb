import { isAbsolute } from "node:path";
import { z } from "zod";
import type { RunState, RunStatus } from "../../engine/run-state.js";
import { STAGE_STATUSES } from "../../workflow/expressions/namespaces.js";

/** The version of `metadata.json`'s layout; a change that old readers would misread raises it. */
export const RUN_METADATA_FORMAT = 1;

/** `metadata.json`: one local run, with the engine's state of it. */
export interface RunMetadata {
  format: typeof RUN_METADATA_FORMAT;
  id: string;
  feature: string;
  workflow_name: string;
  status: RunStatus;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
  parameters: Record<string, unknown>;
  agent: {
    backend: string;
    model: string | null;
    prompt_pack_version: string;
    runtime_env: Record<string, string>;
  };
  /** Absolute path of the repository the run belongs to. */
  repository_root: string;
  base_branch: string;
  branch: string;
  /** Absolute path of the run's worktree (`workspace/`). */
  workspace: string;
  /** `"<stage>#<attempt>"` → its folder under `steps/`, e.g. `"02_plan"`. */
  steps: Record<string, string>;
  state: RunState;
}

const RUN_STATUSES = {
  queued: "queued",
  in_progress: "in_progress",
  succeeded: "succeeded",
  failed: "failed",
  no_changes: "no_changes",
  cancelled: "cancelled",
} as const satisfies Record<RunStatus, RunStatus>;

const Timestamp = z.iso.datetime({ offset: true });
const RunStatusSchema = z.enum(RUN_STATUSES);
const StageStatusSchema = z.enum(STAGE_STATUSES);
const AbsolutePath = z
  .string()
  .refine(isAbsolute, { message: "expected an absolute path" });

/**
 * The parts of the engine's state the driver relies on without looking
 * (ids, statuses, attempt numbers); the rest is the engine's to read and is
 * kept as written.
 */
const StateSchema = z.looseObject({
  id: z.string(),
  version: z.number().int().min(0),
  status: RunStatusSchema,
  workflow: z.looseObject({
    stages: z.array(z.looseObject({ id: z.string() })),
  }),
  stages: z.array(
    z.looseObject({
      id: z.string(),
      status: StageStatusSchema,
      attempts: z.array(
        z.looseObject({
          attempt: z.number().int().min(1),
          status: StageStatusSchema,
        }),
      ),
    }),
  ),
});

/**
 * `metadata.json`, checked strictly in the fields `specwright runs` shows
 * and the driver uses. Unknown keys are kept, so a run written by a newer
 * specwright of the same format survives being advanced by this one.
 */
export const RunMetadataSchema = z
  .looseObject({
    format: z.literal(RUN_METADATA_FORMAT),
    id: z.uuid(),
    feature: z.string(),
    workflow_name: z.string(),
    status: RunStatusSchema,
    created_at: Timestamp,
    started_at: Timestamp.nullable(),
    completed_at: Timestamp.nullable(),
    updated_at: Timestamp,
    parameters: z.record(z.string(), z.unknown()),
    agent: z.looseObject({
      backend: z.string().min(1),
      model: z.string().nullable(),
      prompt_pack_version: z.string(),
      runtime_env: z.record(z.string(), z.string()),
    }),
    repository_root: AbsolutePath,
    base_branch: z.string().min(1),
    branch: z.string().min(1),
    workspace: AbsolutePath,
    steps: z.record(
      z.string().regex(/^[A-Za-z0-9_-]+#[1-9]\d*$/, {
        message: "expected a key '<stage>#<attempt>'",
      }),
      z.string().regex(/^\d{2,}_[A-Za-z0-9_-]+$/, {
        message: "expected a step folder name like '02_plan'",
      }),
    ),
    state: StateSchema,
  })
  .superRefine((metadata, ctx) => {
    if (metadata.state.id !== metadata.id)
      ctx.addIssue({
        code: "custom",
        path: ["state", "id"],
        message: `expected the run's id ${metadata.id}; got ${JSON.stringify(metadata.state.id)}`,
      });
  });
