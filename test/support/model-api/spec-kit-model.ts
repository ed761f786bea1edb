import type { Action, Script } from "./script.js";

/** Where the scripted model puts a new feature (Spec Kit numbers them). */
export const FEATURE_DIR = "specs/001-feature";

/**
 * The first thing the model does in any stage, as an agent orienting
 * itself: it asks the shell which stage it is in and where the feature is
 * (the action tells the agent through SPECWRIGHT_STAGE and Spec Kit's
 * SPECIFY_FEATURE_DIRECTORY), and runs the Spec Kit script its command
 * names, when the repository has it.
 */
const ORIENT = [
  'echo "stage:[$SPECWRIGHT_STAGE] dir:[$SPECIFY_FEATURE_DIRECTORY]"',
  // Copilot's create tool wants the folder there first.
  `case "$SPECWRIGHT_STAGE" in specify) mkdir -p ${FEATURE_DIR} ;; implement) mkdir -p src ;; esac`,
].join("; ");

/** The command's output (not the command: `$` is no word character). */
const ORIENTED = /stage:\[(\w+)\] dir:\[([^\]]*)\]/;
const WROTE = /wrote:\[(\w+)\]/;
const SCRIPT_FAILED = /ERROR: [^\n"\\]*/;

/** A Spec Kit script the expanded command tells the agent to run. */
function scriptIn(text: string): string | undefined {
  return /\.specify\/scripts\/bash\/(setup-plan|check-prerequisites|setup-tasks)\.sh/.exec(
    text,
  )?.[0];
}

export const SPEC = [
  "# Feature Specification: Dark mode",
  "",
  "## User Scenarios",
  "",
  "- As a user I can switch to a dark theme.",
  "",
  "## Requirements",
  "",
  "- FR-001: The app follows the system's colour scheme.",
  "",
].join("\n");
export const PLAN = "# Implementation Plan: Dark mode\n\nCSS variables.\n";
export const TASKS = [
  "# Tasks: Dark mode",
  "",
  "- [ ] T001 Add the theme variables in src/theme.css",
  "- [ ] T002 [P] Follow prefers-color-scheme in src/theme.css",
  "",
].join("\n");
export const REPORT = [
  "## Specification Analysis Report",
  "",
  "| ID | Category | Severity | Location(s) | Summary | Recommendation |",
  "|----|----------|----------|-------------|---------|----------------|",
  "| A1 | Ambiguity | MEDIUM | spec.md:L9 | 'follows' is vague | Say when it switches |",
  "",
].join("\n");

function work(stage: string, dir: string): Action[] {
  switch (stage) {
    case "specify":
      return [{ write: `${FEATURE_DIR}/spec.md`, content: SPEC }];
    case "plan":
      return [{ write: `${dir}/plan.md`, content: PLAN }];
    case "tasks":
      return [{ write: `${dir}/tasks.md`, content: TASKS }];
    case "implement":
      return [
        {
          write: "src/theme.css",
          content: ":root { color-scheme: light dark; }\n",
        },
        { edit: `${dir}/tasks.md`, find: "- [ ] T001", replace: "- [X] T001" },
      ];
    default:
      return [];
  }
}

/**
 * The stage's Spec Kit command was invoked (`/speckit-plan`, `$speckit-plan`,
 * `/speckit.plan` as a command, not quoted in prose as the bundled prompts
 * quote it).
 */
function invoked(text: string, stage: string): boolean {
  return new RegExp(`(?:^|[\\s>])[/$]speckit[.-]${stage}\\b`).test(text);
}

function answer(stage: string): string {
  return stage === "analyze" ? REPORT : `The ${stage} stage is done.`;
}

export interface SpecKitModelOptions {
  /** Stages whose Spec Kit skill this model refuses to follow (it says so and stops). */
  refuseSkillFor?: readonly string[];
  /** Load a skill through the CLI's skill tool where it needs that (Copilot; default true). */
  loadSkills?: boolean;
}

/**
 * A model that does Spec Kit's stages in miniature, whatever the CLI and
 * whichever path (skill or direct prompt): it orients itself with the
 * shell, loads the stage's skill where the CLI needs it loaded by a tool
 * (Copilot), writes the stage's files with the CLI's own tools, says that
 * it wrote them, and answers (analyze: with its findings table). It gives
 * up, writing nothing, when a Spec Kit script it ran refused.
 */
export function specKitModel(options: SpecKitModelOptions = {}): Script {
  return ({ backend, request }) => {
    const { text } = request;
    const oriented = ORIENTED.exec(text);
    if (!oriented) {
      const script = scriptIn(text);
      return [
        {
          shell: script
            ? `${ORIENT}; if [ -f ${script} ]; then bash ${script} --json; fi`
            : ORIENT,
        },
      ];
    }
    const stage = oriented[1] ?? "";
    const dir = oriented[2] || FEATURE_DIR;
    const failed = SCRIPT_FAILED.exec(text);
    if (failed) return [{ say: `I cannot go on: ${failed[0]}` }];
    if (WROTE.test(text)) return [{ say: answer(stage) }];
    if (options.refuseSkillFor?.includes(stage) && invoked(text, stage)) {
      return [{ say: "That command is not something I can run here." }];
    }
    const skill = `speckit-${stage}`;
    if (
      options.loadSkills !== false &&
      backend === "copilot" &&
      new RegExp(`(?:^|\\s)/${skill}\\b`).test(text) &&
      !text.includes(`name="${skill}"`)
    ) {
      return [{ skill }];
    }
    return [...work(stage, dir), { shell: 'echo "wrote:[$SPECWRIGHT_STAGE]"' }];
  };
}
