import type { StageRequest } from "../../../src/contracts/stage-request.js";
import {
  type ExecutionPath,
  type Finding,
  fitWarnings,
  type StageResult,
  type Usage,
} from "../../../src/contracts/stage-result.js";
import type { WorkerStartupProfile } from "../preflight.js";
import type { Attempt } from "./run-attempt.js";

/** The StageResult for the stage as it ended (`result.json`). */
export function buildStageResult(options: {
  request: StageRequest;
  profile: WorkerStartupProfile;
  status: "succeeded" | "failed";
  path: ExecutionPath;
  error: string | null;
  phases: StageResult["phases"];
  durationMs: number;
  final?: Attempt | undefined;
  outputs?: Record<string, unknown>;
  specDir?: string | null;
}): StageResult {
  const { request, profile, final } = options;
  const usage: Usage | null = final?.run.usage ?? null;
  const findings: Finding[] = final?.findings ?? [];
  const finalMessage = final?.run.finalMessage ?? null;
  const size = (text: string | undefined) => Buffer.byteLength(text ?? "");
  return {
    version: 1,
    run_id: request.run_id,
    stage: request.stage,
    attempt: request.attempt,
    status: options.status,
    execution_path: options.path,
    selected_skill_id: options.path === "direct_only" ? null : request.skill.id,
    duration_ms: Math.max(0, options.durationMs),
    outputs: options.outputs ?? {},
    spec_dir: options.specDir ?? request.spec_dir,
    artifacts: [
      {
        type: "stdout_log",
        name: "stdout.log",
        size_bytes: size(final?.run.stdout),
      },
      {
        type: "stderr_log",
        name: "stderr.log",
        size_bytes: size(final?.run.stderr),
      },
      {
        type: "diff_summary",
        name: "diff-summary.txt",
        size_bytes: size(final?.diffSummary),
      },
      {
        type: "environment_info",
        name: "environment.json",
        size_bytes: size(JSON.stringify(profile)),
      },
    ],
    error_message: options.error,
    phases: options.phases,
    usage,
    agent: { backend: request.agent.backend, version: profile.agent.version },
    findings,
    final_message: finalMessage ? finalMessage.slice(-20_000) : null,
    warnings: fitWarnings(profile.warnings),
    ...(final?.run.limit ? { stopped_by: final.run.limit.stoppedBy } : {}),
  };
}
