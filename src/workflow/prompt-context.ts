/**
 * What a stage's Handlebars prompt can read. The action renders prompts with
 * exactly this shape; the workflow checker validates templates against it.
 * `feature`, `issue`, `inputs` and `parameters` are untrusted text: the
 * action fences every string of them as data (a random token per fence),
 * whatever the template writes, and on the skill path too.
 */
export interface PromptContext {
  /** The feature request text. */
  feature: string;
  issue: { number: number; title: string; body: string; url: string } | null;
  stage: { id: string; name: string };
  inputs: Record<string, unknown>;
  parameters: Record<string, unknown>;
  /** What the stage must produce. */
  outputs: {
    name: string;
    type: string;
    path?: string;
    description?: string;
  }[];
  run: {
    id: string;
    repository: string;
    branch: string;
    base_branch: string;
    spec_dir: string | null;
  };
}

/** The top-level names a prompt template can use. */
export const PROMPT_CONTEXT_KEYS = [
  "feature",
  "issue",
  "stage",
  "inputs",
  "parameters",
  "outputs",
  "run",
] as const satisfies readonly (keyof PromptContext)[];
