import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Changes } from "../../src/contracts/changes.js";
import type { StageResult } from "../../src/contracts/stage-result.js";

/** Uploads the bundle; `@actions/artifact` in a job, something observable in tests. */
export interface ArtifactUploader {
  upload(
    name: string,
    files: string[],
    rootDirectory: string,
    retentionDays: number,
  ): Promise<{ id?: number | undefined; size?: number | undefined }>;
}

export interface BundleFiles {
  result: StageResult;
  changes: Changes;
  stdout: string;
  stderr: string;
  diffSummary: string;
  environment: unknown;
  metrics: unknown;
}

/**
 * Writes the result bundle, laid out like a persisted step: result.json,
 * changes.json, the agent's logs, the diff summary, the runner's profile
 * and metrics. Returns the files' paths.
 */
export async function writeBundle(
  directory: string,
  bundle: BundleFiles,
): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const files: [string, string][] = [
    ["result.json", `${JSON.stringify(bundle.result, null, 2)}\n`],
    ["changes.json", JSON.stringify(bundle.changes)],
    ["stdout.log", bundle.stdout],
    ["stderr.log", bundle.stderr],
    ["diff-summary.txt", bundle.diffSummary],
    ["environment.json", `${JSON.stringify(bundle.environment, null, 2)}\n`],
    ["metrics.json", `${JSON.stringify(bundle.metrics, null, 2)}\n`],
  ];
  const paths: string[] = [];
  for (const [name, content] of files) {
    const path = join(directory, name);
    await writeFile(path, content);
    paths.push(path);
  }
  return paths;
}
