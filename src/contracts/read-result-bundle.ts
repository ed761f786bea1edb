import { strFromU8, unzipSync } from "fflate";
import type { z } from "zod";
import { BUNDLE_LIMITS } from "./bundle-limits.js";
import { type Changes, Changes as ChangesSchema } from "./changes.js";
import { checkChanges } from "./check-changes.js";
import { StageResult } from "./stage-result.js";

export { BUNDLE_LIMITS };

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

/** A bundle the App will not trust, with every reason. */
export class BundleError extends Error {
  override name = "BundleError";
  constructor(readonly problems: string[]) {
    super(`specwright: the result bundle was refused: ${problems.join("; ")}`);
  }
}

function issues(error: z.ZodError, file: string): string[] {
  return error.issues.map(
    (i) =>
      `${file}: ${i.path.length > 0 ? `${i.path.join(".")}: ` : ""}${i.message}`,
  );
}

function parseJson(bytes: Uint8Array | undefined, file: string): unknown {
  if (bytes === undefined) throw new BundleError([`${file} is missing`]);
  const text = strFromU8(bytes);
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
 * before the App trusts any of it: sizes, the schemas of `result.json` and
 * `changes.json`, that it answers the attempt that was dispatched and was
 * made against the branch head dispatched, and that every changed path is a
 * plain repository path outside the protected ones. Throws
 * {@link BundleError} listing every problem.
 */
export function readResultBundle(
  zip: Uint8Array,
  expected: BundleExpectation,
): ResultBundle {
  if (zip.byteLength > BUNDLE_LIMITS.archiveBytes) {
    throw new BundleError([
      `the archive is ${zip.byteLength} bytes, over ${BUNDLE_LIMITS.archiveBytes}`,
    ]);
  }
  let total = 0;
  let count = 0;
  const oversized: string[] = [];
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, {
      filter(file) {
        count++;
        total += file.originalSize;
        if (file.originalSize > BUNDLE_LIMITS.totalBytes)
          oversized.push(file.name);
        return (
          count <= BUNDLE_LIMITS.entries && total <= BUNDLE_LIMITS.totalBytes
        );
      },
    });
  } catch (error) {
    throw new BundleError([
      `the archive cannot be read (${(error as Error).message})`,
    ]);
  }
  if (count > BUNDLE_LIMITS.entries) {
    throw new BundleError([
      `the archive has ${count} entries, over ${BUNDLE_LIMITS.entries}`,
    ]);
  }
  if (total > BUNDLE_LIMITS.totalBytes || oversized.length > 0) {
    throw new BundleError([
      `the archive unpacks to ${total} bytes, over ${BUNDLE_LIMITS.totalBytes}`,
    ]);
  }

  const problems: string[] = [];
  const result = StageResult.safeParse(
    parseJson(entries["result.json"], "result.json"),
  );
  const changes = ChangesSchema.safeParse(
    parseJson(entries["changes.json"], "changes.json"),
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
  for (const [name, bytes] of Object.entries(entries)) {
    if (name !== "result.json" && name !== "changes.json")
      files.set(name, bytes);
  }
  return { result: r, changes: c, files };
}
