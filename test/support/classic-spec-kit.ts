/**
 * What a test adds to Spec Kit's classic (0.0.90) fixture, which holds no
 * agent folder and none of Spec Kit's scripts (they are its code): small
 * stand-ins of ours that check what the real ones check.
 */

const STAGES = ["specify", "plan", "tasks", "analyze", "implement"];

/**
 * Stand-ins for 0.0.90's setup-plan.sh and check-prerequisites.sh: they
 * find the feature as the real ones do — SPECIFY_FEATURE, else the git
 * branch — and refuse anything that is not a feature branch, a detached
 * checkout included.
 */
const FEATURE_SCRIPT = `#!/usr/bin/env bash
branch="\${SPECIFY_FEATURE:-$(git rev-parse --abbrev-ref HEAD)}"
if [[ ! "$branch" =~ ^[0-9]{3}- ]]; then
  echo "ERROR: Not on a feature branch. Current branch: $branch" >&2
  echo "Feature branches should be named like: 001-feature-name" >&2
  exit 1
fi
dir="specs/$branch"
if [ ! -d "$dir" ]; then
  echo "ERROR: Feature directory not found: $dir" >&2
  exit 1
fi
printf '{"FEATURE_DIR":"%s","FEATURE_SPEC":"%s/spec.md","IMPL_PLAN":"%s/plan.md","BRANCH":"%s"}\\n' "$dir" "$dir" "$dir" "$branch"
`;

export const CLASSIC_SCRIPTS: Readonly<Record<string, string>> = {
  ".specify/scripts/bash/setup-plan.sh": FEATURE_SCRIPT,
  ".specify/scripts/bash/check-prerequisites.sh": FEATURE_SCRIPT,
};

const SCRIPT: Readonly<Record<string, string>> = {
  specify: ".specify/scripts/bash/create-new-feature.sh --json",
  plan: ".specify/scripts/bash/setup-plan.sh --json",
  tasks: ".specify/scripts/bash/check-prerequisites.sh --json",
  analyze:
    ".specify/scripts/bash/check-prerequisites.sh --json --require-tasks",
  implement:
    ".specify/scripts/bash/check-prerequisites.sh --json --require-tasks",
};

/**
 * Classic command files in the shape 0.0.90 installed them (`folder` is
 * `.claude/commands`, `.codex/prompts`, …): each names its script.
 */
export function classicCommands(folder: string): Record<string, string> {
  return Object.fromEntries(
    STAGES.map((stage) => [
      `${folder}/speckit.${stage}.md`,
      [
        "---",
        `description: The ${stage} stage (Spec Kit 0.0.90 shape).`,
        "scripts:",
        `  sh: ${SCRIPT[stage]}`,
        "---",
        "",
        "## User Input",
        "",
        "$ARGUMENTS",
        "",
        `1. Run \`${SCRIPT[stage]}\` from the repository root and parse its JSON for the feature's paths.`,
        `2. Classic ${stage} command: do the ${stage} stage for that feature.`,
        "",
      ].join("\n"),
    ]),
  );
}
