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

/** The limits the action holds an agent to (the request's `agent.max_*` and `timeout_minutes`). */
export const AGENT_LIMITS = ["turns", "time", "tokens", "cost"] as const;
export type AgentLimit = (typeof AGENT_LIMITS)[number];

/**
 * The limit that stopped the agent: `max` and `used` in its unit (turns,
 * minutes, tokens in and out, US dollars); `used` is null when not known.
 */
export const StoppedBy = z.strictObject({
  limit: z.enum(AGENT_LIMITS),
  max: z.number().positive(),
  used: z.number().min(0).nullable(),
});
export type StoppedBy = z.infer<typeof StoppedBy>;

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

/** How many preflight warnings a result carries, and how long each may be. */
export const MAX_WARNINGS = 20;
export const MAX_WARNING_LENGTH = 500;

/**
 * Warnings as the contract takes them: the first {@link MAX_WARNINGS}, each
 * cut to {@link MAX_WARNING_LENGTH} characters, never inside a surrogate
 * pair (PostgreSQL's jsonb refuses a lone one).
 */
export function fitWarnings(warnings: readonly string[]): string[] {
  return warnings.slice(0, MAX_WARNINGS).map((warning) => {
    if (warning.length <= MAX_WARNING_LENGTH) return warning;
    let end = MAX_WARNING_LENGTH - 1;
    const last = warning.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
    return `${warning.slice(0, end)}…`;
  });
}

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
    /**
     * What the runner's preflight found odd but not fatal (an agent version
     * Specwright was not tested with, Spec Kit without the agent's
     * commands), for the check run. Absent in older bundles.
     */
    warnings: z
      .array(z.string().max(MAX_WARNING_LENGTH))
      .max(MAX_WARNINGS)
      .optional(),
    /**
     * The limit that stopped the agent (the stage then failed; its changes
     * so far are in the bundle). Absent when none did, and in older bundles.
     */
    stopped_by: StoppedBy.optional(),
  })
  .refine((r) => r.execution_path !== "skill" || r.selected_skill_id !== null, {
    message: "selected_skill_id is required when execution_path is skill",
    path: ["selected_skill_id"],
  });
export type StageResult = z.infer<typeof StageResult>;
