import { DEFAULT_COMMAND_PERMISSIONS } from "../commands/command-names.js";
import type { RunState, StageRun } from "../engine/run-state.js";
import { budgetGateOf, budgetTable, unreportedText } from "./render-budget.js";
import {
  APPROVE_ACTION,
  type CheckRunAction,
  cell,
  clip,
  inline,
  REJECT_ACTION,
} from "./render-status.js";

/** How to decide on a budget gate, for a check run or a comment. */
export function budgetHowTo(
  state: RunState,
  stage: StageRun,
  on: "comment" | "check run",
): string {
  const permission =
    state.settings.permissions.approve ?? DEFAULT_COMMAND_PERMISSIONS.approve;
  const buttons =
    on === "check run"
      ? "press **Allow one more** above to run it over budget (the stages after it are checked again), or **Stop run** to end the run here; or "
      : "";
  return `To go on, ${buttons}comment \`/approve ${stage.id}\` (this stage runs over budget, knowingly) or \`/reject ${stage.id}\` (the run ends here). Needs ${permission} permission.`;
}

/** What a waiting budget gate shows: the spend against the limits. */
export function budgetGateLines(
  state: RunState,
  stage: StageRun,
  title: string,
  on: "comment" | "check run",
): string[] {
  const gate = budgetGateOf(stage);
  if (gate === undefined) return [];
  const note = unreportedText(gate);
  return [
    `### 💰 ${cell(inline(title))} is held at a budget gate before it runs`,
    "",
    "A budget is reached, so the stage does not start until someone decides.",
    "",
    ...budgetTable(gate),
    ...(note ? ["", note] : []),
    "",
    budgetHowTo(state, stage, on),
  ];
}

export const BUDGET_ACTIONS = (title: string): CheckRunAction[] => [
  {
    label: "Allow one more",
    description: clip(`Run ${title} over budget`, 40),
    identifier: APPROVE_ACTION,
  },
  {
    label: "Stop run",
    description: clip(`End the run before ${title}`, 40),
    identifier: REJECT_ACTION,
  },
];

/** A budget gate's decision, as one line; undefined while it waits. */
export function budgetDecision(
  stage: StageRun,
): { conclusion: "success" | "cancelled"; outcome: string } | undefined {
  const gate = budgetGateOf(stage);
  if (gate === undefined || gate.decision === null) return undefined;
  switch (gate.decision) {
    case "allowed":
      return {
        conclusion: "success",
        outcome: `allowed over budget by @${gate.decided_by}`,
      };
    case "lifted":
      return {
        conclusion: "success",
        outcome: "the budget allows it again (a new day or month)",
      };
    case "stopped":
      return {
        conclusion: "cancelled",
        outcome: `stopped at the budget gate by @${gate.decided_by}; the run ended`,
      };
  }
}
