import { z } from "zod";
import { COMMAND_NAMES } from "../commands/command-names.js";
import {
  AgentBackend,
  Identifier,
  PermissionLevel,
  Workflow,
} from "../workflow/schema.js";
import { BudgetsConfig, ModelPriceEntry } from "./budgets-schema.js";
import { DEFAULT_PRICES, PRICES_AS_OF } from "./prices.js";
import {
  MAX_SECRET_PATTERN_LENGTH,
  MAX_SECRET_PATTERNS,
  secretPatternProblem,
} from "./secret-patterns.js";

export const SkillEntry = z
  .strictObject({
    id: Identifier.meta({ description: "The id stages use in `skill:`." }),
    supported_stages: z
      .array(Identifier)
      .min(1)
      .meta({ description: "Stage ids the skill has a command for." }),
    allowlisted: z
      .boolean()
      .default(true)
      .meta({ description: "Only allowlisted skills are ever run." }),
    is_speckit: z
      .boolean()
      .default(false)
      .meta({ description: "The skill is a Spec Kit command set." }),
    health_check: z.string().nullable().optional().meta({
      description:
        "A command whose success shows the skill is usable on the runner.",
    }),
  })
  .meta({
    id: "SkillEntry",
    description: "A skill the stage runner may try before the direct prompt.",
  });
export type SkillEntry = z.infer<typeof SkillEntry>;

export const AgentConfig = z
  .strictObject({
    backend: AgentBackend.default("claude").meta({
      description:
        "The agent CLI: `claude`, `codex`, `gemini`, `copilot`, or `command` (any executable).",
    }),
    model: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "The model name, passed to the CLI." }),
    args: z
      .array(z.string())
      .default([])
      .meta({ description: "Extra command-line arguments for the agent." }),
    max_turns: z
      .int()
      .min(1)
      .optional()
      .meta({ description: "The agent's turn limit, where the CLI has one." }),
    command: z.string().min(1).optional().meta({
      description:
        "For `backend: command`: the executable (and fixed arguments) to run.",
    }),
    prompt_via: z.enum(["stdin", "file"]).default("stdin").meta({
      description:
        "For `backend: command`: pass the prompt on standard input, or as the path of a file (the last argument).",
    }),
  })
  .meta({
    id: "AgentConfig",
    description:
      "The agent that runs every stage, unless a stage overrides it.",
  });
export type AgentConfig = z.infer<typeof AgentConfig>;

export const PullRequestConfig = z
  .strictObject({
    draft: z
      .boolean()
      .default(true)
      .meta({ description: "Open the pull request as a draft." }),
    title_prefix: z
      .string()
      .default("")
      .meta({ description: "Text put before the feature in the title." }),
    labels: z
      .array(z.string().min(1))
      .default([])
      .meta({ description: "Labels added to the pull request." }),
    request_review: z.boolean().default(true).meta({
      description: "Request a review from the person who started the run.",
    }),
  })
  .meta({
    id: "PullRequestConfig",
    description: "How the run's pull request is opened.",
  });

export const Config = z
  .strictObject({
    agent: AgentConfig.prefault({}),
    skills: z
      .strictObject({
        fallback: z.boolean().default(true).meta({
          description:
            "When a skill fails or produces nothing, run the stage's direct prompt.",
        }),
        catalog: z.array(SkillEntry).default([]).meta({
          description: "Skills besides the built-in `speckit`.",
        }),
      })
      .prefault({})
      .meta({
        description: "Skill-first execution with a direct-prompt fallback.",
      }),
    workflow: Workflow.nullable().optional(),
    branch_pattern: z.string().min(1).default("speckit/{date}/{token}").meta({
      description:
        "The feature branch name; placeholders {date}, {token}, {issue}, {slug}. Must contain {token}.",
    }),
    base_branch: z.string().min(1).optional().meta({
      description:
        "The branch runs start from and pull requests target (default: the repository's default branch).",
    }),
    pull_request: PullRequestConfig.prefault({}),
    protected_paths: z
      .array(z.string().min(1))
      .default([".github/workflows/**"])
      .meta({
        description:
          "Globs a stage may never change; a result touching one is refused. `[]` allows everything.",
      }),
    secret_patterns: z
      .array(
        z
          .string()
          .min(1)
          .max(MAX_SECRET_PATTERN_LENGTH)
          .superRefine((source, context) => {
            // (Empty: `min(1)` says so.)
            const problem =
              source === "" ? undefined : secretPatternProblem(source);
            if (problem !== undefined)
              context.addIssue({ code: "custom", message: problem });
          }),
      )
      .max(MAX_SECRET_PATTERNS)
      .default([])
      .meta({
        description:
          "Regular expressions (JavaScript syntax) for credentials besides the built-in ones (GitHub tokens, `sk-…` and `AIza…` model keys, private keys, JWTs): what a stage's result shows on GitHub has every match replaced by `***`.",
      }),
    stage_workflow: z
      .string()
      .regex(/^[\w.-]+\.ya?ml$/, {
        error: "expected a workflow file name such as specwright.yml",
      })
      .default("specwright.yml")
      .meta({
        description:
          "The file name, under .github/workflows/, of the stage workflow Specwright dispatches.",
      }),
    artifact_retention_days: z
      .int()
      .min(7)
      .max(90)
      .default(30)
      .meta({ description: "Days the result bundles are kept (7 to 90)." }),
    budgets: BudgetsConfig.prefault({}),
    prices: z
      .record(z.string().min(1), ModelPriceEntry)
      .default(() => ({ ...DEFAULT_PRICES }))
      .meta({
        description: `Prices per model, to estimate the cost of a stage whose agent reports tokens but no cost (the estimate is marked as one). Entries here replace or add to the built-in table, prices as of ${PRICES_AS_OF}.`,
      }),
    permissions: z
      .partialRecord(z.enum(COMMAND_NAMES), PermissionLevel)
      .default({})
      .meta({
        description:
          "The permission each command needs, over the defaults (`write`; `read` for status and help).",
      }),
  })
  .meta({
    title: "Specwright configuration",
    description:
      "Specwright's repository configuration, `.github/specwright.yml`.",
  });
export type Config = z.infer<typeof Config>;
