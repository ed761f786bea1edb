import type { Context } from "probot";
import type { Dependencies } from "../app/dependencies.js";
import { loadRepositoryConfig } from "../app/load-repository-config.js";
import { DEFAULT_COMMAND_PERMISSIONS } from "../commands/command-names.js";
import { parseCommands } from "../commands/parse-commands.js";
import { hasPermission } from "../commands/permission.js";
import { approveStage } from "./approve-stage.js";
import { getCommandPermission } from "./get-command-permission.js";
import { isFromBot } from "./is-from-bot.js";
import { codeBlock, react, reply } from "./respond.js";
import { startRun } from "./start-run.js";

const HANDLED = ["specify", "approve", "implement"] as const;
type Handled = (typeof HANDLED)[number];

/**
 * A comment on an issue or pull request: run its slash commands.
 *
 * 1. Ignore bots, the App included, and comments without commands.
 * 2. Act on each delivery once.
 * 3. Check the commenter's permission and load the repository's config.
 * 4. Refuse with a short reply, or accept (👀) and act.
 */
export function onIssueComment(deps: Dependencies) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    if (isFromBot(context)) return;
    const commands = parseCommands(context.payload.comment.body).filter(
      (c): c is typeof c & { name: Handled } =>
        (HANDLED as readonly string[]).includes(c.name),
    );
    if (commands.length === 0) return;
    if (await deps.store.hasDelivery(`${context.id}#0`)) return;

    const actor =
      context.payload.comment.user?.login ?? context.payload.sender.login;
    const permission = await getCommandPermission(context, actor);
    const config = await loadRepositoryConfig(context);
    const required = (name: Handled) =>
      (config.ok ? config.config.permissions[name] : undefined) ??
      DEFAULT_COMMAND_PERMISSIONS[name];

    for (const [index, command] of commands.entries()) {
      const deliveryId = `${context.id}#${index}`;
      const level = required(command.name);
      if (!hasPermission(permission, level)) {
        await reply(
          context,
          `@${actor} \`/${command.name}\` needs ${level} permission on this repository; you have ${permission}.`,
        );
        await deps.store.recordDelivery(deliveryId, "issue_comment");
        continue;
      }
      if (!config.ok) {
        await react(context, "confused");
        await reply(
          context,
          [
            `Specwright did not act on \`/${command.name}\`: \`.github/specwright.yml\` is invalid.`,
            "",
            codeBlock(config.problems.join("\n")),
            "",
            "Fix the file on the default branch and comment again; `npx specwright validate` checks it locally.",
          ].join("\n"),
        );
        await deps.store.recordDelivery(deliveryId, "issue_comment");
        return;
      }
      await react(context, "eyes");
      const acted =
        command.name === "specify"
          ? await startRun(context, deps, command, config, deliveryId)
          : await approveStage(context, deps, command, permission, deliveryId);
      if (!acted) await deps.store.recordDelivery(deliveryId, "issue_comment");
    }
  };
}
