import type { EffectKind } from "./effects.js";
import type { EffectProblem, RunState } from "./run-state.js";

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

/**
 * Keeps an effect's lasting failure, one per kind, stage and attempt: a
 * later failure of the same effect replaces its message. The same failure
 * again changes nothing (so a tracking comment that cannot be edited does
 * not ask for another edit forever).
 */
export function recordProblem(state: RunState, problem: EffectProblem): void {
  const index = state.problems.findIndex((p) =>
    same(p, problem.kind, problem.stage, problem.attempt),
  );
  if (index === -1) {
    state.problems.push(problem);
    return;
  }
  if (state.problems[index]?.message !== problem.message)
    state.problems[index] = problem;
}

/** Forgets the failures of an effect that has now worked. */
export function clearProblems(
  state: RunState,
  kind: EffectKind,
  match: { stage?: string; attempt?: number } = {},
): void {
  state.problems = state.problems.filter(
    (p) =>
      p.kind !== kind ||
      (match.stage !== undefined && p.stage !== match.stage) ||
      (match.attempt !== undefined && p.attempt !== match.attempt),
  );
}
