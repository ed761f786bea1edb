import type { CommandName } from "../../commands/command-names.js";
import { DEFAULT_COMMAND_PERMISSIONS } from "../../commands/command-names.js";
import {
  type Actor,
  type Decision,
  decideCommand,
} from "../../commands/decide-command.js";
import { hasPermission } from "../../commands/permission.js";
import type { RunState } from "../../engine/run-state.js";
import type { PermissionLevel } from "../../workflow/schema.js";

export type StageControl = "approve" | "reject" | "retry";
export type RunControl = "cancel" | "hold" | "unhold";
export type Control = StageControl | RunControl;

export const STAGE_CONTROLS: readonly StageControl[] = [
  "approve",
  "reject",
  "retry",
];
export const RUN_CONTROLS: readonly RunControl[] = ["cancel", "hold", "unhold"];

/** How a control was pressed, for the attempt's trigger and the gate's record. */
const VIA = "the dashboard";

/** The permission a command needs on this run's repository (its settings, else the default). */
export function requiredPermission(
  run: RunState,
  name: CommandName,
): PermissionLevel {
  return run.settings.permissions?.[name] ?? DEFAULT_COMMAND_PERMISSIONS[name];
}

/**
 * What pressing a control would do, decided exactly as the comment command
 * would be: the same permission rule, then the same `decideCommand`. A
 * refusal is the reason to show (a 403 or a 409).
 */
export function decideControl(
  run: RunState,
  control: Control,
  actor: Actor,
  at: string,
  options: { stage?: string; reason?: string } = {},
): { refused: "permission" | "state"; message: string } | Decision {
  const level = requiredPermission(run, control);
  if (!hasPermission(actor.permission, level)) {
    return {
      refused: "permission",
      message: `${control[0]?.toUpperCase()}${control.slice(1)} needs ${level} permission on ${run.owner}/${run.repo}; you have ${actor.permission}.`,
    };
  }
  const args = options.stage === undefined ? [] : [options.stage];
  const text = [options.stage, options.reason]
    .filter((part) => part !== undefined && part !== "")
    .join(" ");
  const decision = decideCommand(
    { name: control, args, text, via: VIA },
    [run],
    actor,
    at,
    (name) => requiredPermission(run, name),
  );
  if (decision.kind !== "apply") {
    return {
      refused: "state",
      message:
        decision.kind === "reply"
          ? plain(decision.message)
          : "That control does not change this run.",
    };
  }
  return decision;
}

/** Whether a control would be taken now (to enable its button). */
export function offers(
  run: RunState,
  control: Control,
  actor: Actor | undefined,
  at: string,
  stage?: string,
): boolean {
  if (actor === undefined) return false;
  const decision = decideControl(
    run,
    control,
    actor,
    at,
    stage === undefined ? {} : { stage },
  );
  return "kind" in decision && decision.kind === "apply";
}

/**
 * A reply written for a GitHub comment, as plain text: code spans lose
 * their backticks, and a command in one stays readable.
 */
function plain(markdown: string): string {
  return markdown.replace(/`([^`]*)`/g, "$1");
}
