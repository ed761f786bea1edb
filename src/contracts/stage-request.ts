import { z } from "zod";
import { AgentBackend, Identifier, OUTPUT_TYPES } from "../workflow/schema.js";

/**
 * GitHub caps a dispatch's inputs at 65,535 characters; the request is the
 * only input, so it must fit (with room for the input's name and quoting).
 */
export const MAX_REQUEST_LENGTH = 65_000;

/** Bumped when the action's bundled prompts change. */
export const PROMPT_PACK_VERSION = "1";

export const ExpectedOutput = z.strictObject({
  name: Identifier,
  type: z.enum(OUTPUT_TYPES),
  /** For files: the path or glob, with expressions already resolved. */
  path: z.string().optional(),
  must_change: z.boolean(),
  required: z.boolean(),
  description: z.string().optional(),
});
export type ExpectedOutput = z.infer<typeof ExpectedOutput>;

/**
 * What the App sends the stage action, as the stage workflow's one
 * `request` input (JSON). Everything in `feature` is untrusted text.
 */
export const StageRequest = z.strictObject({
  version: z.literal(1),
  run_id: z.uuid(),
  stage: Identifier,
  stage_name: z.string(),
  attempt: z.int().min(1),
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "expected owner/repo"),
  base_branch: z.string().min(1),
  branch: z.string().min(1),
  /** The branch head the stage runs on; its changes are against this. */
  base_sha: z.string().regex(/^[0-9a-f]{40}$/, "expected a commit SHA"),
  feature: z.strictObject({
    text: z.string(),
    issue: z
      .strictObject({
        number: z.int().min(1),
        title: z.string(),
        body: z.string(),
        url: z.string(),
      })
      .nullable(),
  }),
  /** The Spec Kit feature directory, once `specify` has made it. */
  spec_dir: z.string().nullable(),
  agent: z.strictObject({
    backend: AgentBackend,
    model: z.string().optional(),
    args: z.array(z.string()),
    max_turns: z.int().min(1).optional(),
    /**
     * What the stage may use (the stage's budget, or what is left of the
     * run's, whichever is smaller): the action stops the agent there.
     */
    max_tokens: z.int().min(1).optional(),
    max_cost_usd: z.number().positive().optional(),
    /** The agent's hard time limit (a fraction of a minute is allowed). */
    timeout_minutes: z.number().positive(),
    /** For `backend: command`. */
    command: z.string().optional(),
    prompt_via: z.enum(["stdin", "file"]),
  }),
  /**
   * The stage workflow's job limit (`timeout-minutes`): the agent's limit
   * plus time to install the agent, check out and upload the bundle.
   */
  job_timeout_minutes: z.int().min(1),
  skill: z.strictObject({
    /** `none`: the direct prompt only. */
    id: z.string(),
    is_speckit: z.boolean(),
    /** Only allowlisted skills run; the action refuses the others. */
    allowlisted: z.boolean(),
    fallback: z.boolean(),
    health_check: z.string().nullable(),
  }),
  prompt_pack_version: z.string(),
  /** The stage's own Handlebars prompt, replacing the bundled one. */
  prompt: z.string().nullable(),
  outputs: z.array(ExpectedOutput),
  /** The stage's inputs, resolved. */
  inputs: z.record(z.string(), z.unknown()),
  parameters: z.record(z.string(), z.unknown()),
  /** Non-secret environment for the agent (`workflow.env`). */
  env: z.record(z.string(), z.string()),
  artifact: z.strictObject({
    name: z.string(),
    retention_days: z.int().min(1).max(90),
  }),
});
export type StageRequest = z.infer<typeof StageRequest>;

/** The artifact that carries one attempt's result bundle. */
export function bundleArtifactName(
  runId: string,
  stage: string,
  attempt: number,
): string {
  return `specwright-${runId}-${stage}-${attempt}`;
}

/**
 * The stage workflow's `run-name` carries this, so the App can recognise a
 * run even when the dispatch API did not return its id (older GitHub
 * Enterprise Server).
 */
export function correlationKey(
  runId: string,
  stage: string,
  attempt: number,
): string {
  return `specwright ${runId} ${stage} ${attempt}`;
}

const CORRELATION =
  /(?:^|\s)specwright ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}) ([A-Za-z_][A-Za-z0-9_-]*) (\d+)(?=\s|$)/;

/** Reads a correlation key out of a workflow run's display title. */
export function parseCorrelationKey(
  title: string,
): { runId: string; stage: string; attempt: number } | undefined {
  const match = CORRELATION.exec(title);
  if (!match) return undefined;
  const [, runId = "", stage = "", attempt = "0"] = match;
  return { runId, stage, attempt: Number(attempt) };
}
