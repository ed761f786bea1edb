import type { EffectKind } from "./effects.js";
import type { EffectProblem, RunState } from "./run-state.js";

/** Problems every stage's check run shows: the tracking comment's own. */
const RUN_LEVEL: ReadonlySet<EffectKind> = new Set([
  "create_tracking_comment",
  "update_tracking_comment",
  "move_tracking_comment",
]);

function same(
  problem: EffectProblem,
  kind: EffectKind,
  stage: string | null,
  attempt: number | null,
): boolean {
  return (
    problem.kind === kind &&
    problem.stage === stage &&
    problem.attempt === attempt
  );
}

/** Whether an effect of this kind failed for good (for a stage, if given). */
export function hasProblem(
  state: RunState,
  kind: EffectKind,
  stage?: string,
): boolean {
  return state.problems.some(
    (p) => p.kind === kind && (stage === undefined || p.stage === stage),
  );
}

/** The kept failure of exactly this effect (kind, stage and attempt), if any. */
export function findProblem(
  state: RunState,
  kind: EffectKind,
  stage: string | null,
  attempt: number | null,
): EffectProblem | undefined {
  return state.problems.find((p) => same(p, kind, stage, attempt));
}

/**
 * Whether a stage attempt's check run shows a problem: its stage's (the
 * attempt's, or the stage's as a whole), and the tracking comment's. Not
 * its own check run's: that would be shown by the very call that failed.
 */
export function isShownOnCheckRun(
  problem: EffectProblem,
  stage: string,
  attempt: number,
): boolean {
  if (RUN_LEVEL.has(problem.kind)) return true;
  return (
    problem.stage === stage &&
    (problem.attempt === null || problem.attempt === attempt) &&
    problem.kind !== "create_check_run" &&
    problem.kind !== "update_check_run"
  );
}

/**
 * Keeps an effect's lasting failure, one per kind, stage and attempt: a
 * later failure of the same effect replaces its message. The same failure
 * again changes nothing (so a tracking comment that cannot be edited does
 * not ask for another edit forever). Says whether it was new.
 */
export function recordProblem(
  state: RunState,
  problem: EffectProblem,
): "new" | "changed" | "same" {
  const index = state.problems.findIndex((p) =>
    same(p, problem.kind, problem.stage, problem.attempt),
  );
  if (index === -1) {
    state.problems.push(problem);
    return "new";
  }
  if (state.problems[index]?.message === problem.message) return "same";
  state.problems[index] = problem;
  return "changed";
}

/**
 * Forgets the failures of an effect that has now worked (of one stage or
 * attempt, if given; `null` matches problems kept for no stage or attempt)
 * and returns them.
 */
export function clearProblems(
  state: RunState,
  kind: EffectKind,
  match: { stage?: string | null; attempt?: number | null } = {},
): EffectProblem[] {
  const cleared: EffectProblem[] = [];
  state.problems = state.problems.filter((p) => {
    const hit =
      p.kind === kind &&
      (match.stage === undefined || p.stage === match.stage) &&
      (match.attempt === undefined || p.attempt === match.attempt);
    if (hit) cleared.push(p);
    return !hit;
  });
  return cleared;
}
