import type { Context } from "probot";
import type { Dependencies } from "../app/dependencies.js";
import {
  type CommandName,
  DEFAULT_COMMAND_PERMISSIONS,
} from "../commands/command-names.js";
import {
  type CommandRequest,
  decideCommand,
} from "../commands/decide-command.js";
import { hasPermission } from "../commands/permission.js";
import { parseExternalId } from "../github/check-runs.js";
import {
  APPROVE_ACTION,
  REJECT_ACTION,
  RETRY_ACTION,
} from "../github/render-gate-check-run.js";
import { act } from "./act.js";
import { getCommandPermission } from "./get-command-permission.js";

const BUTTONS: Readonly<Record<string, CommandRequest["name"]>> = {
  [APPROVE_ACTION]: "approve",
  [REJECT_ACTION]: "reject",
  [RETRY_ACTION]: "retry",
};

/**
 * A person pressed a button on one of Specwright's check runs: Approve or
 * Reject on a waiting gate, Retry on a failed stage, or GitHub's own
 * Re-run. Each is the command it stands for, with the same permissions;
 * a refusal is answered where the run is followed.
 */
export function onCheckRun(deps: Dependencies) {
  return async (
    context:
      | Context<"check_run.rerequested">
      | Context<"check_run.requested_action">,
  ): Promise<void> => {
    const { check_run: checkRun, sender } = context.payload;
    if (context.isBot || sender.type === "Bot") return;
    const ours = parseExternalId(checkRun.external_id);
    if (ours === undefined) return;
    const run = await deps.store.loadRun(ours.runId);
    const owner = context.payload.repository.owner.login;
    const repo = context.payload.repository.name;
    if (run === undefined || run.owner !== owner || run.repo !== repo) return;

    const identifier =
      context.payload.action === "requested_action"
        ? context.payload.requested_action?.identifier
        : RETRY_ACTION;
    const name = BUTTONS[identifier ?? ""];
    if (name === undefined) return;
    const delivery = {
      id: context.id,
      event: `check_run.${context.payload.action}`,
    };
    if (await deps.store.hasDelivery(delivery.id)) return;
    const where = run.tracking_comment_on ?? run.issue?.number;
    const answer = async (body: string) => {
      if (where === undefined) return;
      await context.octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: where,
        body,
      });
    };

    const permission = await getCommandPermission(context, sender.login);
    const required = (n: CommandName) =>
      run.settings.permissions[n] ?? DEFAULT_COMMAND_PERMISSIONS[n];
    const level = required(name);
    const button =
      context.payload.action === "rerequested"
        ? "Re-run"
        : name.charAt(0).toUpperCase() + name.slice(1);
    if (!hasPermission(permission, level)) {
      await act(
        deps,
        {
          kind: "reply",
          message: `@${sender.login} the ${button} button of \`${ours.stage}\` needs ${level} permission on this repository; you have ${permission}.`,
        },
        delivery,
        answer,
      );
      return;
    }
    await act(
      deps,
      decideCommand(
        {
          name,
          args: [ours.stage],
          text: ours.stage,
          via: `the ${button} button`,
          ...(ours.attempt === "gate" ? { check_run_id: checkRun.id } : {}),
        },
        [run],
        { login: sender.login, permission },
        deps.now().toISOString(),
        required,
      ),
      delivery,
      answer,
    );
  };
}
