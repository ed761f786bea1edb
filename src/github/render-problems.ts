import type { EffectKind } from "../engine/effects.js";
import { isShownOnCheckRun } from "../engine/problems.js";
import {
  type EffectProblem,
  findStage,
  type RunState,
} from "../engine/run-state.js";
import {
  clip,
  inline,
  linkText,
  stageTitle,
  treeUrl,
} from "./render-status.js";
import { untrusted } from "./untrusted-text.js";

/** The line a tracking comment shows for a pull request GitHub would not take as a draft. */
export const DRAFT_REFUSED_NOTE =
  "Opened as a ready pull request: draft pull requests are not supported in this repository.";

function stageText(state: RunState, problem: EffectProblem): string {
  if (problem.stage === null) return "the stage";
  const stage = findStage(state, problem.stage);
  const name = inline(stage ? stageTitle(state, stage) : problem.stage);
  return problem.attempt === null
    ? `**${name}**`
    : `**${name}** (attempt ${problem.attempt})`;
}

function branchLink(state: RunState): string {
  return `[\`${linkText(state.branch)}\`](${treeUrl(state, state.branch)})`;
}

/**
 * What failed, in GitHub's words (neutralised: it is text from elsewhere),
 * and what a person can do about it, as one or two sentences.
 */
export function describeProblem(
  state: RunState,
  problem: EffectProblem,
): string {
  const why = clip(untrusted(problem.message), 300).replace(/\.$/, "");
  const stage = stageText(state, problem);
  const id = problem.stage ?? "";
  const retry = `comment \`/retry ${id}\``;
  const text: Record<EffectKind, string> = {
    create_branch: `Could not create the feature branch ${branchLink(state)}: ${why}. Check that the App may write the repository's contents and that the base branch \`${linkText(state.base_branch)}\` exists, then comment \`/specify\` again.`,
    dispatch_stage: `Could not dispatch ${stage}: ${why}. To try again, ${retry}.`,
    collect_result: `Could not collect and commit the result of ${stage}: ${why}. To run it again, ${retry}.`,
    open_pull_request: `Could not open the pull request: ${why}. Specwright tries again when a stage next commits. To try sooner, ${problem.stage === null ? "open it by hand" : `comment ${retry} (it runs that stage, and the stages after it, again), or open it by hand`} from branch ${branchLink(state)} to \`${linkText(state.base_branch)}\`.`,
    create_check_run: `Could not create the check run of ${stage}: ${why}. The stage runs on without it; the tracking comment shows its progress. Check that the App has the Checks: write permission.`,
    update_check_run: `Could not update the check run of ${stage}: ${why}. It may show an old status; the tracking comment shows the current one.`,
    create_gate_check_run: `Could not create the approval check run of ${stage}: ${why}. Approve it with a comment instead: \`/approve ${id}\` (or \`/reject ${id} <reason>\`).`,
    update_gate_check_run: `Could not update the approval check run of ${stage}: ${why}. Its buttons may be out of date; the decision the tracking comment shows is the one that counts.`,
    cancel_workflow_run: `Could not cancel the workflow run of ${stage}: ${why}. Cancel it by hand in the repository's Actions tab; its work is not committed either way.`,
    create_tracking_comment: `Could not post the run's tracking comment${state.issue ? ` on issue #${state.issue.number}` : ""}: ${why}. The check runs show the run's progress.`,
    update_tracking_comment: `Could not update the run's tracking comment: ${why}. It may show an old status; the check runs show the current one.`,
    move_tracking_comment: `Could not move the run's tracking comment to the pull request: ${why}. It stays on the issue.`,
    ensure_labels: `Could not create the \`specwright:*\` labels: ${why}. Create \`specwright:implement\` by hand, or approve with \`/implement\`.`,
    post_notice: `Could not post a notification comment: ${why}. The tracking comment shows the same; nobody was notified.`,
  };
  return text[problem.kind];
}

/** The problems a stage attempt's check run shows: its own, and the tracking comment's. */
export function checkRunProblems(
  state: RunState,
  stage: string,
  attempt: number,
): EffectProblem[] {
  return state.problems.filter((p) => isShownOnCheckRun(p, stage, attempt));
}

/**
 * The problems the tracking comment shows: not that it could not be posted
 * or edited (shown in it, that is no longer true).
 */
export function trackingCommentProblems(state: RunState): EffectProblem[] {
  return state.problems.filter(
    (p) =>
      p.kind !== "create_tracking_comment" &&
      p.kind !== "update_tracking_comment",
  );
}
