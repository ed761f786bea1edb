import {
  type RunState,
  type StageRun,
  waitsAtBudgetGate,
} from "../engine/run-state.js";
import { stageGate } from "../workflow/schema.js";
import { type Actor, type CommandRequest, definition } from "./decision.js";
import { hasPermission } from "./permission.js";

/** Clocks differ: a command written this little before a wait began still counts. */
const CLOCK_SKEW_MS = 60_000;

/** Whether `actor` may decide on a stage's gate; why not, if not. */
export function gateRefusal(
  run: RunState,
  stage: StageRun,
  actor: Actor,
  verb: string,
): string | undefined {
  // A budget gate is the command's to decide (its permission was checked):
  // the workflow gate's approvers are for the gate they guard.
  if (waitsAtBudgetGate(stage)) return undefined;
  const def = definition(run, stage.id);
  const gate = def ? stageGate(def) : undefined;
  if (gate === undefined) return undefined;
  if (gate.approvers && !gate.approvers.includes(actor.login)) {
    return `@${actor.login} only ${gate.approvers.map((a) => `@${a}`).join(", ")} may ${verb} \`${stage.id}\`.`;
  }
  if (!hasPermission(actor.permission, gate.permission)) {
    return `@${actor.login} ${verb === "approve" ? "approving" : "rejecting"} \`${stage.id}\` needs ${gate.permission} permission on this repository; you have ${actor.permission}.`;
  }
  return undefined;
}

/**
 * An approval or rejection that was meant for an earlier wait of the gate:
 * a press of a button on an earlier wait's check run, or a comment written
 * before this wait began (a delivery that arrives late, or GitHub sending
 * a failed one again hours later).
 */
export function staleDecision(
  stage: StageRun,
  request: CommandRequest,
): string | undefined {
  // (Until this wait's check run exists, every button is an earlier one's.)
  if (
    request.check_run_id !== undefined &&
    request.check_run_id !== stage.gate_check_run_id
  ) {
    const via = request.via.charAt(0).toUpperCase() + request.via.slice(1);
    return `${via} of \`${stage.id}\` was pressed on the check run of an earlier wait; use the current one.`;
  }
  if (
    request.issued_at !== undefined &&
    stage.waiting_since !== null &&
    Date.parse(request.issued_at) <
      Date.parse(stage.waiting_since) - CLOCK_SKEW_MS
  ) {
    const verb = request.name === "reject" ? "reject" : "approve";
    if (!request.via.startsWith("`/")) {
      const via = request.via.charAt(0).toUpperCase() + request.via.slice(1);
      return `${via} was added before \`${stage.id}\` began waiting for approval, so it is not taken for this wait; add it again to ${verb} it.`;
    }
    return `\`/${request.name}\` was written before \`${stage.id}\` began waiting for approval, so it is not taken for this wait; comment it again to ${verb} it.`;
  }
  return undefined;
}
