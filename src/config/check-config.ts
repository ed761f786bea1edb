import { checkWorkflow } from "../workflow/check-workflow.js";
import { defaultWorkflow } from "../workflow/default-workflow.js";
import type { Diagnostic } from "../workflow/diagnostic.js";
import type { StageGraph } from "../workflow/graph/build-graph.js";
import { Workflow } from "../workflow/schema.js";
import type { SkillInfo } from "../workflow/skills.js";
import { splitCommand } from "../workflow/split-command.js";
import { checkBranchPattern } from "./branch-pattern.js";
import { checkBudgets } from "./check-budgets.js";
import { formatZodIssues } from "./format-zod-issues.js";
import { Config } from "./schema.js";

/**
 * The settings but the workflow, which is checked apart. Made once: zod
 * compiles a checker for each object schema the first time it parses, so
 * one made per call compiled new code at every delivery that read the
 * configuration.
 */
const SETTINGS = Config.omit({ workflow: true });

/** Why a command line the runner will split cannot be split, if it cannot. */
function commandLineProblem(line: string): string | null {
  try {
    return splitCommand(line).length === 0 ? "it is empty" : null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A configuration that passed every check, with its workflow resolved. */
export interface CheckedConfig {
  config: Config;
  /** The repository's workflow, or the built-in one. */
  workflow: Workflow;
  usesDefaultWorkflow: boolean;
  graph: StageGraph;
}

export type CheckConfigResult =
  | ({ ok: true } & CheckedConfig)
  | { ok: false; diagnostics: Diagnostic[] };

function isEmptyWorkflow(value: unknown): boolean {
  return (
    value === null ||
    (typeof value === "object" &&
      !Array.isArray(value) &&
      Object.keys(value as object).length === 0)
  );
}

/**
 * Validates a parsed `.github/specwright.yml` value: the schema, then the
 * workflow's semantics (graph, expressions, skills, prompts). An empty file
 * means every default; an absent or empty `workflow:` means the built-in one.
 */
export function checkConfig(value: unknown): CheckConfigResult {
  let input = value ?? {};
  if (typeof input !== "object" || Array.isArray(input)) {
    return {
      ok: false,
      diagnostics: [
        {
          message: "expected a mapping of settings at the top level",
          path: [],
        },
      ],
    };
  }
  if (
    "workflow" in input &&
    isEmptyWorkflow((input as { workflow: unknown }).workflow)
  ) {
    const { workflow: _, ...rest } = input as Record<string, unknown>;
    input = rest;
  }
  // The workflow is checked apart from the rest, so that a mistake in one
  // section does not hide the problems in the other.
  const { workflow: workflowValue, ...settings } = input as Record<
    string,
    unknown
  >;
  const diagnostics: Diagnostic[] = [];
  const parsed = SETTINGS.safeParse(settings, {
    reportInput: true,
  });
  if (!parsed.success)
    diagnostics.push(...formatZodIssues(parsed.error.issues, Config));

  const skills = new Map<string, SkillInfo>();
  if (parsed.success) {
    for (const message of checkBranchPattern(parsed.data.branch_pattern)) {
      diagnostics.push({ message, path: ["branch_pattern"] });
    }
    parsed.data.skills.catalog.forEach((skill, i) => {
      if (
        skills.has(skill.id) ||
        skill.id === "speckit" ||
        skill.id === "none"
      ) {
        diagnostics.push({
          message: `skill id '${skill.id}' is already taken`,
          path: ["skills", "catalog", i, "id"],
        });
      }
      skills.set(skill.id, skill);
      const problem =
        skill.health_check == null
          ? null
          : commandLineProblem(skill.health_check);
      if (problem !== null) {
        diagnostics.push({
          message: `health_check is not a command line: ${problem}`,
          path: ["skills", "catalog", i, "health_check"],
        });
      }
    });
    const { command } = parsed.data.agent;
    const problem = command === undefined ? null : commandLineProblem(command);
    if (problem !== null) {
      diagnostics.push({
        message: `agent.command is not a command line: ${problem}`,
        path: ["agent", "command"],
      });
    }
  }

  const usesDefaultWorkflow = workflowValue === undefined;
  let workflow: Workflow | undefined;
  if (usesDefaultWorkflow) {
    workflow = defaultWorkflow();
  } else {
    const parsedWorkflow = Workflow.safeParse(workflowValue, {
      reportInput: true,
    });
    if (parsedWorkflow.success) workflow = parsedWorkflow.data;
    else
      diagnostics.push(
        ...formatZodIssues(parsedWorkflow.error.issues, Workflow, {
          prefix: ["workflow"],
        }),
      );
  }
  let graph: StageGraph | undefined;
  if (workflow !== undefined) {
    // Without a valid skill catalog, skill references cannot be judged.
    const checked = checkWorkflow(workflow, ["workflow"], {
      skills,
      checkSkills: parsed.success,
    });
    diagnostics.push(...checked.diagnostics);
    graph = checked.graph;
    if (parsed.success)
      diagnostics.push(...checkBudgets(parsed.data, workflow));
    // `backend: command` runs agent.command; without one there is nothing to run.
    if (parsed.success && parsed.data.agent.command === undefined) {
      if (parsed.data.agent.backend === "command") {
        diagnostics.push({
          message:
            "agent.backend 'command' needs agent.command: the executable (and fixed arguments) to run",
          path: ["agent", "backend"],
        });
      }
      workflow.stages.forEach((stage, i) => {
        if (stage.agent?.backend === "command") {
          diagnostics.push({
            message: `stage '${stage.id}' uses backend 'command', which needs agent.command at the top level: the executable to run`,
            path: ["workflow", "stages", i, "agent", "backend"],
          });
        }
      });
    }
  }
  if (
    !parsed.success ||
    workflow === undefined ||
    graph === undefined ||
    diagnostics.length > 0
  ) {
    return { ok: false, diagnostics };
  }
  const config: Config = {
    ...parsed.data,
    workflow: usesDefaultWorkflow ? null : workflow,
  };
  return { ok: true, config, workflow, usesDefaultWorkflow, graph };
}
