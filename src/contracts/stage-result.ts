import { z } from "zod";
import { Identifier } from "../workflow/schema.js";

export const EXECUTION_PATHS = [
  "skill",
  "direct_fallback",
  "direct_only",
] as const;
export type ExecutionPath = (typeof EXECUTION_PATHS)[number];

/** The artifact types of the Spec Kit Automation seed. */
export const ARTIFACT_TYPES = [
  "stdout_log",
  "stderr_log",
  "diff_summary",
  "commit_status",
  "metrics_snapshot",
  "environment_info",
] as const;
export type ArtifactType = (typeof ARTIFACT_TYPES)[number];

const Timestamp = z.iso.datetime({ offset: true });

export const Phase = z.strictObject({
  phase: z.string().min(1),
  status: z.enum(["succeeded", "failed", "skipped"]),
  started_at: Timestamp,
  completed_at: Timestamp,
});

export const Usage = z.strictObject({
  input_tokens: z.int().min(0).optional(),
  output_tokens: z.int().min(0).optional(),
  cost_usd: z.number().min(0).optional(),
  turns: z.int().min(0).optional(),
});
export type Usage = z.infer<typeof Usage>;

/** A finding of `analyze`, shown as a check-run annotation. */
export const Finding = z.strictObject({
  id: z.string(),
  category: z.string(),
  severity: z.enum(["CRITICAL", "HIGH", "MEDIUM", "LOW"]),
  path: z.string().optional(),
  start_line: z.int().min(1).optional(),
  end_line: z.int().min(1).optional(),
  summary: z.string(),
  recommendation: z.string().optional(),
});
export type Finding = z.infer<typeof Finding>;

/**
 * The stage action's report, `result.json` in the bundle (the Skills-First
 * seed's WorkflowStageResult, with phases, outputs and usage).
 */
export const StageResult = z
  .strictObject({
    version: z.literal(1),
    run_id: z.uuid(),
    stage: Identifier,
    attempt: z.int().min(1),
    status: z.enum(["succeeded", "failed"]),
    execution_path: z.enum(EXECUTION_PATHS),
    selected_skill_id: z.string().nullable(),
    duration_ms: z.int().min(0),
    outputs: z.record(z.string(), z.unknown()),
    /** The Spec Kit feature directory the stage created or used. */
    spec_dir: z.string().nullable(),
    artifacts: z.array(
      z.strictObject({
        type: z.enum(ARTIFACT_TYPES),
        name: z.string().min(1),
        size_bytes: z.int().min(0),
      }),
    ),
    error_message: z.string().nullable(),
    phases: z.array(Phase),
    usage: Usage.nullable(),
    agent: z.strictObject({
      backend: z.string(),
      version: z.string().nullable(),
    }),
    findings: z.array(Finding).optional(),
    /** The agent's last message, for the check run. */
    final_message: z.string().nullable().optional(),
  })
  .refine((r) => r.execution_path !== "skill" || r.selected_skill_id !== null, {
    message: "selected_skill_id is required when execution_path is skill",
    path: ["selected_skill_id"],
  });
export type StageResult = z.infer<typeof StageResult>;
