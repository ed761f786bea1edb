import {
  APPROVED_ON_TIMEOUT,
  type RunState,
  type StageRun,
} from "../engine/run-state.js";
import { type Stage, stageName } from "../workflow/schema.js";
import { budgetGateOf } from "./render-budget.js";
import {
  BUDGET_ACTIONS,
  budgetDecision,
  budgetGateLines,
} from "./render-budget-gate.js";
import { checkRunName, MAX_CHECK_TEXT } from "./render-check-run.js";
import {
  approvalHowTo,
  approversText,
  gateDeadlineText,
  gateMessage,
  quote,
} from "./render-notice.js";
import {
  APPROVE_ACTION,
  type CheckRunAction,
  cell,
  clip,
  formatTime,
  inline,
  REJECT_ACTION,
  trackingCommentUrl,
  truncate,
} from "./render-status.js";
import { untrusted } from "./untrusted-text.js";

export {
  APPROVE_ACTION,
  type CheckRunAction,
  REJECT_ACTION,
  RETRY_ACTION,
} from "./render-status.js";

type GateConclusion =
  | "action_required"
  | "success"
  | "failure"
  | "cancelled"
  | "skipped"
  | "timed_out";

export interface GateCheckRunFields {
  name: string;
  status: "completed";
  conclusion: GateConclusion;
  completed_at: string;
  details_url?: string;
  output: { title: string; summary: string };
  /** The buttons while the gate waits; none (removing them) after. */
  actions: CheckRunAction[];
}

/**
 * The gate's check run is named apart from the stage's own
 * (`Specwright: Implement`), which follows on the same commit once the gate
 * is approved: GitHub shows one check run per name, and the decision should
 * stay visible next to the stage's result.
 */
export function gateCheckRunName(state: RunState, stage: StageRun): string {
  const kind = budgetGateOf(stage) === undefined ? "approval" : "budget";
  return `${checkRunName(state, stage)} (${kind})`;
}

function facts(state: RunState, stage: StageRun, def: Stage | undefined) {
  const progress = trackingCommentUrl(state);
  const rows: [string, string][] = [
    ["Who may approve", def ? approversText(def) : "—"],
  ];
  if (stage.waiting_since)
    rows.push(["Waiting since", formatTime(stage.waiting_since)]);
  rows.push([
    "Run",
    `\`${state.id}\`, requested by @${state.requested_by}${progress ? ` · [progress](${progress})` : ""}`,
  ]);
  return [
    "| | |",
    "| --- | --- |",
    ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`),
  ];
}

/**
 * The decision, as one line of Markdown. The reason may hold a rejecter's
 * words or an error's: untrusted text.
 */
function decision(stage: StageRun): {
  conclusion: Exclude<GateConclusion, "action_required">;
  outcome: string;
} {
  const reason = (fallback: string) =>
    stage.reason === null ? fallback : untrusted(stage.reason);
  if (stage.rejected_by !== null)
    return {
      conclusion: "failure",
      outcome: reason(`rejected by @${stage.rejected_by}`),
    };
  if (stage.approved_by === APPROVED_ON_TIMEOUT)
    return {
      conclusion: "success",
      outcome: `approved because ${reason("nobody decided in time")} (\`on_timeout: approve\`)`,
    };
  if (stage.approved_by !== null)
    return {
      conclusion: "success",
      outcome: `approved by @${stage.approved_by}`,
    };
  if (stage.status === "timed_out")
    return {
      conclusion: "timed_out",
      outcome: `not approved: ${reason("nobody decided in time")}; the run stopped`,
    };
  if (stage.status === "skipped")
    return {
      conclusion: "skipped",
      outcome: `skipped: ${reason("—")}`,
    };
  return {
    conclusion: "cancelled",
    outcome: `no decision: ${reason("the run ended")}`,
  };
}

const MARKS: Readonly<
  Record<Exclude<GateConclusion, "action_required">, string>
> = {
  success: "✅",
  failure: "❌",
  timed_out: "⌛",
  skipped: "⏭️",
  cancelled: "🚫",
};

/**
 * The check run that shows a gate: `action_required` with Approve and
 * Reject buttons while it waits (who may approve, how, and until when),
 * then the decision, without buttons.
 */
export function renderGateCheckRun(
  state: RunState,
  stage: StageRun,
  now: Date,
  superseded = false,
): GateCheckRunFields {
  const def = state.workflow.stages.find((s) => s.id === stage.id);
  const title = def ? stageName(def) : stage.id;
  const details = state.pull_request?.url ?? state.issue?.url;
  const base = {
    name: gateCheckRunName(state, stage),
    status: "completed" as const,
    completed_at: now.toISOString(),
    ...(details ? { details_url: details } : {}),
  };
  if (superseded) {
    // An earlier wait's check run: the stages before it run again, and the
    // gate will ask again on a new check run.
    const outcome = "asked again later (the stages before it run again)";
    return {
      ...base,
      conclusion: "skipped",
      output: {
        title: clip(`${title}: ${outcome}`, 200),
        summary: `### ⏭️ ${cell(inline(title))}: ${outcome}`,
      },
      actions: [],
    };
  }
  const pureGate = def?.type === "gate";
  if (stage.status === "waiting_approval" && budgetGateOf(stage)) {
    return {
      ...base,
      conclusion: "action_required",
      output: {
        title: clip(`${title} is held at a budget gate`, 200),
        summary: truncate(
          [
            ...budgetGateLines(state, stage, title, "check run"),
            "",
            ...facts(state, stage, def),
          ].join("\n"),
          MAX_CHECK_TEXT,
        ),
      },
      actions: BUDGET_ACTIONS(title),
    };
  }
  if (stage.status === "waiting_approval") {
    const message = def ? gateMessage(state, def) : undefined;
    const deadline = def ? gateDeadlineText(def, stage) : undefined;
    const summary = [
      `### ✋ ${cell(inline(title))} is waiting for approval${pureGate ? "" : " before it runs"}`,
      ...(message ? ["", quote(message)] : []),
      "",
      ...facts(state, stage, def),
      "",
      def ? approvalHowTo(state, def, "check run") : "",
      ...(deadline ? ["", deadline] : []),
    ].join("\n");
    return {
      ...base,
      conclusion: "action_required",
      output: {
        title: clip(`${title} is waiting for approval`, 200),
        summary: truncate(summary, MAX_CHECK_TEXT),
      },
      actions: [
        {
          label: "Approve",
          description: clip(
            pureGate ? `Approve ${title}; the run goes on` : `Run ${title}`,
            40,
          ),
          identifier: APPROVE_ACTION,
        },
        {
          label: "Reject",
          description: clip(`Stop the run at ${title}`, 40),
          identifier: REJECT_ACTION,
        },
      ],
    };
  }
  const { conclusion, outcome } = budgetDecision(stage) ?? decision(stage);
  const mark = MARKS[conclusion];
  return {
    ...base,
    conclusion,
    output: {
      title: clip(`${title}: ${outcome}`, 200),
      summary: truncate(
        [
          `### ${mark} ${cell(inline(title))}: ${outcome}`,
          "",
          ...facts(state, stage, def),
        ].join("\n"),
        MAX_CHECK_TEXT,
      ),
    },
    actions: [],
  };
}
