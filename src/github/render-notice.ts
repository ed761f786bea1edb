import type { Notice } from "../engine/effects.js";
import { expressionScope } from "../engine/expression-scope.js";
import {
  currentAttempt,
  findStage,
  type RunState,
  type StageRun,
} from "../engine/run-state.js";
import { gateDeadline } from "../engine/timers.js";
import { evaluateExpression } from "../workflow/expressions/evaluate-expression.js";
import {
  hasExpressions,
  parseTemplate,
} from "../workflow/expressions/parse-template.js";
import { toText } from "../workflow/expressions/values.js";
import { type Stage, stageGate, stageName } from "../workflow/schema.js";
import { budgetGateOf } from "./render-budget.js";
import { budgetGateLines } from "./render-budget-gate.js";
import {
  checkRunUrl,
  formatTime,
  inline,
  MAX_COMMENT_LENGTH,
  repoUrl,
  trackingCommentUrl,
  truncate,
} from "./render-status.js";
import { untrusted } from "./untrusted-text.js";

/** The hidden marker that finds a notice again (idempotent retries). */
export function noticeMarker(runId: string, key: string): string {
  return `<!-- specwright:notice=${runId}:${key} -->`;
}

function definition(state: RunState, id: string): Stage | undefined {
  return state.workflow.stages.find((s) => s.id === id);
}

/**
 * A gate's message with its `${{ }}` filled in, or as written if that
 * fails. The workflow's words stay as written (a mention there is meant);
 * what the expressions bring in, such as a stage's outputs, is untrusted.
 */
export function gateMessage(state: RunState, def: Stage): string | undefined {
  const message = stageGate(def)?.message;
  if (message === undefined || !hasExpressions(message)) return message;
  try {
    const scope = expressionScope(state);
    return parseTemplate(message)
      .map((part) =>
        part.kind === "text"
          ? part.text
          : untrusted(
              toText(evaluateExpression(part.expression, scope)),
              "markdown",
            ),
      )
      .join("");
  } catch {
    return message;
  }
}

/** `a`, `a or b`, `a, b or c`. */
function either(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** Who may approve a gate, in words. */
export function approversText(def: Stage): string {
  const gate = stageGate(def);
  if (gate === undefined) return "nobody";
  return gate.approvers
    ? `${either(gate.approvers.map((a) => `@${a}`))} (with ${gate.permission} permission on the repository)`
    : `anyone with ${gate.permission} permission on the repository`;
}

/**
 * How to approve or reject a waiting stage: the commands, the label for
 * `implement`, the check run's button (`on: "check run"` when the text is
 * on that check run, where the button is right above).
 */
export function approvalHowTo(
  state: RunState,
  def: Stage,
  on: "comment" | "check run" = "comment",
): string {
  const stage = findStage(state, def.id);
  const button =
    on === "check run"
      ? "press **Approve** above"
      : stage?.gate_check_run_id != null
        ? `press **Approve** on [its check run](${repoUrl(state)}/runs/${stage.gate_check_run_id})`
        : "press **Approve** on its check run";
  const ways = [
    `comment \`/approve ${def.id}\`${def.id === "implement" ? " (or `/implement`)" : ""}`,
    ...(def.id === "implement" && state.pull_request
      ? ["add the `specwright:implement` label to the pull request"]
      : []),
    ...(state.head_sha !== null ? [button] : []),
  ];
  return `To go on, ${either(ways)}. To stop the run, comment \`/reject ${def.id} <reason>\`${on === "check run" ? " or press **Reject**" : ""}.`;
}

const ON_TIMEOUT = {
  halt: "the run stops",
  approve: "the stage is approved and runs",
  skip: "the stage and those after it are skipped",
} as const;

/** When a waiting gate times out and what happens then; undefined if not waiting. */
export function gateDeadlineText(
  def: Stage,
  stage: StageRun,
): string | undefined {
  const gate = stageGate(def);
  const deadline = gateDeadline(def, stage);
  if (gate === undefined || deadline === undefined) return undefined;
  const at = new Date(deadline).toISOString();
  return `If nobody decides by ${formatTime(at)}, ${ON_TIMEOUT[gate.on_timeout]}.`;
}

/** A quoted block of text from the workflow or an agent, kept as Markdown. */
export function quote(text: string): string {
  return text
    .trim()
    .split(/\r?\n/)
    .map((line) => `> ${line.replace(/<!--/g, "&lt;!--")}`)
    .join("\n");
}

function gateWaiting(state: RunState, stageId: string): string[] {
  const def = definition(state, stageId);
  const stage = findStage(state, stageId);
  if (def === undefined || stage === undefined) return [];
  if (budgetGateOf(stage) !== undefined) {
    return [
      `💰 @${state.requested_by} **${inline(stageName(def))}** is held at a budget gate.`,
      "",
      ...budgetGateLines(state, stage, stageName(def), "comment").slice(2),
    ];
  }
  const message = gateMessage(state, def);
  const deadline = gateDeadlineText(def, stage);
  const what =
    def.type === "gate" ? "before the run goes on" : "before it runs";
  return [
    `✋ @${state.requested_by} **${inline(stageName(def))}** is waiting for approval ${what}.`,
    ...(message ? ["", quote(message)] : []),
    "",
    `Who may approve: ${approversText(def)}.`,
    "",
    approvalHowTo(state, def),
    ...(deadline ? ["", deadline] : []),
  ];
}

function links(state: RunState, stage: StageRun | undefined): string[] {
  const attempt = stage ? currentAttempt(stage) : undefined;
  if (attempt === undefined) return [];
  const check = checkRunUrl(state, attempt);
  return [
    ...(check ? [`[check run](${check})`] : []),
    ...(attempt.workflow_run_url
      ? [`[Actions run](${attempt.workflow_run_url})`]
      : []),
  ];
}

function stageFailed(state: RunState, stageId: string): string[] {
  const def = definition(state, stageId);
  const stage = findStage(state, stageId);
  const attempts = stage?.attempts.length ?? 0;
  const name = def ? stageName(def) : stageId;
  const policy = def?.error_policy.on_failure;
  const seeAlso = links(state, stage);
  const last = stage ? currentAttempt(stage) : undefined;
  const button =
    last?.check_run_id != null &&
    (last.status === "failed" || last.status === "timed_out");
  return [
    `❌ @${state.requested_by} **${inline(name)}** failed${attempts > 0 ? ` after ${attempts === 1 ? "1 attempt" : `${attempts} attempts`}` : ""}: ${untrusted(stage?.reason ?? "see its check run")}`,
    ...(seeAlso.length > 0 ? ["", `Details: ${seeAlso.join(" · ")}.`] : []),
    "",
    policy === "skip_dependents"
      ? "The stages that depend on it are skipped; the others go on (`on_failure: skip_dependents`)."
      : "The run goes on (`on_failure: continue`); the stages after it can test its status.",
    "",
    `To run it again, and the stages after it that already ran, comment \`/retry ${stageId}\`${button ? " or press **Retry** on its check run" : ""}.`,
  ];
}

const OUTCOMES: Readonly<Record<RunState["status"], [string, string]>> = {
  queued: ["⏳", "is queued"],
  in_progress: ["🔄", "is in progress"],
  succeeded: ["✅", "finished"],
  no_changes: ["✅", "finished without changing anything"],
  failed: ["❌", "failed"],
  cancelled: ["🚫", "was cancelled"],
};

function runFinished(state: RunState): string[] {
  const pull = state.pull_request;
  const failed = state.stages.filter(
    (s) => s.status === "failed" || s.status === "timed_out",
  );
  const summary = state.result_summary
    ? `: ${untrusted(state.result_summary)}`
    : ".";
  const [mark, outcome] = OUTCOMES[state.status];
  const lines = [
    `${mark} @${state.requested_by} Specwright run \`${state.id}\` ${outcome}${summary}`,
  ];
  if (pull) {
    lines.push(
      "",
      state.status === "succeeded"
        ? `The work is ready for review in #${pull.number} (branch \`${inline(state.branch)}\`).`
        : `What was done is in #${pull.number} (branch \`${inline(state.branch)}\`).`,
    );
  }
  const first = failed[0];
  if (state.status === "failed" && first !== undefined) {
    lines.push(
      "",
      `To run \`${first.id}\` again and go on from there, comment \`/retry ${first.id}\`.`,
    );
  }
  const progress = trackingCommentUrl(state);
  if (progress)
    lines.push("", `Every stage: [the run's progress](${progress}).`);
  return lines;
}

/**
 * A comment that asks a person to act, or tells them the run is over: a
 * gate waits, a stage failed for good, the run finished. It mentions the
 * person who started the run (and a gate's approvers), since they are the
 * ones who must act.
 */
export function renderNotice(
  state: RunState,
  notice: Notice,
  key: string,
): string {
  const body =
    notice.type === "gate_waiting"
      ? gateWaiting(state, notice.stage)
      : notice.type === "stage_failed"
        ? stageFailed(state, notice.stage)
        : runFinished(state);
  return truncate(
    [noticeMarker(state.id, key), ...body].join("\n"),
    MAX_COMMENT_LENGTH,
  );
}
