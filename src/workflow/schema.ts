import { z } from "zod";
import { DURATION_PATTERN } from "./duration.js";

/**
 * The workflow language: a compact form of SWDL (see
 * `docs/configuration.md`). Defaults follow the SWDL defaults table: stage
 * timeout 30m, two attempts, 30s initial retry interval doubling up to 5m,
 * `on_failure: halt`.
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A name usable in expressions: stage ids, parameter, input and output names. */
export const Identifier = z
  .string()
  .max(64, { error: "must be at most 64 characters" })
  .regex(IDENTIFIER, {
    error:
      "must start with a letter or '_' and contain only letters, digits, '-' and '_'",
  });

export const Duration = z
  .string()
  .regex(DURATION_PATTERN, {
    error: "expected a duration such as 30s, 5m, 2h, 7d or 1h30m",
  })
  .meta({ description: "A duration: `30s`, `5m`, `2h`, `7d`, `1h30m`." });

export const PERMISSION_LEVELS = [
  "read",
  "triage",
  "write",
  "maintain",
  "admin",
] as const;
export const PermissionLevel = z.enum(PERMISSION_LEVELS).meta({
  description:
    "A repository permission: read < triage < write < maintain < admin.",
});
export type PermissionLevel = z.infer<typeof PermissionLevel>;

export const AGENT_BACKENDS = [
  "claude",
  "codex",
  "gemini",
  "copilot",
  "command",
] as const;
export const AgentBackend = z.enum(AGENT_BACKENDS);
export type AgentBackend = z.infer<typeof AgentBackend>;

export const VALUE_TYPES = [
  "string",
  "number",
  "boolean",
  "object",
  "array",
] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export const Parameter = z
  .strictObject({
    type: z
      .enum(VALUE_TYPES)
      .default("string")
      .meta({ description: "The value's type." }),
    description: z
      .string()
      .optional()
      .meta({ description: "What the parameter is for." }),
    required: z
      .boolean()
      .default(false)
      .meta({ description: "A run must supply a value (or the default)." }),
    default: z
      .unknown()
      .optional()
      .meta({ description: "The value used when a run supplies none." }),
    enum: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional()
      .meta({ description: "The only values allowed." }),
  })
  .meta({ id: "Parameter", description: "A typed workflow parameter." });
export type Parameter = z.infer<typeof Parameter>;

const InputDeclaration = z.strictObject({
  source: z.string().meta({
    description:
      "Where the value comes from: a `${{ }}` expression, or text with expressions in it.",
  }),
  type: z
    .enum([...VALUE_TYPES, "any"])
    .default("any")
    .meta({ description: "The type the source must have." }),
  required: z
    .boolean()
    .default(true)
    .meta({ description: "The stage fails when the source is null." }),
  description: z
    .string()
    .optional()
    .meta({ description: "What the input is for." }),
});

export const Input = z
  .union([z.string(), InputDeclaration])
  .transform((value) =>
    typeof value === "string"
      ? { source: value, type: "any" as const, required: true }
      : value,
  )
  .meta({
    id: "Input",
    description:
      "A stage input: a source expression, or a declaration with `source` and `type`.",
  });
export type Input = z.infer<typeof Input>;

export const OUTPUT_TYPES = ["file", ...VALUE_TYPES] as const;
export const Output = z
  .strictObject({
    type: z.enum(OUTPUT_TYPES).meta({
      description:
        "`file`: a file the stage must produce; otherwise a named value the stage reports.",
    }),
    path: z.string().optional().meta({
      description:
        "For `file` outputs: the path or glob the stage must produce, relative to the repository root; may use `${{ }}`.",
    }),
    must_change: z.boolean().default(false).meta({
      description:
        "For `file` outputs: the stage must create or modify the file, not merely leave it in place.",
    }),
    required: z
      .boolean()
      .default(true)
      .meta({ description: "The stage fails when the output is missing." }),
    description: z
      .string()
      .optional()
      .meta({ description: "What the output holds." }),
  })
  .meta({ id: "Output", description: "Something a stage must produce." });
export type Output = z.infer<typeof Output>;

export const Retry = z
  .strictObject({
    max_attempts: z
      .int()
      .min(1)
      .max(10)
      .default(2)
      .meta({ description: "Attempts in all, the first included." }),
    initial_interval: Duration.default("30s").meta({
      description: "Wait before the first retry.",
    }),
    backoff: z
      .number()
      .min(1)
      .max(10)
      .default(2)
      .meta({ description: "Each wait is the previous one times this." }),
    max_interval: Duration.default("5m").meta({
      description: "The longest wait between attempts.",
    }),
  })
  .meta({
    id: "Retry",
    description:
      "Automatic retries, for failures the agent did not cause (runner lost, run cancelled by GitHub, artifact missing).",
  });

export const ON_FAILURE = ["halt", "continue", "skip_dependents"] as const;
export const ErrorPolicy = z
  .strictObject({
    retry: Retry.prefault({}),
    timeout: Duration.default("30m").meta({
      description: "The stage's hard time limit, per attempt.",
    }),
    on_failure: z.enum(ON_FAILURE).default("halt").meta({
      description:
        "After the last attempt fails: `halt` the run; `skip_dependents`, skipping the stages that depend on this one while others go on; or `continue`, running the dependents anyway (they can test `stages.<id>.status`).",
    }),
  })
  .meta({
    id: "ErrorPolicy",
    description: "Retries, time limit and what a failure does to the run.",
  });
export type ErrorPolicy = z.infer<typeof ErrorPolicy>;

export const GATE_ON_TIMEOUT = ["halt", "approve", "skip"] as const;
export const Gate = z
  .strictObject({
    approvers: z.array(z.string().min(1)).min(1).optional().meta({
      description:
        "GitHub logins allowed to approve. Without it, anyone with `permission` may.",
    }),
    permission: PermissionLevel.default("write").meta({
      description: "The repository permission an approver needs.",
    }),
    timeout: Duration.default("7d").meta({
      description: "How long to wait for a decision.",
    }),
    on_timeout: z.enum(GATE_ON_TIMEOUT).default("halt").meta({
      description:
        "When nobody decides in time: `halt` the run, `approve`, or `skip` the stage and its dependents.",
    }),
    message: z.string().optional().meta({
      description: "Shown to approvers; may use `${{ }}`.",
    }),
  })
  .meta({
    id: "Gate",
    description: "An approval the stage waits for before it runs.",
  });
export type Gate = z.infer<typeof Gate>;

export const AgentOverride = z
  .strictObject({
    backend: AgentBackend.optional().meta({ description: "The agent CLI." }),
    model: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "The model name." }),
    args: z
      .array(z.string())
      .optional()
      .meta({ description: "Extra command-line arguments for the agent." }),
    max_turns: z
      .int()
      .min(1)
      .optional()
      .meta({ description: "The agent's turn limit." }),
  })
  .meta({
    id: "AgentOverride",
    description: "Agent settings for this stage, over the repository's.",
  });
export type AgentOverride = z.infer<typeof AgentOverride>;

export const Stage = z
  .strictObject({
    id: Identifier.meta({
      description: "Unique id, used in `depends_on` and expressions.",
    }),
    name: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Display name (default: the id)." }),
    description: z
      .string()
      .optional()
      .meta({ description: "What the stage does." }),
    type: z.enum(["agent", "gate"]).default("agent").meta({
      description: "`agent` runs an agent; `gate` only waits for approval.",
    }),
    depends_on: z
      .array(z.string())
      .default([])
      .meta({ description: "Stages that must finish first." }),
    condition: z.string().optional().meta({
      description:
        "Run only when this expression is truthy (with or without `${{ }}`); otherwise the stage is skipped.",
    }),
    agent: AgentOverride.optional(),
    skill: z.string().min(1).optional().meta({
      description:
        "The skill to run first (for example `speckit`); `none` runs the prompt directly.",
    }),
    fallback: z.boolean().optional().meta({
      description:
        "Run the direct prompt when the skill fails (default: the repository's `skills.fallback`).",
    }),
    prompt: z.string().optional().meta({
      description:
        "A Handlebars template for the direct prompt, replacing the bundled one.",
    }),
    inputs: z.record(Identifier, Input).default({}).meta({
      description: "Named values the stage receives.",
    }),
    outputs: z.record(Identifier, Output).default({}).meta({
      description: "What the stage must produce.",
    }),
    error_policy: ErrorPolicy.prefault({}),
    gate: Gate.optional(),
  })
  .meta({ id: "Stage", description: "One stage of the workflow." });
export type Stage = z.infer<typeof Stage>;

export const Workflow = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .default("Custom workflow")
      .meta({ description: "The workflow's name." }),
    description: z
      .string()
      .optional()
      .meta({ description: "What the workflow is for." }),
    parameters: z.record(Identifier, Parameter).default({}).meta({
      description: "Typed parameters a run supplies.",
    }),
    env: z.record(z.string(), z.string()).default({}).meta({
      description:
        "Non-secret environment variables given to every stage's agent, readable as `env.NAME`.",
    }),
    stages: z
      .array(Stage)
      .min(1, { error: "a workflow needs at least one stage" })
      .meta({
        description:
          "The stages, in any order that reads well; `depends_on` decides the order they run in.",
      }),
  })
  .meta({
    id: "Workflow",
    description:
      "The workflow to run. Absent or empty: the built-in specify → plan → tasks → analyze → implement.",
  });
export type Workflow = z.infer<typeof Workflow>;

/** The display name of a stage. */
export function stageName(stage: Pick<Stage, "id" | "name">): string {
  return stage.name ?? stage.id;
}

/** The approval a stage waits for, if any (a `gate` stage always has one). */
export function stageGate(
  stage: Pick<Stage, "type" | "gate">,
): Gate | undefined {
  return stage.gate ?? (stage.type === "gate" ? Gate.parse({}) : undefined);
}
