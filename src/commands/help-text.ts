import type { PermissionLevel } from "../workflow/schema.js";
import { COMMAND_NAMES, type CommandName } from "./command-names.js";
import type { Actor } from "./decision.js";
import { hasPermission } from "./permission.js";

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
