import { dependentsOf } from "../engine/advance.js";
import {
  findStage,
  isTerminalRun,
  isTerminalStage,
  type RunState,
  type StageRun,
} from "../engine/run-state.js";
import { gateRefusal, staleDecision } from "./check-gate.js";
import {
  type Actor,
  BUSY,
  type CommandRequest,
  type Decision,
  definition,
  list,
  title,
} from "./decision.js";

/**
 * The stages a stage depends on that did not end in a way it can run
 * after: not succeeded, not skipped by their own condition, not failed
 * under `on_failure: continue`, and not (in an ended run) stopped by the
 * run, which a re-run starts again.
 */
function blockers(run: RunState, stage: StageRun): StageRun[] {
  const ended = isTerminalRun(run);
  return (definition(run, stage.id)?.depends_on ?? [])
    .map((id) => findStage(run, id))
    .filter((s): s is StageRun => s !== undefined)
    .filter((s) => {
      if (s.status === "succeeded") return false;
      if (s.status === "skipped" && s.reason === "its condition is false")
        return false;
      // Stopped by the run: it runs again too, if what it needs is there.
      if (ended && s.stopped_by_run) return blockers(run, s).length > 0;
      const policy = definition(run, s.id)?.error_policy.on_failure;
      return !(
        policy === "continue" &&
        (s.status === "failed" ||
          s.status === "timed_out" ||
          s.status === "cancelled")
      );
    });
}

/**
 * Runs a stage again (and what follows it), if nothing in the way is under
 * way, what it depends on has succeeded, and the actor may decide its gate;
 * says why not otherwise.
 */
export function rerun(
  run: RunState,
  stage: StageRun,
  actor: Actor,
  request: CommandRequest,
  at: string,
): Decision {
  if (run.status === "cancelled") {
    return {
      kind: "reply",
      message: `Run \`${run.id}\` was cancelled; start a new one with \`/specify\`.`,
    };
  }
  if (run.base_sha === null) {
    return {
      kind: "reply",
      message: `Run \`${run.id}\` never got its branch, so nothing can run again; start a new one with \`/specify\`.`,
    };
  }
  const affected = [stage.id, ...dependentsOf(run, stage.id)];
  const busy = affected.filter((id) =>
    BUSY.has(findStage(run, id)?.status ?? ""),
  );
  if (busy.length > 0) {
    return {
      kind: "reply",
      message: `${list(busy)} ${busy.length === 1 ? "is" : "are"} still under way; wait for ${busy.length === 1 ? "it" : "them"} to finish, or \`/cancel\` the run.`,
    };
  }
  const blocked = blockers(run, stage);
  if (blocked.length > 0) {
    const first = blocked[0] as StageRun;
    return {
      kind: "reply",
      message: `${title(run, stage.id)} cannot run while ${list(blocked.map((s) => s.id))} ${blocked.length === 1 ? "has" : "have"} not succeeded (${first.status.replace("_", " ")}): \`/retry ${first.id}\` first.`,
    };
  }
  // Running a gated stage again needs its approvers, as approving it did.
  const refused = gateRefusal(run, stage, actor, "approve");
  if (refused) return { kind: "reply", message: refused };
  return {
    kind: "apply",
    runId: run.id,
    event: {
      type: "rerun",
      stage: stage.id,
      by: actor.login,
      why: `${request.via} by @${actor.login}`,
      at,
    },
  };
}

/** `/plan`, `/tasks`, `/analyze`, `/implement`: approve, run or run again one stage. */
export function stageCommand(
  run: RunState,
  id: string,
  actor: Actor,
  request: CommandRequest,
  at: string,
): Decision {
  const stage = findStage(run, id);
  if (stage === undefined) {
    return {
      kind: "reply",
      message: `This run's workflow has no \`${id}\` stage; its stages: ${list(run.stages.map((s) => s.id))}.`,
    };
  }
  if (stage.status === "waiting_approval" && !isTerminalRun(run)) {
    const stale = staleDecision(stage, request);
    if (stale) return { kind: "reply", message: stale };
    const refused = gateRefusal(run, stage, actor, "approve");
    if (refused) return { kind: "reply", message: refused };
    return {
      kind: "apply",
      runId: run.id,
      event: { type: "approve", stage: id, by: actor.login, at },
    };
  }
  if (BUSY.has(stage.status)) {
    return {
      kind: "reply",
      message: `${title(run, id)} is already under way (${stage.status}).`,
    };
  }
  if (stage.status === "pending") {
    const before = (definition(run, id)?.depends_on ?? [])
      .map((d) => findStage(run, d))
      .filter((s): s is StageRun => s !== undefined && !isTerminalStage(s));
    return {
      kind: "reply",
      message: `${title(run, id)} has not been reached yet${before.length > 0 ? `: it waits for ${list(before.map((s) => s.id))}` : ""}.${run.hold ? " The run is on hold: `/unhold` to go on." : ""}`,
    };
  }
  return rerun(run, stage, actor, request, at);
}
