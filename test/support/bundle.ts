import { strToU8, zipSync } from "fflate";
import type { ChangedFile } from "../../src/contracts/changes.js";
import type { StageResult } from "../../src/contracts/stage-result.js";

export interface BundleOptions {
  runId: string;
  stage: string;
  attempt?: number;
  baseSha: string;
  status?: "succeeded" | "failed";
  executionPath?: StageResult["execution_path"];
  outputs?: Record<string, unknown>;
  specDir?: string | null;
  files?: ChangedFile[];
  error?: string | null;
  /** The limit the action stopped the agent at. */
  stoppedBy?: StageResult["stopped_by"];
  /** Replaces result.json or changes.json with anything, or adds entries. */
  entries?: Record<string, string | Uint8Array>;
}

/** A result bundle zip, as the stage action would upload it. */
export function buildBundle(options: BundleOptions): Uint8Array {
  const executionPath = options.executionPath ?? "skill";
  const result = {
    version: 1,
    run_id: options.runId,
    stage: options.stage,
    attempt: options.attempt ?? 1,
    status: options.status ?? "succeeded",
    execution_path: executionPath,
    selected_skill_id: executionPath === "direct_only" ? null : "speckit",
    duration_ms: 61_000,
    outputs: options.outputs ?? {},
    spec_dir: options.specDir ?? null,
    artifacts: [
      { type: "stdout_log", name: "stdout.log", size_bytes: 12 },
      { type: "stderr_log", name: "stderr.log", size_bytes: 0 },
    ],
    error_message: options.error ?? null,
    phases: [
      {
        phase: "preflight",
        status: "succeeded",
        started_at: "2026-11-21T10:00:00Z",
        completed_at: "2026-11-21T10:00:01Z",
      },
      {
        phase: "agent",
        status: "succeeded",
        started_at: "2026-11-21T10:00:01Z",
        completed_at: "2026-11-21T10:01:01Z",
      },
    ],
    usage: { input_tokens: 1200, output_tokens: 800, cost_usd: 0.02 },
    agent: { backend: "claude", version: "2.1.0" },
    ...(options.stoppedBy ? { stopped_by: options.stoppedBy } : {}),
  };
  const changes = { base_sha: options.baseSha, files: options.files ?? [] };
  const entries: Record<string, Uint8Array> = {
    "result.json": strToU8(JSON.stringify(result)),
    "changes.json": strToU8(JSON.stringify(changes)),
    "stdout.log": strToU8("agent output"),
    "stderr.log": strToU8(""),
  };
  for (const [name, value] of Object.entries(options.entries ?? {})) {
    entries[name] = typeof value === "string" ? strToU8(value) : value;
  }
  return zipSync(entries);
}

/** A text file for changes.json. */
export function textFile(path: string, content: string): ChangedFile {
  return { path, mode: "100644", encoding: "utf8", content };
}
