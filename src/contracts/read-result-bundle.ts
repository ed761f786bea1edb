import { posix } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import picomatch from "picomatch";
import type { z } from "zod";
import { type Changes, Changes as ChangesSchema } from "./changes.js";
import { checkRepositoryPath } from "./check-repository-path.js";
import { StageResult } from "./stage-result.js";

/** Caps on what a bundle may hold; the App refuses anything bigger. */
export const BUNDLE_LIMITS = {
  /** The zip as downloaded. */
  archiveBytes: 100 * 1024 * 1024,
  /** Everything, uncompressed. */
  totalBytes: 100 * 1024 * 1024,
  /** One changed file's content, decoded. */
  fileBytes: 10 * 1024 * 1024,
  /** Changed paths. */
  files: 2_000,
  /** Zip entries. */
  entries: 50,
};

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

/** A symbolic link's target, resolved from its directory, stays in the repository. */
function linkStaysInside(link: string, target: string): boolean {
  if (target.startsWith("/") || target.includes("\0")) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(link), target));
  return (
    resolved !== ".." &&
    !resolved.startsWith("../") &&
    checkRepositoryPath(resolved) === undefined
  );
}

function decodedSize(file: {
  encoding: "utf8" | "base64";
  content: string;
}): number {
  if (file.encoding === "utf8") return Buffer.byteLength(file.content, "utf8");
  const padding = file.content.endsWith("==")
    ? 2
    : file.content.endsWith("=")
      ? 1
      : 0;
  return (file.content.length / 4) * 3 - padding;
}

/** Canonical base64, as encoders write it: whole quanta, padding only at the end. */
function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
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
  if (c.files.length > BUNDLE_LIMITS.files) {
    problems.push(
      `changes.json lists ${c.files.length} files, over ${BUNDLE_LIMITS.files}`,
    );
  }
  const isProtected = picomatch(expected.protected_paths as string[], {
    dot: true,
  });
  const seen = new Set<string>();
  for (const file of c.files) {
    const reason = checkRepositoryPath(file.path);
    if (reason !== undefined) {
      problems.push(`changes.json: '${file.path}': ${reason}`);
      continue;
    }
    if (seen.has(file.path))
      problems.push(`changes.json: '${file.path}' is listed twice`);
    seen.add(file.path);
    if (expected.protected_paths.length > 0 && isProtected(file.path)) {
      problems.push(
        `changes.json: '${file.path}' is a protected path (protected_paths in .github/specwright.yml)`,
      );
    }
    if ("content" in file) {
      const valid = file.encoding === "utf8" || isBase64(file.content);
      const size = valid ? decodedSize(file) : 0;
      if (size > BUNDLE_LIMITS.fileBytes) {
        problems.push(
          `changes.json: '${file.path}' is ${size} bytes, over ${BUNDLE_LIMITS.fileBytes}`,
        );
      }
      if (file.encoding === "base64" && !valid) {
        problems.push(`changes.json: '${file.path}' is not valid base64`);
      }
      const target =
        file.encoding === "base64" && valid
          ? Buffer.from(file.content, "base64").toString("utf8")
          : file.content;
      if (file.mode === "120000" && !linkStaysInside(file.path, target)) {
        problems.push(
          `changes.json: the symbolic link '${file.path}' points outside the repository`,
        );
      }
    }
  }
  if (problems.length > 0) throw new BundleError(problems);

  const files = new Map<string, Uint8Array>();
  for (const [name, bytes] of Object.entries(entries)) {
    if (name !== "result.json" && name !== "changes.json")
      files.set(name, bytes);
  }
  return { result: r, changes: c, files };
}
