import { dependentsOf } from "../engine/advance.js";
import type { RunEvent } from "../engine/events.js";
import {
  findStage,
  isTerminalRun,
  isTerminalStage,
  type RunState,
  type StageRun,
} from "../engine/run-state.js";
import { quiet } from "../workflow/markdown-text.js";
import {
  type PermissionLevel,
  type Stage,
  stageGate,
  stageName,
} from "../workflow/schema.js";
import {
  COMMAND_NAMES,
  type CommandName,
  DEFAULT_COMMAND_PERMISSIONS,
} from "./command-names.js";
import { hasPermission, type Permission } from "./permission.js";

/** Who asks, with their permission on the repository. */
export interface Actor {
  login: string;
  permission: Permission;
}

/** A command to decide on: from a comment, a label or a check run's button. */
export interface CommandRequest {
  name: Exclude<CommandName, "specify">;
  args: readonly string[];
  /** The free text after the command (a reason, for `/reject`). */
  text: string;
  /** Where it came from, for the attempt's trigger: `` `/retry` `` or "the Retry button". */
  via: string;
  /** When the person wrote it (a comment's creation), if known. */
  issued_at?: string;
  /** The check run whose button was pressed, for a button. */
  check_run_id?: number;
}

/** Clocks differ: a command written this little before a wait began still counts. */
const CLOCK_SKEW_MS = 60_000;

export type Decision =
  | { kind: "apply"; runId: string; event: RunEvent }
  | { kind: "reply"; message: string };

/** The stage-running commands: `/plan` runs (or re-runs) `plan`, and so on. */
export const STAGE_COMMANDS = [
  "plan",
  "tasks",
  "analyze",
  "implement",
] as const;

/** One line per command, for `/help`. */
const USAGE: Readonly<Record<CommandName, string>> = {
  specify: "`/specify <feature>`: start a run for this issue",
  plan: "`/plan`: run (or run again) the plan stage and what follows it",
  tasks: "`/tasks`: run (or run again) the tasks stage and what follows it",
  analyze:
    "`/analyze`: run (or run again) the analyze stage and what follows it",
  implement:
    "`/implement`: approve the implement stage, or run it again (also: the `specwright:implement` label on the pull request)",
  approve: "`/approve [stage]`: let a stage that waits for approval run",
  reject: "`/reject [stage] [reason]`: refuse a waiting stage, ending the run",
  retry: "`/retry [stage]`: run a failed stage again, and what follows it",
  cancel: "`/cancel`: stop the run and its workflow runs",
  hold: "`/hold`: let what runs finish, but start nothing new",
  unhold: "`/unhold`: go on after `/hold`",
  status: "`/status`: where the run is",
  help: "`/help`: this list",
};

const BUSY = new Set(["dispatched", "running", "retrying"]);

function definition(run: RunState, id: string): Stage | undefined {
  return run.workflow.stages.find((s) => s.id === id);
}

function title(run: RunState, id: string): string {
  const def = definition(run, id);
  return def ? stageName(def) : id;
}

function list(ids: readonly string[]): string {
  return ids.map((id) => `\`${id}\``).join(", ");
}

/** The run a command is about: the newest still going, else the newest. */
function currentRun(runs: readonly RunState[]): RunState | undefined {
  return runs.find((r) => !isTerminalRun(r)) ?? runs[0];
}

/** `/help`: the commands this person may use here. */
export function helpText(
  actor: Actor,
  required: (name: CommandName) => PermissionLevel,
  unknown?: string,
): string {
  const allowed = COMMAND_NAMES.filter((name) =>
    hasPermission(actor.permission, required(name)),
  );
  const lines = [
    ...(unknown
      ? [`@${actor.login} \`/${unknown}\` is not a Specwright command.`, ""]
      : []),
    allowed.length > 0
      ? `Specwright commands you can use here (a line of a comment that starts with the command):`
      : `@${actor.login} you have ${actor.permission} permission here, which no Specwright command allows.`,
    "",
    ...allowed.map((name) => `- ${USAGE[name]}`),
  ];
  return lines.join("\n");
}

/** `/status`: one line per stage and what the run waits for. */
export function statusText(run: RunState): string {
  const lines = [
    `Run \`${run.id}\` (branch \`${run.branch}\`) is **${run.status.replace("_", " ")}**${run.hold ? `, on hold by @${run.hold.by}` : ""}.`,
    "",
    "| Stage | Status | Attempts |",
    "| --- | --- | --- |",
    ...run.stages.map(
      (s) =>
        `| ${quiet(title(run, s.id)).replace(/\|/g, "\\|")} | ${s.status.replace("_", " ")}${s.reason ? ` (${quiet(s.reason.slice(0, 120)).replace(/\|/g, "\\|")})` : ""} | ${s.attempts.length} |`,
    ),
  ];
  const waiting = run.stages.filter((s) => s.status === "waiting_approval");
  if (waiting.length > 0 && !isTerminalRun(run)) {
    lines.push(
      "",
      `Waiting for approval: ${list(waiting.map((s) => s.id))}: \`/approve <stage>\`.`,
    );
  }
  if (run.pull_request) lines.push("", `Pull request: ${run.pull_request.url}`);
  if (run.result_summary)
    lines.push("", `Result: ${quiet(run.result_summary)}`);
  return lines.join("\n");
}

/** Whether `actor` may decide on a stage's gate; why not, if not. */
function gateRefusal(
  run: RunState,
  stage: StageRun,
  actor: Actor,
  verb: string,
): string | undefined {
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
function rerun(
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
function stageCommand(
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
        : `\`${named}\` is not ${what}; ${candidates.length === 1 ? "only" : "these are"}: ${list(candidates.map((s) => s.id))}.`)
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
      return { kind: "reply", message: statusText(run) };
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
          message: `This run's workflow has no \`${first}\` stage; its stages: ${list(run.stages.map((s) => s.id))}.`,
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

/**
 * An approval or rejection that was meant for an earlier wait of the gate:
 * a press of a button on an earlier wait's check run, or a comment written
 * before this wait began (a delivery that arrives late, or GitHub sending
 * a failed one again hours later).
 */
function staleDecision(
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
