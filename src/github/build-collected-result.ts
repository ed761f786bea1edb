import type { ResultBundle } from "../contracts/read-result-bundle.js";
import type { ArtifactType } from "../contracts/stage-result.js";
import type { CollectedResult } from "../engine/events.js";
import type { AttemptArtifact } from "../engine/run-state.js";
import { toValue, type Value } from "../workflow/expressions/values.js";
import { redactSecrets } from "./untrusted-text.js";

/** What each file of a bundle is, in the seeds' artifact types. */
export const ARTIFACT_TYPES: Readonly<Record<string, ArtifactType>> = {
  "result.json": "commit_status",
  "changes.json": "diff_summary",
  "diff-summary.txt": "diff_summary",
  "stdout.log": "stdout_log",
  "stderr.log": "stderr_log",
  "environment.json": "environment_info",
  "metrics.json": "metrics_snapshot",
};

/** What a check run shows of the agent's last message and of its log. */
const MAX_FINAL_MESSAGE = 8_000;
const MAX_LOG_TAIL = 6_000;
const LOG_TAIL_LINES = 40;

/** GitHub keeps artifacts this long unless the repository says otherwise. */
const DEFAULT_RETENTION_MS = 7 * 86_400_000;

/**
 * How far a cut may move to fall between words: a credential is one word,
 * so a cut there leaves none of one behind (a cut inside one could keep
 * most of it, without the prefix that gives it away).
 */
const WORD_SLACK = 200;

/**
 * Text cut to `max` characters at the end, between words where one ends
 * near the cut, never inside a surrogate pair. Credentials are taken out
 * first, while they are whole.
 */
function cut(raw: string, max: number): string {
  const text = redactSecrets(raw);
  if (text.length <= max) return text;
  let end = max - 1;
  const space = text.slice(0, end).search(/\s\S*$/);
  if (space !== -1 && space >= end - WORD_SLACK) end = space;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** The end of text, at most `max` characters, from the start of a word. */
function cutStart(text: string, max: number): string {
  if (text.length <= max) return text;
  let start = text.length - max + 1;
  const space = text.slice(start, start + WORD_SLACK).search(/\s/);
  if (space !== -1) start += space + 1;
  const first = text.charCodeAt(start);
  if (first >= 0xdc00 && first <= 0xdfff) start++;
  return `…${text.slice(start)}`;
}

/** The last lines of the agent's error output, or of its output without it. */
function logTail(bundle: ResultBundle): string | null {
  for (const file of ["stderr.log", "stdout.log"]) {
    const bytes = bundle.files.get(file);
    if (bytes === undefined) continue;
    const lines = new TextDecoder().decode(bytes).trimEnd().split("\n");
    const tail = redactSecrets(lines.slice(-LOG_TAIL_LINES).join("\n"));
    if (tail.trim() === "") continue;
    return cutStart(tail, MAX_LOG_TAIL);
  }
  return null;
}

/** The bundle's files as the attempt's artifact records. */
export function artifactRecords(
  bundle: ResultBundle,
  zip: Uint8Array,
  artifact: { id: number; expires_at: string | null },
  now: Date,
): AttemptArtifact[] {
  const { result, changes } = bundle;
  const expiresAt =
    artifact.expires_at ??
    new Date(now.getTime() + DEFAULT_RETENTION_MS).toISOString();
  const artifacts: AttemptArtifact[] = [];
  for (const [file, type] of Object.entries(ARTIFACT_TYPES)) {
    const bytes =
      file === "result.json" || file === "changes.json"
        ? zip
        : bundle.files.get(file);
    if (bytes === undefined) continue;
    artifacts.push({
      type,
      name: file,
      size_bytes:
        file === "result.json"
          ? JSON.stringify(result).length
          : file === "changes.json"
            ? JSON.stringify(changes).length
            : bytes.byteLength,
      storage_path: `${artifact.id}/${file}`,
      expires_at: expiresAt,
    });
  }
  return artifacts;
}

/**
 * What a validated result bundle contributes to the run, once the App has
 * judged it (`status`, `error`) and committed its changes (`commitSha` on
 * `parent`).
 */
export function buildCollectedResult(params: {
  bundle: ResultBundle;
  /** Where the bundle's files are kept (see {@link artifactRecords}). */
  artifacts: AttemptArtifact[];
  status: "succeeded" | "failed";
  error: string | null;
  commitSha: string | null;
  parent: string;
}): CollectedResult {
  const { bundle, status, commitSha } = params;
  const { result, changes } = bundle;
  return {
    status,
    execution_path: result.execution_path,
    selected_skill: result.selected_skill_id,
    agent_version: result.agent.version,
    outputs: Object.fromEntries(
      Object.entries(result.outputs).map(([k, v]) => [k, toValue(v)]),
    ) as Record<string, Value>,
    spec_dir: result.spec_dir,
    error_message:
      status === "failed" ? (params.error ?? "the stage failed") : null,
    phases: result.phases,
    usage: result.usage,
    findings: result.findings ?? [],
    final_message:
      result.final_message == null
        ? null
        : cut(result.final_message, MAX_FINAL_MESSAGE),
    log_tail: status === "failed" ? logTail(bundle) : null,
    warnings: result.warnings ?? [],
    commit_sha: commitSha,
    commit_parent: commitSha === null ? null : params.parent,
    changed_paths:
      commitSha === null ? [] : changes.files.map((file) => file.path),
    artifacts: params.artifacts,
  };
}
