import { checkParameter } from "./check-parameter.js";
import { checkStage } from "./check-stage.js";
import type { Diagnostic, ValuePath } from "./diagnostic.js";
import type { CheckEnvironment } from "./expressions/check-expression.js";
import type { StaticType } from "./expressions/functions.js";
import { buildGraph, type StageGraph } from "./graph/build-graph.js";
import { createAncestry } from "./graph/create-ancestry.js";
import type { Workflow } from "./schema.js";
import { type SkillInfo, SPECKIT_SKILL } from "./skills.js";

export interface CheckWorkflowOptions {
  /** Skills stages may select, by id (the built-in `speckit` is always known). */
  skills?: ReadonlyMap<string, SkillInfo>;
  /** Judge skill references (off when the skill catalog itself is invalid). */
  checkSkills?: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks what the schema cannot: the stage graph, every `${{ }}` expression
 * (names, references, types), outputs, gates, skills and prompts.
 * `path` locates the workflow in the file (e.g. `["workflow"]`).
 */
export function checkWorkflow(
  workflow: Workflow,
  path: ValuePath,
  options: CheckWorkflowOptions = {},
): { graph: StageGraph; diagnostics: Diagnostic[] } {
  const stagesPath = [...path, "stages"];
  const { graph, diagnostics } = buildGraph(workflow.stages, stagesPath);
  const skills = new Map<string, SkillInfo>([
    [SPECKIT_SKILL.id, SPECKIT_SKILL],
  ]);
  for (const [id, skill] of options.skills ?? []) skills.set(id, skill);

  for (const [name, parameter] of Object.entries(workflow.parameters)) {
    diagnostics.push(
      ...checkParameter(parameter, [...path, "parameters", name]),
    );
  }
  for (const name of Object.keys(workflow.env)) {
    if (!ENV_NAME.test(name)) {
      diagnostics.push({
        message: `'${name}' is not a valid environment variable name (letters, digits and '_', not starting with a digit)`,
        path: [...path, "env", name],
        target: "key",
      });
    }
  }

  const parameterTypes = new Map<string, StaticType>(
    Object.entries(workflow.parameters).map(([name, p]) => [name, p.type]),
  );
  const stageOutputs = new Map<string, ReadonlyMap<string, StaticType>>();
  for (const stage of workflow.stages) {
    if (stageOutputs.has(stage.id)) continue;
    stageOutputs.set(
      stage.id,
      new Map(
        Object.entries(stage.outputs).map(([name, output]) => [
          name,
          output.type === "file" ? "string" : output.type,
        ]),
      ),
    );
  }
  const isAncestor = createAncestry(graph);
  const env = new Set(Object.keys(workflow.env));
  const parameterNames = new Set(Object.keys(workflow.parameters));
  const stageSkills = options.checkSkills === false ? undefined : skills;

  workflow.stages.forEach((stage, i) => {
    const stagePath = [...stagesPath, i];
    const environment: CheckEnvironment = {
      parameters: parameterTypes,
      stages: stageOutputs,
      env,
      canReadStage(id) {
        const target = graph.indexOf.get(id);
        if (target === i || id === stage.id) {
          return `stage '${stage.id}' cannot read its own outputs or status`;
        }
        if (target === undefined || isAncestor(i, target)) return true;
        return `stage '${id}' is not a dependency of '${stage.id}': add it to depends_on to read it`;
      },
    };
    diagnostics.push(
      ...checkStage(stage, stagePath, environment, parameterNames, stageSkills),
    );
  });

  return { graph, diagnostics };
}
