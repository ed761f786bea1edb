import { advance, dependentsOf } from "./advance.js";
import {
  findStage,
  isTerminalRun,
  isTerminalStage,
  pendingStage,
  type RunState,
  type StageRun,
} from "./run-state.js";
import type { Handlers, TransitionContext } from "./transition-context.js";

/** Stages that are under way: an attempt out, or waiting to retry. */
function isBusy(stage: StageRun): boolean {
  return (
    stage.status === "dispatched" ||
    stage.status === "running" ||
    stage.status === "retrying"
  );
}

/** Stage statuses a resumed run starts again. */
const UNFINISHED = new Set(["failed", "timed_out", "cancelled"]);

/**
 * Gates that waited are asked again later: their buttons go now.
 */
function closeWaitingGates(
  context: TransitionContext,
  stages: readonly StageRun[],
): void {
  for (const other of stages) {
    if (
      other.status === "waiting_approval" &&
      other.gate_check_run_id !== null
    ) {
      context.effects.push({
        kind: "update_gate_check_run",
        stage: other.id,
        check_run_id: other.gate_check_run_id,
        superseded: true,
      });
    }
  }
}

/** Stages start afresh, keeping their attempts (and nothing else). */
function reset(stages: readonly StageRun[]): void {
  for (const other of stages) {
    const fresh = pendingStage(other.id);
    Object.assign(other, { ...fresh, attempts: other.attempts });
  }
}

/** A finished run goes on again. */
function reopen(state: RunState): void {
  state.status = "in_progress";
  state.result_summary = null;
  state.completed_at = null;
}

/** Starting stages again: `/retry` and its buttons, `specwright resume`. */
export const RERUN_HANDLERS: Handlers<"rerun" | "resume"> = {
  /**
   * Runs the stage again, and every stage after it that had already run.
   * A halted run opens again; a cancelled one stays cancelled.
   */
  rerun(context, event) {
    const { state } = context;
    const stage = findStage(state, event.stage);
    if (stage === undefined || !isTerminalStage(stage)) return;
    if (state.status === "cancelled" || state.base_sha === null) return;
    const affected = [stage.id, ...dependentsOf(state, stage.id)];
    const stages = affected.map((id) => findStage(state, id) as StageRun);
    if (stages.some(isBusy)) return;
    // A halt or a cancel stopped other stages too: they run again as well.
    const reopening = isTerminalRun(state);
    if (reopening) {
      for (const other of state.stages) {
        if (other.stopped_by_run && !stages.includes(other)) stages.push(other);
      }
    }
    closeWaitingGates(context, stages);
    // The stage keeps its own approval (it runs the same work again); the
    // stages after it will work from new results, so their gates ask again.
    const approvedBy = stage.approved_by;
    reset(stages);
    stage.approved_by = approvedBy;
    stage.next_trigger = event.why;
    if (reopening) reopen(state);
    advance(context);
  },

  /**
   * Goes on with a failed or cancelled run from where it stopped: every
   * stage that failed, timed out, was cancelled or was stopped by the run
   * starts again, and so do the stages skipped because of them. What
   * succeeded stays, approvals of gates that were not rejected too.
   */
  resume(context, event) {
    const { state } = context;
    if (state.base_sha === null) return;
    if (state.status !== "failed" && state.status !== "cancelled") return;
    const again = new Set<string>();
    for (const stage of state.stages) {
      if (UNFINISHED.has(stage.status) || stage.stopped_by_run) {
        again.add(stage.id);
        for (const id of dependentsOf(state, stage.id)) {
          const after = findStage(state, id);
          if (after?.status === "skipped" && after.attempts.length === 0)
            again.add(id);
        }
      }
    }
    if (again.size === 0) return;
    const stages = state.stages.filter((stage) => again.has(stage.id));
    const approvals = new Map(
      stages.map((stage) => [
        stage.id,
        stage.rejected_by === null ? stage.approved_by : null,
      ]),
    );
    reset(stages);
    for (const stage of stages) {
      stage.approved_by = approvals.get(stage.id) ?? null;
      stage.next_trigger = `resumed by ${event.by}`;
    }
    reopen(state);
    advance(context);
  },
};
