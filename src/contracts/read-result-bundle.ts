import type { z } from "zod";
import { BundleError } from "./bundle-error.js";
import { BUNDLE_LIMITS } from "./bundle-limits.js";
import { type Changes, Changes as ChangesSchema } from "./changes.js";
import { checkChanges } from "./check-changes.js";
import { inflateBundle } from "./inflate-bundle.js";
import { StageResult } from "./stage-result.js";

export { BUNDLE_LIMITS, BundleError };

export interface BundleExpectation {
  run_id: string;
  stage: string;
  attempt: number;
  /** The branch head the attempt was dispatched against. */
  base_sha: string;
  /** Globs no change may touch. */
  protected_paths: readonly string[];
}

export interface ResultBundle {
  result: StageResult;
  changes: Changes;
  /** The other files (logs, summaries), by name. */
  files: Map<string, Uint8Array>;
}

function issues(error: z.ZodError, file: string): string[] {
  return error.issues.map(
    (i) =>
      `${file}: ${i.path.length > 0 ? `${i.path.join(".")}: ` : ""}${i.message}`,
  );
}

function parseJson(bytes: Uint8Array | undefined, file: string): unknown {
  if (bytes === undefined) throw new BundleError([`${file} is missing`]);
  const text = new TextDecoder().decode(bytes);
  // The App stores the result (PostgreSQL keeps no U+0000 in text or JSON);
  // changes.json's contents go to GitHub, where a NUL is a file's business.
  if (
    file === "result.json" &&
    (/(^|[^\\])\\u0000/.test(text) || text.includes("\0"))
  ) {
    throw new BundleError([`${file} contains a NUL character (\\u0000)`]);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new BundleError([`${file} is not valid JSON`]);
  }
}

/**
 * Reads and validates one attempt's result bundle (the artifact's zip)
 * before the App trusts any of it: the zip is unpacked by
 * {@link inflateBundle}, which trusts none of its declared sizes, then
 * {@link checkResultBundle} checks its files. Throws {@link BundleError}
 * listing every problem.
 */
export async function readResultBundle(
  zip: Uint8Array,
  expected: BundleExpectation,
): Promise<ResultBundle> {
  return checkResultBundle(await inflateBundle(zip), expected);
}

/**
 * Checks a bundle's files (a zip's, or a local run's step folder's): the
 * schemas of `result.json` and `changes.json`, that it answers the attempt
 * that was dispatched and was made against the branch head dispatched, and
 * that every changed path is a plain repository path outside the protected
 * ones. Throws {@link BundleError} listing every problem.
 */
export function checkResultBundle(
  entries: ReadonlyMap<string, Uint8Array>,
  expected: BundleExpectation,
): ResultBundle {
  const problems: string[] = [];
  const result = StageResult.safeParse(
    parseJson(entries.get("result.json"), "result.json"),
  );
  const changes = ChangesSchema.safeParse(
    parseJson(entries.get("changes.json"), "changes.json"),
  );
  if (!result.success) problems.push(...issues(result.error, "result.json"));
  if (!changes.success) problems.push(...issues(changes.error, "changes.json"));
  if (!result.success || !changes.success) throw new BundleError(problems);

  const r = result.data;
  if (
    r.run_id !== expected.run_id ||
    r.stage !== expected.stage ||
    r.attempt !== expected.attempt
  ) {
    problems.push(
      `result.json answers run ${r.run_id} stage ${r.stage} attempt ${r.attempt}, not the dispatched run ${expected.run_id} stage ${expected.stage} attempt ${expected.attempt}`,
    );
  }
  const c = changes.data;
  if (c.base_sha !== expected.base_sha) {
    problems.push(
      `changes.json is against ${c.base_sha}, not the dispatched branch head ${expected.base_sha}`,
    );
  }
  problems.push(...checkChanges(c.files, expected.protected_paths));
  if (problems.length > 0) throw new BundleError(problems);

  const files = new Map<string, Uint8Array>();
  for (const [name, bytes] of entries) {
    if (name !== "result.json" && name !== "changes.json")
      files.set(name, bytes);
  }
  return { result: r, changes: c, files };
}
