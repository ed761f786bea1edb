import { finishRun } from "./advance.js";
import { endAttempt, liveAttempt } from "./attempts.js";
import type { EffectKind } from "./effects.js";
import type { RunEvent } from "./events.js";
import { clearProblems, isShownOnCheckRun, recordProblem } from "./problems.js";
import {
  currentAttempt,
  type EffectProblem,
  type RunState,
} from "./run-state.js";
import type { TransitionContext } from "./transition-context.js";

type EffectFailed = Extract<RunEvent, { type: "effect_failed" }>;
type EffectRecovered = Extract<RunEvent, { type: "effect_recovered" }>;

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

/**
 * Asks for the check runs that show these problems to be brought up to
 * date: each stage's current attempt that has a check run and shows one.
 */
function refreshCheckRuns(
  context: TransitionContext,
  problems: readonly EffectProblem[],
): void {
  if (problems.length === 0) return;
  for (const stage of context.state.stages) {
    // The current attempt, and any attempt a problem names.
    const numbers = new Set<number>();
    const current = currentAttempt(stage);
    if (current) numbers.add(current.attempt);
    for (const p of problems)
      if (p.stage === stage.id && p.attempt !== null) numbers.add(p.attempt);
    for (const number of numbers) {
      const attempt = stage.attempts.find((a) => a.attempt === number);
      if (attempt?.check_run_id == null) continue;
      if (problems.some((p) => isShownOnCheckRun(p, stage.id, number)))
        context.effects.push({
          kind: "update_check_run",
          stage: stage.id,
          attempt: number,
        });
    }
  }
}

/**
 * Keeps a problem; a new one is shown on the check runs too. Not one whose
 * message changed: when the check runs and the tracking comment all keep
 * failing, with a new message each time, each would ask for the other
 * again, forever.
 */
function keep(context: TransitionContext, problem: EffectProblem): void {
  if (recordProblem(context.state, problem) === "new")
    refreshCheckRuns(context, [problem]);
}

/**
 * An effect whose failure was kept has worked (or the thing it was for
 * exists now): the problem goes, from the check runs that showed it too.
 */
export function forgetProblems(
  context: TransitionContext,
  kind: EffectKind,
  match: { stage?: string | null; attempt?: number | null } = {},
): void {
  refreshCheckRuns(context, clearProblems(context.state, kind, match));
}

/** An effect that failed for good earlier has now worked. */
export function effectRecovered(
  context: TransitionContext,
  event: EffectRecovered,
): void {
  forgetProblems(context, event.kind, {
    stage: event.stage,
    attempt: event.attempt,
  });
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
      keep(context, {
        ...problem,
        stage: from?.stage ?? null,
        attempt: from?.attempt ?? null,
      });
      return;
    }
    // The work goes on without these; the check runs that show the
    // problem (for the tracking comment's own: every stage's) say so.
    case "cancel_workflow_run":
    case "create_tracking_comment":
    case "update_tracking_comment":
    case "move_tracking_comment":
    case "create_check_run":
    case "update_check_run":
    case "create_gate_check_run":
    case "update_gate_check_run":
    case "ensure_labels":
    case "post_notice":
      keep(context, problem);
      return;
  }
}
