import { stat } from "node:fs/promises";
import { join } from "node:path";
import picomatch from "picomatch";
import type { ExpectedOutput } from "../../src/contracts/stage-request.js";
import { git } from "./git.js";

export interface VerifiedOutputs {
  /** Each output's value: a file output's path, a value as reported. */
  outputs: Record<string, unknown>;
  /** What is missing, wrong or empty, one sentence each. */
  problems: string[];
}

const KINDS: Record<string, (value: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  number: (v) => typeof v === "number" && Number.isFinite(v),
  boolean: (v) => typeof v === "boolean",
  object: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  array: (v) => Array.isArray(v),
};

async function nonEmptyFile(path: string): Promise<boolean | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size > 0 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks that the stage left what it must: each file output exists, is not
 * empty and — with `must_change` — was created or changed by the stage; each
 * value output was reported with its type. An agent that exits 0 having
 * done nothing fails here, with the missing output named.
 */
export async function verifyOutputs(options: {
  cwd: string;
  expected: readonly ExpectedOutput[];
  changed: ReadonlySet<string>;
  values: Record<string, unknown>;
}): Promise<VerifiedOutputs> {
  const outputs: Record<string, unknown> = {};
  const problems: string[] = [];
  let files: string[] | undefined;
  for (const output of options.expected) {
    if (output.type !== "file") {
      const value = options.values[output.name];
      if (value === undefined || value === null) {
        if (output.required)
          problems.push(
            `the stage did not report its ${output.type} output '${output.name}'`,
          );
      } else if (!KINDS[output.type]?.(value)) {
        problems.push(
          `output '${output.name}' should be ${output.type === "array" || output.type === "object" ? "an" : "a"} ${output.type}`,
        );
      } else {
        outputs[output.name] = value;
      }
      continue;
    }
    const pattern = output.path ?? "";
    if (pattern === "") {
      if (output.required)
        problems.push(`the file output '${output.name}' has no path to check`);
      continue;
    }
    const glob = picomatch.scan(pattern).isGlob;
    let candidates = [pattern];
    if (glob) {
      files ??= (
        await git(options.cwd, [
          "ls-files",
          "--cached",
          "--others",
          "--exclude-standard",
          "-z",
        ])
      )
        .split("\0")
        .filter(Boolean);
      const match = picomatch(pattern, { dot: true });
      candidates = files.filter((f) => match(f)).sort();
    }
    const present: string[] = [];
    let empty = false;
    for (const candidate of candidates) {
      const ok = await nonEmptyFile(join(options.cwd, candidate));
      if (ok === false) empty = true;
      if (ok) present.push(candidate);
    }
    const changed = output.must_change
      ? present.filter((p) => options.changed.has(p))
      : present;
    const chosen = changed[0];
    if (chosen !== undefined) {
      outputs[output.name] = chosen;
    } else if (output.required) {
      problems.push(
        present.length > 0
          ? `${pattern} was not ${glob ? "created or changed" : "changed"} by the stage`
          : empty
            ? `${pattern} is empty`
            : `${pattern} was not produced`,
      );
    }
  }
  return { outputs, problems };
}
