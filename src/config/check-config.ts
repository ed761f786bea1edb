import { checkWorkflow } from "../workflow/check-workflow.js";
import { defaultWorkflow } from "../workflow/default-workflow.js";
import type { Diagnostic } from "../workflow/diagnostic.js";
import type { StageGraph } from "../workflow/graph/build-graph.js";
import { Workflow } from "../workflow/schema.js";
import type { SkillInfo } from "../workflow/skills.js";
import { checkBranchPattern } from "./branch-pattern.js";
import { formatZodIssues } from "./format-zod-issues.js";
import { Config } from "./schema.js";

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
  const parsed = Config.omit({ workflow: true }).safeParse(settings, {
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
    });
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
