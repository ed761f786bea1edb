import type { Attempt, RunState, StageRun } from "../engine/run-state.js";
import { formatDuration } from "../workflow/duration.js";
import type { StageStatus } from "../workflow/expressions/namespaces.js";

/** GitHub refuses comments over 65,536 characters; keep a margin. */
export const MAX_COMMENT_LENGTH = 65_000;

/** A word and a mark for each status, the same everywhere Specwright reports. */
export const STATUS_LABELS: Readonly<Record<StageStatus, string>> = {
  pending: "⏳ pending",
  waiting_approval: "✋ waiting for approval",
  dispatched: "🚀 dispatched",
  running: "🔄 running",
  retrying: "🔁 retrying",
  succeeded: "✅ succeeded",
  failed: "❌ failed",
  timed_out: "⌛ timed out",
  cancelled: "🚫 cancelled",
  skipped: "⏭️ skipped",
};

/** How long an attempt took, or has been running. */
export function attemptDuration(
  attempt: Attempt,
  now: Date,
): string | undefined {
  const start = attempt.started_at ?? attempt.dispatched_at;
  const end =
    attempt.completed_at ??
    (attempt.status === "running" ? now.toISOString() : null);
  if (end === null) return undefined;
  return formatDuration(Math.max(0, Date.parse(end) - Date.parse(start)));
}

export function checkRunUrl(
  state: RunState,
  attempt: Attempt,
): string | undefined {
  return attempt.check_run_id === null
    ? undefined
    : `${repoUrl(state)}/runs/${attempt.check_run_id}`;
}

export function stageTitle(state: RunState, stage: StageRun): string {
  const def = state.workflow.stages.find((s) => s.id === stage.id);
  return def?.name ?? stage.id;
}

/** Text safe inside a Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

export { inline, linkText } from "../workflow/markdown-text.js";

/** The end of a prefix of `text` at most `end` long, not inside a surrogate pair. */
function safeEnd(text: string, end: number): number {
  if (end <= 0) return 0;
  const last = text.charCodeAt(end - 1);
  return last >= 0xd800 && last <= 0xdbff ? end - 1 : end;
}

/** The start of a suffix of `text`, moved past a lone low surrogate. */
function safeStart(text: string, start: number): number {
  if (start >= text.length) return text.length;
  const first = text.charCodeAt(start);
  return first >= 0xdc00 && first <= 0xdfff ? start + 1 : start;
}

/**
 * Cuts text to `max` characters at most, saying so. It never splits a
 * surrogate pair, which GitHub would store as a replacement character.
 */
export function truncate(
  text: string,
  max: number,
  note = "\n\n… (cut to fit GitHub's limit)",
): string {
  if (text.length <= max) return text;
  const end = safeEnd(text, Math.max(0, max - note.length));
  return `${text.slice(0, end)}${note}`;
}

/**
 * Keeps the end of text (a log's last lines matter most), at most `max`
 * characters, and says how much was left out at the start.
 */
export function truncateStart(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = (left: number) =>
    `… (${left.toLocaleString("en-US")} earlier characters left out)\n`;
  const start = safeStart(
    text,
    text.length - Math.max(0, max - note(text.length).length),
  );
  return `${note(start)}${text.slice(start)}`;
}

/**
 * A fenced code block that its text cannot close: the fence is longer than
 * any run of backticks inside (CommonMark closes a fence only with one at
 * least as long).
 */
export function codeBlock(text: string, info = ""): string {
  let longest = 2;
  let run = 0;
  for (const char of text) {
    run = char === "`" ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  const fence = "`".repeat(longest + 1);
  return `${fence}${info}\n${text.trimEnd()}\n${fence}`;
}

/**
 * As many of `lines` as fit in `budget` characters (joined by newlines),
 * then `more(n)` for the `n` left out.
 */
export function fitLines(
  lines: readonly string[],
  budget: number,
  more: (left: number) => string,
  limit = Number.POSITIVE_INFINITY,
): string[] {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (kept.length >= limit || used + line.length + 1 > budget) break;
    kept.push(line);
    used += line.length + 1;
  }
  return kept.length < lines.length
    ? [...kept, more(lines.length - kept.length)]
    : kept;
}

/** `2025-01-02 03:05 UTC`, with seconds when there are any. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date.toISOString();
  const seconds = text.slice(17, 19);
  return `${text.slice(0, 10)} ${text.slice(11, 16)}${seconds === "00" ? "" : `:${seconds}`} UTC`;
}

/** `1 file`, `3 files`. */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? word : many}`;
}

/** The repository's web address: the one GitHub gave, else on github.com. */
export function repoUrl(
  state: Pick<RunState, "owner" | "repo" | "html_url">,
): string {
  return state.html_url ?? `https://github.com/${state.owner}/${state.repo}`;
}

/** Each segment encoded, parentheses too: a `)` would end a Markdown link. */
function encodePath(path: string): string {
  return path
    .split("/")
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[()]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join("/");
}

/** A file as it is on a branch (or at a commit). */
export function blobUrl(
  state: Pick<RunState, "owner" | "repo">,
  ref: string,
  path: string,
): string {
  return `${repoUrl(state)}/blob/${encodePath(ref)}/${encodePath(path)}`;
}

/** A branch's files. */
export function treeUrl(
  state: Pick<RunState, "owner" | "repo">,
  branch: string,
): string {
  return `${repoUrl(state)}/tree/${encodePath(branch)}`;
}

export function commitUrl(
  state: Pick<RunState, "owner" | "repo">,
  sha: string,
): string {
  return `${repoUrl(state)}/commit/${sha}`;
}

/** The run's tracking comment, where it is now; undefined before it exists. */
export function trackingCommentUrl(state: RunState): string | undefined {
  const number = state.tracking_comment_on ?? state.issue?.number;
  if (state.tracking_comment_id === null || number === undefined)
    return undefined;
  return `${repoUrl(state)}/issues/${number}#issuecomment-${state.tracking_comment_id}`;
}

/**
 * A check run's button. GitHub takes at most three, with a label of at most
 * 20 characters, a description of at most 40 and an identifier of at most 20.
 * https://docs.github.com/en/rest/checks/runs#check-runs-and-requested-actions
 */
export interface CheckRunAction {
  label: string;
  description: string;
  identifier: string;
}

/** The identifiers of Specwright's check-run buttons (`requested_action`). */
export const APPROVE_ACTION = "approve";
export const REJECT_ACTION = "reject";
export const RETRY_ACTION = "retry";

/** Text cut to `max` characters with an ellipsis (a button's label or description). */
export function clip(text: string, max: number): string {
  return truncate(text, max, "…");
}
