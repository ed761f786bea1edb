import { kindOf, toValue } from "../workflow/expressions/values.js";
import type { Stage } from "../workflow/schema.js";
import type { ChangedFile } from "./changes.js";
import { checkRepositoryPath } from "./check-repository-path.js";

/** A value from the bundle, short enough for a reason. */
function shown(path: string): string {
  return path.length > 200 ? `${path.slice(0, 199)}…` : path;
}

/**
 * Problems with the outputs a successful stage reported, against what it
 * declared: a required one missing, one of the wrong type, and a `file`
 * output that names a path the stage neither created nor changed and that
 * is not in the repository at the commit the stage ran on (later stages
 * read it, and the check run links it), or one the stage deleted.
 */
export async function checkStageOutputs(params: {
  /** What the stage declared. */
  declared: Stage["outputs"];
  outputs: Record<string, unknown>;
  changes: readonly ChangedFile[];
  base_sha: string;
  /** Whether `path` is a file in the repository at `ref`. */
  isFileAt: (path: string, ref: string) => Promise<boolean>;
}): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, output] of Object.entries(params.declared)) {
    const value = params.outputs[name];
    if (value === undefined || value === null) {
      if (output.required)
        problems.push(
          `the stage reported success without its required output '${name}'`,
        );
      continue;
    }
    const expected = output.type === "file" ? "string" : output.type;
    const actual = kindOf(toValue(value));
    if (actual !== expected) {
      problems.push(`output '${name}' should be ${expected}, not ${actual}`);
      continue;
    }
    if (output.type !== "file" || typeof value !== "string") continue;
    const path = value;
    const problem = checkRepositoryPath(path);
    if (problem !== undefined) {
      problems.push(
        `output '${name}' names '${shown(path)}', which is not a path in the repository: ${problem}`,
      );
      continue;
    }
    const change = params.changes.find((file) => file.path === path);
    if (change !== undefined) {
      if ("deleted" in change)
        problems.push(
          `output '${name}' names '${shown(path)}', which the stage deleted`,
        );
      continue;
    }
    if (!(await params.isFileAt(path, params.base_sha))) {
      problems.push(
        `output '${name}' names '${shown(path)}', which the stage neither created nor changed and which is not in the repository at ${params.base_sha.slice(0, 7)}`,
      );
    }
  }
  return problems;
}
