import { finishRun } from "./advance.js";
import { endAttempt, liveAttempt } from "./attempts.js";
import type { RunEvent } from "./events.js";
import { recordProblem } from "./problems.js";
import { currentAttempt, type RunState } from "./run-state.js";
import type { TransitionContext } from "./transition-context.js";

type EffectFailed = Extract<RunEvent, { type: "effect_failed" }>;

/** The stage whose commit was the run's first: the pull request came from it. */
function firstCommitter(
  state: RunState,
): { stage: string; attempt: number } | null {
  let first: { stage: string; attempt: number; at: string } | null = null;
  for (const stage of state.stages) {
    for (const attempt of stage.attempts) {
      const at = attempt.completed_at ?? attempt.dispatched_at;
      if (attempt.commit_sha !== null && (first === null || at < first.at))
        first = { stage: stage.id, attempt: attempt.attempt, at };
    }
  }
  return first && { stage: first.stage, attempt: first.attempt };
}

/** Asks for the check run of a stage attempt to be brought up to date. */
function showOnCheckRun(
  context: TransitionContext,
  stage: string,
  attempt: number,
): void {
  const found = context.state.stages
    .find((s) => s.id === stage)
    ?.attempts.find((a) => a.attempt === attempt);
  if (found?.check_run_id != null)
    context.effects.push({ kind: "update_check_run", stage, attempt });
}

/**
 * An effect failed for good. What it meant decides what happens:
 *
 * - the work cannot go on without it: the feature branch fails the run; a
 *   dispatch, or collecting and committing a result, fails the attempt
 *   (retried by the stage's policy only when GitHub kept failing, not when
 *   it refused: a refused commit would be refused again);
 * - the work goes on without it, and people are told, in the tracking
 *   comment and on the stage's check run, what failed and what to do: the
 *   pull request (tried again with the next commit), check runs, the
 *   gate's check run, cancelling a workflow run, the tracking comment
 *   itself (then the check runs say so), labels, notices.
 */
export function effectFailed(
  context: TransitionContext,
  event: EffectFailed,
): void {
  const { state } = context;
  const problem = {
    kind: event.kind,
    stage: event.stage,
    attempt: event.attempt,
    message: event.message,
    at: event.at,
  };
  switch (event.kind) {
    case "create_branch":
      if (state.status !== "queued") return;
      recordProblem(state, problem);
      finishRun(
        context,
        "failed",
        `Could not create the feature branch: ${event.message}`,
      );
      return;
    case "dispatch_stage":
    case "collect_result": {
      if (event.stage === null || event.attempt === null) return;
      const found = liveAttempt(state, event.stage, event.attempt);
      if (found === undefined) return;
      if (event.kind === "dispatch_stage") {
        if (found.attempt.workflow_run_id !== null) return;
        endAttempt(
          context,
          found,
          "failed",
          `could not dispatch the stage workflow: ${event.message}`,
          false,
        );
        return;
      }
      endAttempt(
        context,
        found,
        "failed",
        `the result could not be collected and committed: ${event.message}`,
        event.transient,
      );
      return;
    }
    case "open_pull_request": {
      if (state.pull_request !== null) return;
      const from = firstCommitter(state);
      recordProblem(state, {
        ...problem,
        stage: from?.stage ?? null,
        attempt: from?.attempt ?? null,
      });
      if (from) showOnCheckRun(context, from.stage, from.attempt);
      return;
    }
    case "cancel_workflow_run":
      recordProblem(state, problem);
      if (event.stage !== null && event.attempt !== null)
        showOnCheckRun(context, event.stage, event.attempt);
      return;
    case "create_tracking_comment":
    case "update_tracking_comment":
    case "move_tracking_comment": {
      const before = state.problems.length;
      recordProblem(state, problem);
      // Where the comment cannot say it, the check runs do.
      if (state.problems.length === before) return;
      for (const stage of state.stages) {
        const attempt = currentAttempt(stage);
        if (attempt) showOnCheckRun(context, stage.id, attempt.attempt);
      }
      return;
    }
    case "create_check_run":
    case "update_check_run":
    case "create_gate_check_run":
    case "update_gate_check_run":
    case "ensure_labels":
    case "post_notice":
      recordProblem(state, problem);
      return;
  }
}
