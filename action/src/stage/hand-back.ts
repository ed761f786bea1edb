import { join } from "node:path";
import type { Changes } from "../../../src/contracts/changes.js";
import type { StageRequest } from "../../../src/contracts/stage-request.js";
import type {
  ExecutionPath,
  StageResult,
} from "../../../src/contracts/stage-result.js";
import { type BundleFiles, writeBundle } from "../bundle.js";
import type { Masker } from "../mask.js";
import type { WorkerStartupProfile } from "../preflight.js";
import { renderSummary } from "../summary.js";
import { buildStageResult } from "./build-stage-result.js";
import { findSpecDir } from "./find-spec-dir.js";
import type { Attempt } from "./run-attempt.js";
import type { StageDependencies, StageOutcome } from "./stage-dependencies.js";

type Phase = StageResult["phases"][number];

/** What the stage hands back, unmasked: the outcome, and the bundle if one is written. */
interface Unmasked {
  outcome: Omit<StageOutcome, "summary" | "bundle">;
  files?: BundleFiles;
}

/**
 * The one place anything leaves the stage: the bundle's files and the
 * outcome the step's outputs, failure message and summary are made from
 * are masked here, in one walk over all of it with one rule (every string,
 * however deep, before it is serialised). A field or file added later is
 * masked without anyone remembering to.
 */
async function handOver(
  mask: Masker,
  deps: StageDependencies,
  unmasked: Unmasked,
  directory: string,
  retentionDays: number,
): Promise<StageOutcome> {
  const { outcome, files } = mask.value({
    ...unmasked,
    outcome: { ...unmasked.outcome, summary: renderSummary(unmasked.outcome) },
  });
  if (files === undefined) return { ...outcome, bundle: [] };
  const paths = await writeBundle(directory, files);
  let uploaded: { id?: number | undefined };
  try {
    uploaded = await deps.uploader.upload(
      outcome.artifactName,
      paths,
      directory,
      retentionDays,
    );
  } catch (error) {
    throw new Error(
      `could not upload the result bundle ${outcome.artifactName}, so the App cannot take the stage's work: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  deps.log.info(
    `specwright: uploaded the result bundle ${outcome.artifactName}${uploaded.id ? ` (artifact ${uploaded.id})` : ""}`,
  );
  return {
    ...outcome,
    bundle: paths,
    ...(uploaded.id ? { artifactId: uploaded.id } : {}),
  };
}

/** A dry run's outcome: nothing was run, and no bundle is written. */
export function handBackDryRun(
  mask: Masker,
  deps: StageDependencies,
  outcome: Unmasked["outcome"],
): Promise<StageOutcome> {
  return handOver(mask, deps, { outcome }, "", 0);
}

/**
 * 5. The bundle, uploaded whatever happened. A failed stage's changes
 * travel too, for the record; the App commits none.
 */
export async function handBack(options: {
  mask: Masker;
  request: StageRequest;
  deps: StageDependencies;
  profile: WorkerStartupProfile;
  phases: Phase[];
  path: ExecutionPath;
  failure: string | null;
  final: Attempt | undefined;
  started: Date;
}): Promise<StageOutcome> {
  const { request, deps, profile, phases, final } = options;
  const changes: Changes = final?.changes ?? {
    base_sha: request.base_sha,
    files: [],
  };
  const outputs = final?.outputs ?? {};
  const result = buildStageResult({
    request,
    profile,
    status: options.failure === null ? "succeeded" : "failed",
    path: options.path,
    error: options.failure,
    phases,
    durationMs: deps.now().getTime() - options.started.getTime(),
    final,
    outputs,
    specDir: await findSpecDir(request, deps.cwd, outputs, changes),
  });
  const bundleStart = deps.now();
  const files: BundleFiles = {
    result: {
      ...result,
      phases: [
        ...phases,
        {
          phase: "bundle",
          status: "succeeded",
          started_at: bundleStart.toISOString(),
          completed_at: deps.now().toISOString(),
        },
      ],
    },
    changes,
    stdout: final?.run.stdout ?? "",
    stderr: final?.run.stderr ?? "",
    diffSummary: final?.diffSummary ?? "",
    environment: profile,
    metrics: {
      duration_ms: deps.now().getTime() - options.started.getTime(),
      agent_duration_ms: final?.run.durationMs ?? 0,
      exit_code: final?.run.exitCode ?? null,
      timed_out: final?.run.timedOut ?? false,
      changed_files: changes.files.length,
      usage: final?.run.usage ?? null,
      command: final?.run.commandLine ?? null,
    },
  };
  const directory = join(
    deps.tempDir,
    `specwright-bundle-${request.run_id}-${request.stage}-${request.attempt}`,
  );
  return handOver(
    options.mask,
    deps,
    {
      outcome: {
        result,
        profile,
        changes,
        artifactName: request.artifact.name,
      },
      files,
    },
    directory,
    request.artifact.retention_days,
  );
}
