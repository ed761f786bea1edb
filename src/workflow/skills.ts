/**
 * A skill the stage runner can try before the direct prompt (the
 * Skills-First seeds' SkillCatalogEntry).
 */
export interface SkillInfo {
  id: string;
  /** Stage ids the skill has a command for. */
  supported_stages: readonly string[];
  /**
   * The commands are whatever the repository's layout installs (Spec Kit
   * adds commands between releases: `converge`, `taskstoissues`); the stage
   * runner's preflight reads them, so any stage id is accepted here.
   */
  stages_from_layout?: boolean;
  /** Only allowlisted skills may be selected. */
  allowlisted: boolean;
  /** A Spec Kit skill: the runner invokes `/speckit.<stage>` or its variant. */
  is_speckit: boolean;
  /** A command whose success shows the skill is usable on the runner. */
  health_check?: string | null | undefined;
}

/** The built-in skill: GitHub Spec Kit's own commands. */
export const SPECKIT_SKILL: SkillInfo = {
  id: "speckit",
  supported_stages: [
    "constitution",
    "specify",
    "clarify",
    "plan",
    "checklist",
    "tasks",
    "analyze",
    "implement",
    "converge",
    "taskstoissues",
  ],
  stages_from_layout: true,
  allowlisted: true,
  is_speckit: true,
  // Usable when the repository has Spec Kit's files for the stage and the
  // agent (the stage action checks); the `specify` CLI is not needed.
  health_check: null,
};

/** `skill: none` — run the direct prompt only. */
export const NO_SKILL = "none";

/** Stages the bundled prompt pack has a template for. */
export const PROMPT_PACK_STAGES = [
  "specify",
  "plan",
  "tasks",
  "analyze",
  "implement",
] as const;
