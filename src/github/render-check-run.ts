import {
  type Attempt,
  currentAttempt,
  type RunState,
  type StageRun,
} from "../engine/run-state.js";
import { renderAnnotations, SEVERITIES } from "./render-annotations.js";
import { facts } from "./render-check-run-facts.js";
import {
  artifactsSection,
  details,
  filesSection,
  findingsSection,
  logSection,
  MAX_CHECK_TEXT,
  messageSection,
} from "./render-check-run-sections.js";
import { warningsSection } from "./render-check-run-warnings.js";
import { checkRunProblems, describeProblem } from "./render-problems.js";
import {
  type CheckRunAction,
  cell,
  clip,
  codeBlock,
  formatTime,
  inline,
  plural,
  RETRY_ACTION,
  stageTitle,
  truncate,
} from "./render-status.js";
import { untrusted } from "./untrusted-text.js";

export { MAX_CHECK_TEXT } from "./render-check-run-sections.js";

/** The summary's share for why the attempt failed. */
const MAX_ERROR = 4_000;

type Conclusion = "success" | "failure" | "timed_out" | "cancelled" | "skipped";

const CONCLUSIONS: Partial<Record<Attempt["status"], Conclusion>> = {
  succeeded: "success",
  failed: "failure",
  timed_out: "timed_out",
  cancelled: "cancelled",
  skipped: "skipped",
};

export interface CheckRunFields {
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion?: Conclusion;
  started_at?: string;
  completed_at?: string;
  details_url?: string;
  output: { title: string; summary: string; text?: string };
  /** Buttons; an empty list removes earlier ones. */
  actions: CheckRunAction[];
}

export function checkRunName(state: RunState, stage: StageRun): string {
  return `Specwright: ${stageTitle(state, stage)}`;
}

/** The attempt's next one is scheduled: the stage is `retrying` after it. */
function retryAt(stage: StageRun, attempt: Attempt): string | undefined {
  return stage.status === "retrying" && currentAttempt(stage) === attempt
    ? (stage.retry_at ?? undefined)
    : undefined;
}

function firstLine(text: string, max: number): string {
  return clip(untrusted(text.trim().split(/\r?\n/)[0] ?? ""), max);
}

function title(state: RunState, stage: StageRun, attempt: Attempt): string {
  const name = stageTitle(state, stage);
  const retry = retryAt(stage, attempt);
  switch (attempt.status) {
    case "succeeded": {
      if (attempt.findings.length > 0) {
        const worst = SEVERITIES.find((s) =>
          attempt.findings.some((f) => f.severity === s),
        );
        const count = attempt.findings.filter(
          (f) => f.severity === worst,
        ).length;
        return `${name} succeeded: ${plural(attempt.findings.length, "finding")} (${count} ${worst})`;
      }
      return attempt.commit_sha === null
        ? `${name} succeeded without changes`
        : `${name} succeeded: ${plural(attempt.changed_paths.length, "file")} changed`;
    }
    case "failed":
    case "timed_out":
    case "cancelled": {
      const word =
        attempt.status === "failed"
          ? "failed"
          : attempt.status === "timed_out"
            ? "timed out"
            : "was cancelled";
      if (retry !== undefined)
        return `${name} ${word} (attempt ${attempt.attempt}); retrying at ${formatTime(retry)}`;
      return attempt.error_message && attempt.status !== "cancelled"
        ? `${name} ${word}: ${firstLine(attempt.error_message, 120)}`
        : `${name} ${word}`;
    }
    case "skipped":
      return `${name} was skipped`;
    case "running":
      return `${name} is running`;
    default:
      return `${name} is queued`;
  }
}

function lead(state: RunState, stage: StageRun, attempt: Attempt): string {
  const name = cell(inline(stageTitle(state, stage)));
  const n = `attempt ${attempt.attempt}`;
  switch (attempt.status) {
    case "succeeded":
      return attempt.commit_sha === null
        ? `### ✅ ${name} succeeded (${n}) without changing a file`
        : `### ✅ ${name} succeeded (${n}) and committed ${plural(attempt.changed_paths.length, "file")}`;
    case "failed":
      return `### ❌ ${name} failed (${n})`;
    case "timed_out":
      return `### ⌛ ${name} timed out (${n})`;
    case "cancelled":
      return `### 🚫 ${name} was cancelled (${n})`;
    case "skipped":
      return `### ⏭️ ${name} was skipped`;
    case "running":
      return `### 🔄 ${name} is running (${n})`;
    default:
      return `### ⏳ ${name} is queued (${n}): it waits for a runner`;
  }
}

function errorSection(attempt: Attempt): string[] {
  const error = attempt.error_message?.trim();
  if (!error) return [];
  const label =
    attempt.status === "cancelled" ? "Why it stopped" : "Why it failed";
  // Credentials go while they are whole, before the cut.
  return error.includes("\n")
    ? [
        `**${label}:**`,
        "",
        codeBlock(truncate(untrusted(error, "code"), MAX_ERROR, " …")),
      ]
    : [`**${label}:** ${truncate(untrusted(error), MAX_ERROR, " …")}`];
}

function retrySection(stage: StageRun, attempt: Attempt): string[] {
  const retry = retryAt(stage, attempt);
  if (retry === undefined) return [];
  return [
    `🔁 **Retrying:** attempt ${attempt.attempt + 1} starts at ${formatTime(retry)}.`,
  ];
}

/** Effects for this attempt that failed for good, and what to do. */
function problemsSection(
  state: RunState,
  stage: StageRun,
  attempt: Attempt,
): string[] {
  const problems = checkRunProblems(state, stage.id, attempt.attempt);
  if (problems.length === 0) return [];
  return [
    "#### Problems",
    "",
    ...problems.map((p) => `- ⚠️ ${describeProblem(state, p)}`),
  ];
}

/** The Retry button, for an attempt that failed for good in a run that can go on. */
function actions(
  state: RunState,
  stage: StageRun,
  attempt: Attempt,
): CheckRunAction[] {
  const failed = attempt.status === "failed" || attempt.status === "timed_out";
  if (
    !failed ||
    state.status === "cancelled" ||
    currentAttempt(stage) !== attempt ||
    stage.status === "retrying"
  )
    return [];
  return [
    {
      label: "Retry",
      description: clip(`Run ${stageTitle(state, stage)} again`, 40),
      identifier: RETRY_ACTION,
    },
  ];
}

function join(sections: string[][]): string {
  return sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join("\n"))
    .join("\n\n");
}

/**
 * A stage attempt's check run, as it should look now: the outcome in the
 * title; the summary with, on failure, why, then the runner's warnings,
 * how it ran (path, skill, agent), how long and at what cost, why it was
 * made, what it changed, its result bundle, and on failure the end of the
 * log; `analyze`'s findings and report. The Actions run is the details link.
 */
export function renderCheckRun(
  state: RunState,
  stage: StageRun,
  attempt: Attempt,
  now: Date,
): CheckRunFields {
  const conclusion = CONCLUSIONS[attempt.status];
  const planned = renderAnnotations(attempt.findings);
  const summary = join([
    [lead(state, stage, attempt)],
    errorSection(attempt),
    warningsSection(attempt),
    retrySection(stage, attempt),
    problemsSection(state, stage, attempt),
    facts(state, stage, attempt, now),
    filesSection(state, attempt),
    findingsSection(stage, attempt, planned),
    artifactsSection(state, attempt, now),
    logSection(attempt),
    messageSection(stage, attempt),
  ]);
  const text = details(state, attempt);
  return {
    name: checkRunName(state, stage),
    status:
      conclusion !== undefined
        ? "completed"
        : attempt.status === "running"
          ? "in_progress"
          : "queued",
    ...(conclusion === undefined
      ? {}
      : {
          conclusion,
          completed_at: attempt.completed_at ?? now.toISOString(),
        }),
    ...(attempt.started_at ? { started_at: attempt.started_at } : {}),
    ...(attempt.workflow_run_url
      ? { details_url: attempt.workflow_run_url }
      : {}),
    output: {
      title: clip(title(state, stage, attempt), 200),
      summary: truncate(summary, MAX_CHECK_TEXT),
      ...(text ? { text: truncate(text, MAX_CHECK_TEXT) } : {}),
    },
    actions: actions(state, stage, attempt),
  };
}
