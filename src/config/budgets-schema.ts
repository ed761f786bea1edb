import { z } from "zod";
import { parseDuration } from "../workflow/duration.js";
import { Duration, Identifier } from "../workflow/schema.js";

const positive = (what: string) => ({
  error: (issue: { input?: unknown }) =>
    `${what} must be more than 0; got ${String(issue.input)}`,
});

const Tokens = z
  .int({ error: "expected a whole number of tokens" })
  .min(1, positive("a token budget"))
  .meta({ description: "Tokens, input and output together." });

const CostUsd = z
  .number()
  .positive(positive("a cost budget"))
  .meta({ description: "Cost in US dollars (reported or estimated)." });

const Turns = z
  .int({ error: "expected a whole number of turns" })
  .min(1, positive("a turn budget"))
  .meta({ description: "Agent turns." });

// (A text that is no duration at all has Duration's message only.)
const Time = Duration.refine((text) => parseDuration(text) !== 0, {
  error: "a time budget must be longer than 0",
}).meta({ description: "Wall time, a duration: `30m`, `2h`, `1h30m`." });

/** What a run or a stage may use. */
export const Budget = z
  .strictObject({
    tokens: Tokens.optional(),
    cost_usd: CostUsd.optional(),
    turns: Turns.optional(),
    time: Time.optional(),
  })
  .meta({
    id: "Budget",
    description:
      "Limits on what a run or a stage may use; a limit left out is no limit.",
  });
export type Budget = z.infer<typeof Budget>;

/** What the runs of a repository may spend in a day or a month. */
export const SpendBudget = z
  .strictObject({
    tokens: Tokens.optional(),
    cost_usd: CostUsd.optional(),
  })
  .meta({
    id: "SpendBudget",
    description: "Limits on the tokens and cost of all the repository's runs.",
  });
export type SpendBudget = z.infer<typeof SpendBudget>;

export const BudgetsConfig = z
  .strictObject({
    run: Budget.optional().meta({
      description: "What one run may use, all its stages together.",
    }),
    stage: Budget.optional().meta({
      description:
        "What each stage may use, its attempts together (over `stages` for the ones named there).",
    }),
    stages: z
      .record(Identifier, Budget)
      .default({})
      .meta({ description: "Budgets of named stages, instead of `stage`." }),
    repository: z
      .strictObject({
        daily: SpendBudget.optional().meta({
          description: "All runs of the repository in a day (UTC).",
        }),
        monthly: SpendBudget.optional().meta({
          description: "All runs of the repository in a calendar month (UTC).",
        }),
      })
      .prefault({})
      .meta({ description: "What all the repository's runs may spend." }),
  })
  .meta({
    id: "BudgetsConfig",
    description:
      "Budgets checked before each stage is dispatched: a stage that would start over one waits at a budget gate until someone allows it (`/approve`) or stops the run.",
  });
export type BudgetsConfig = z.infer<typeof BudgetsConfig>;

export const ModelPriceEntry = z
  .strictObject({
    input_per_mtok: z
      .number()
      .min(0, { error: "a price cannot be negative" })
      .meta({ description: "USD per million input tokens." }),
    output_per_mtok: z
      .number()
      .min(0, { error: "a price cannot be negative" })
      .meta({ description: "USD per million output tokens." }),
    as_of: z.iso
      .date({ error: "expected a date such as 2025-10-01" })
      .optional()
      .meta({ description: "When the price was looked up." }),
  })
  .meta({
    id: "ModelPrice",
    description:
      "A model's price, to estimate a cost the agent did not report.",
  });
