import type { Attempt, RunState } from "./run-state.js";

/**
 * Paths this attempt changed that another stage committed after the head it
 * was dispatched on: the run's commits form one line from the branch's
 * start, each made on the one before.
 */
export function conflictingPaths(
  state: RunState,
  attempt: Attempt,
  paths: readonly string[],
): string[] {
  const byParent = new Map<
    string,
    { stage: string; paths: string[]; sha: string }
  >();
  for (const stage of state.stages) {
    for (const other of stage.attempts) {
      if (other.commit_sha !== null && other.commit_parent !== null) {
        byParent.set(other.commit_parent, {
          stage: stage.id,
          paths: other.changed_paths,
          sha: other.commit_sha,
        });
      }
    }
  }
  const mine = new Set(paths);
  const out: string[] = [];
  // Each commit once: a state that recorded a commit as its own parent (or
  // any loop) must not hold the engine forever.
  const seen = new Set<string>();
  for (
    let next = byParent.get(attempt.base_sha);
    next !== undefined && !seen.has(next.sha);
    next = byParent.get(next.sha)
  ) {
    seen.add(next.sha);
    for (const path of next.paths)
      if (mine.has(path)) out.push(`${path} (changed by ${next.stage})`);
  }
  return out;
}
