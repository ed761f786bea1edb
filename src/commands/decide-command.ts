import {
  findStage,
  isTerminalRun,
  isTerminalStage,
  type RunState,
  type StageRun,
} from "../engine/run-state.js";
import type { PermissionLevel } from "../workflow/schema.js";
import { gateRefusal, staleDecision } from "./check-gate.js";
import {
  type CommandName,
  DEFAULT_COMMAND_PERMISSIONS,
} from "./command-names.js";
import {
  type Actor,
  BUSY,
  type CommandRequest,
  code,
  type Decision,
  list,
  title,
} from "./decision.js";
import { helpText } from "./help-text.js";
import { rerun, stageCommand } from "./rerun-stage.js";

export type { Actor, CommandRequest, Decision } from "./decision.js";
export { helpText } from "./help-text.js";

/** The stage-running commands: `/plan` runs (or re-runs) `plan`, and so on. */
export const STAGE_COMMANDS = [
  "plan",
  "tasks",
  "analyze",
  "implement",
] as const;

/** The run a command is about: the newest still going, else the newest. */
function currentRun(runs: readonly RunState[]): RunState | undefined {
  return runs.find((r) => !isTerminalRun(r)) ?? runs[0];
}

/** The one stage the command means: named, or the only candidate. */
function pick(
  candidates: readonly StageRun[],
  named: string | undefined,
  what: string,
  usage: string,
): StageRun | string {
  if (named !== undefined) {
    const found = candidates.find((s) => s.id === named);
    return (
      found ??
      (candidates.length === 0
        ? `Nothing is ${what}.`
        : `${code(named)} is not ${what}; ${candidates.length === 1 ? "only" : "these are"}: ${list(candidates.map((s) => s.id))}.`)
    );
  }
  if (candidates.length === 1) return candidates[0] as StageRun;
  return candidates.length === 0
    ? `Nothing is ${what}.`
    : `Say which stage: \`${usage}\`, one of ${list(candidates.map((s) => s.id))}.`;
}

/**
 * Decides what a command does to the runs of an issue or pull request
 * (newest first): an event for the engine, or a reply that explains. Pure:
 * the permission to use the command at all is checked before.
 */
export function decideCommand(
  request: CommandRequest,
  runs: readonly RunState[],
  actor: Actor,
  at: string,
  required: (name: CommandName) => PermissionLevel = (name) =>
    DEFAULT_COMMAND_PERMISSIONS[name],
): Decision {
  if (request.name === "help") {
    return { kind: "reply", message: helpText(actor, required) };
  }
  const run = currentRun(runs);
  if (run === undefined) {
    return {
      kind: "reply",
      message:
        "There is no Specwright run here yet: start one with `/specify <feature>`.",
    };
  }
  const live = !isTerminalRun(run);
  const first = request.args[0];
  switch (request.name) {
    case "status":
      return { kind: "status", run };
    case "plan":
    case "tasks":
    case "analyze":
    case "implement":
      return stageCommand(run, request.name, actor, request, at);
    case "approve":
    case "reject": {
      const waiting = live
        ? run.stages.filter((s) => s.status === "waiting_approval")
        : [];
      // A first word naming a stage names the stage (the Reject button
      // always does); otherwise, for /reject, it starts the reason.
      const namesStage =
        first !== undefined && run.stages.some((s) => s.id === first);
      const named =
        namesStage || request.name === "approve" ? first : undefined;
      const stage = pick(
        waiting,
        named,
        "waiting for approval",
        `/${request.name} <stage>`,
      );
      if (typeof stage === "string") return { kind: "reply", message: stage };
      const stale = staleDecision(stage, request);
      if (stale) return { kind: "reply", message: stale };
      const refused = gateRefusal(
        run,
        stage,
        actor,
        request.name === "approve" ? "approve" : "reject",
      );
      if (refused) return { kind: "reply", message: refused };
      if (request.name === "approve") {
        return {
          kind: "apply",
          runId: run.id,
          event: { type: "approve", stage: stage.id, by: actor.login, at },
        };
      }
      const reason = (
        named
          ? request.text.slice(request.text.indexOf(named) + named.length)
          : request.text
      ).trim();
      return {
        kind: "apply",
        runId: run.id,
        event: {
          type: "reject",
          stage: stage.id,
          by: actor.login,
          reason: reason === "" ? null : reason.slice(0, 500),
          at,
        },
      };
    }
    case "retry": {
      const failed = run.stages.filter(
        (s) =>
          s.status === "failed" ||
          s.status === "timed_out" ||
          (s.status === "cancelled" && run.status !== "cancelled"),
      );
      const named = first ? findStage(run, first) : undefined;
      if (first !== undefined && named === undefined) {
        return {
          kind: "reply",
          message: `This run's workflow has no ${code(first)} stage; its stages: ${list(run.stages.map((s) => s.id))}.`,
        };
      }
      const stage =
        named ?? pick(failed, undefined, "failed", "/retry <stage>");
      if (typeof stage === "string") return { kind: "reply", message: stage };
      if (!isTerminalStage(stage)) {
        return {
          kind: "reply",
          message:
            stage.status === "waiting_approval"
              ? `${title(run, stage.id)} waits for approval: \`/approve ${stage.id}\`.`
              : BUSY.has(stage.status)
                ? `${title(run, stage.id)} is already under way (${stage.status}).`
                : `${title(run, stage.id)} has not run yet.`,
        };
      }
      return rerun(run, stage, actor, request, at);
    }
    case "cancel":
      return live
        ? {
            kind: "apply",
            runId: run.id,
            event: { type: "cancel", by: actor.login, at },
          }
        : {
            kind: "reply",
            message: `Run \`${run.id}\` has already ended (${run.status}).`,
          };
    case "hold":
      if (!live)
        return {
          kind: "reply",
          message: `Run \`${run.id}\` has already ended (${run.status}).`,
        };
      return run.hold
        ? {
            kind: "reply",
            message: `Run \`${run.id}\` is already on hold (by @${run.hold.by}); \`/unhold\` to go on.`,
          }
        : {
            kind: "apply",
            runId: run.id,
            event: { type: "hold", by: actor.login, at },
          };
    case "unhold":
      return run.hold && live
        ? {
            kind: "apply",
            runId: run.id,
            event: { type: "unhold", by: actor.login, at },
          }
        : {
            kind: "reply",
            message: `Run \`${run.id}\` is not on hold.`,
          };
  }
}
