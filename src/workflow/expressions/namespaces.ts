import type { StaticType } from "./functions.js";

/**
 * What expressions can read. The engine builds the runtime scope with exactly
 * these names; the checker uses the same tables, so the two cannot drift.
 */
export const NAMESPACES = [
  "parameters",
  "stages",
  "run",
  "workflow",
  "env",
] as const;
export type Namespace = (typeof NAMESPACES)[number];

/** `run.*`: the run being executed. */
export const RUN_FIELDS = {
  id: "string",
  feature: "string",
  issue: "number",
  repository: "string",
  branch: "string",
  base_branch: "string",
  spec_dir: "string",
  actor: "string",
  started_at: "string",
} as const satisfies Record<string, StaticType>;

/** `workflow.*`: the workflow definition. */
export const WORKFLOW_FIELDS = {
  name: "string",
  description: "string",
} as const satisfies Record<string, StaticType>;

/** The statuses `stages.<id>.status` can hold. */
export const STAGE_STATUSES = [
  "pending",
  "waiting_approval",
  "dispatched",
  "running",
  "retrying",
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
  "skipped",
] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

/** Names people reach for from GitHub Actions, and what to use instead. */
export const FOREIGN_NAMES: Readonly<Record<string, string>> = {
  needs: "use stages.<id> to read another stage",
  steps: "use stages.<id> to read another stage",
  jobs: "use stages.<id> to read another stage",
  inputs: "use parameters.<name> for workflow parameters",
  github: "use run.<field> (run.repository, run.branch, run.actor, …)",
  vars: "declare the value in workflow.env and read env.<name>",
  secrets:
    "secrets are never readable by workflow expressions: give them to the agent through the stage workflow's secrets",
};
