import type { Context } from "probot";
import type { Dependencies } from "../app/dependencies.js";
import { loadRepositoryConfig } from "../app/load-repository-config.js";
import {
  COMMAND_NAMES,
  type CommandName,
  DEFAULT_COMMAND_PERMISSIONS,
} from "../commands/command-names.js";
import { decideCommand } from "../commands/decide-command.js";
import { helpText } from "../commands/help-text.js";
import { parseCommands } from "../commands/parse-commands.js";
import { hasPermission } from "../commands/permission.js";
import { act } from "./act.js";
import { getCommandPermission } from "./get-command-permission.js";
import { isFromBot } from "./is-from-bot.js";
import { REFUSED_ONCE_NOTE, shouldAnswerRefusal } from "./refuse-once.js";
import { codeBlock, react, reply } from "./respond.js";
import { startRun } from "./start-run.js";

/** Commands of one comment acted on; the rest are ignored (and said so). */
export const MAX_COMMANDS = 10;

function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

/**
 * A comment on an issue or pull request: run its slash commands.
 *
 * 1. Ignore bots, the App included, and comments without commands.
 * 2. Act on each delivery once: each command of it once, and the reply
 *    once. A redelivery of one that failed part-way finishes it: what the
 *    engine took is not taken again, and what was said is said again.
 * 3. Check the commenter's permission and load the repository's config.
 * 4. Refuse with a short reply, or accept (👀) and act (🚀 when a stage
 *    was dispatched because of it). An unknown command gets `/help`.
 */
export function onIssueComment(deps: Dependencies) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    if (isFromBot(context)) return;
    const parsed = parseCommands(context.payload.comment.body);
    if (parsed.length === 0) return;
    const done = `${context.id}#done`;
    if (await deps.store.hasDelivery(done)) return;
    const commands = parsed.slice(0, MAX_COMMANDS);

    const actor =
      context.payload.comment.user?.login ?? context.payload.sender.login;
    const permission = await getCommandPermission(context, actor);
    const config = await loadRepositoryConfig(context);
    const required = (name: CommandName) =>
      (config.ok ? config.config.permissions[name] : undefined) ??
      DEFAULT_COMMAND_PERMISSIONS[name];
    // Everything the comment's commands say goes back in one reply.
    const replies: string[] = [];
    const { owner, repo } = context.repo();
    const number = context.payload.issue.number;
    let helped = false;

    /** One command: "stop" when no later command can act either. */
    const one = async (
      command: (typeof commands)[number],
      delivery: { id: string; event: string },
      answer: (body: string) => Promise<void>,
    ): Promise<"next" | "stop"> => {
      if (!isCommandName(command.name)) {
        // Unknown commands get /help's answer once, and only for people who
        // can use a command here (a reader on a public repository cannot).
        if (!helped && hasPermission(permission, "triage")) {
          await answer(
            helpText({ login: actor, permission }, required, command.name),
          );
          helped = true;
        }
        return "next";
      }
      const name = command.name;
      const level = required(name);
      if (!hasPermission(permission, level)) {
        const answered = await shouldAnswerRefusal(deps, {
          repositoryId: context.payload.repository.id,
          number,
          login: actor,
        });
        if (answered) {
          await answer(
            `@${actor} \`/${name}\` needs ${level} permission on this repository; you have ${permission}. ${REFUSED_ONCE_NOTE}`,
          );
        }
        return "next";
      }
      if (!config.ok) {
        await react(context, "confused");
        await answer(
          [
            `Specwright did not act on \`/${name}\`: \`.github/specwright.yml\` is invalid.`,
            "",
            codeBlock(config.problems.join("\n")),
            "",
            "Fix the file on the default branch and comment again; `npx specwright validate` checks it locally.",
          ].join("\n"),
        );
        return "stop";
      }
      await react(context, "eyes");
      if (name === "specify") {
        const { issue, repository } = context.payload;
        if (issue.pull_request) {
          await answer(
            "`/specify` starts a run from an issue: comment it on an issue, not on a pull request.",
          );
          return "next";
        }
        await startRun(
          {
            installationId: context.payload.installation?.id ?? 0,
            owner,
            repo,
            defaultBranch: repository.default_branch,
            htmlUrl: repository.html_url,
            repositoryId: repository.id,
            issue: {
              number: issue.number,
              title: issue.title,
              body: issue.body ?? "",
              url: issue.html_url,
            },
            text: command.text,
            named: command.named,
            requestedBy: actor,
            delivery,
            reply: answer,
            log: context.log,
          },
          deps,
          config,
        );
        return "next";
      }
      const runs = await deps.store.findRunsFor(owner, repo, number);
      const decision = decideCommand(
        {
          name,
          args: command.args,
          text: command.text,
          via: `\`/${name}\``,
          issued_at: context.payload.comment.created_at,
        },
        runs,
        { login: actor, permission },
        deps.now().toISOString(),
        required,
      );
      const acted = await act(deps, decision, delivery, answer, {
        recordReplies: false,
      });
      if (acted.dispatched) await react(context, "rocket");
      return "next";
    };

    for (const [index, command] of commands.entries()) {
      const delivery = { id: `${context.id}#${index}`, event: "issue_comment" };
      // Done by an earlier attempt of this delivery, which then failed:
      // taken by the engine, or answered (what it said is said again,
      // rather than decided again against a run that has moved on).
      const seen = await deps.store.findDelivery(delivery.id);
      if (seen) {
        if (seen.reply) replies.push(seen.reply);
        continue;
      }
      const said: string[] = [];
      const next = await one(command, delivery, async (body) => {
        said.push(body);
      });
      replies.push(...said);
      // Not taken by the engine (which recorded it): record it, with what
      // it said.
      await deps.store.recordDelivery(delivery.id, delivery.event, {
        reply: said.length > 0 ? said.join("\n\n") : null,
      });
      if (next === "stop") {
        for (let later = index + 1; later < commands.length; later++) {
          await deps.store.recordDelivery(
            `${context.id}#${later}`,
            delivery.event,
          );
        }
        break;
      }
    }
    // Said to people who may use commands here, or along with an answer:
    // not, on its own, to every reader who pastes many.
    if (
      parsed.length > MAX_COMMANDS &&
      (replies.length > 0 || hasPermission(permission, "triage"))
    ) {
      replies.unshift(
        `Specwright acts on the first ${MAX_COMMANDS} commands of a comment; the other ${parsed.length - MAX_COMMANDS} were ignored.`,
      );
    }
    if (replies.length > 0) {
      // One attempt of the delivery sends the reply, even when GitHub sends
      // it twice at once; a send that fails leaves it to the redelivery.
      const claim = `${context.id}#reply`;
      if (await deps.store.recordDelivery(claim, "issue_comment")) {
        try {
          await reply(context, replies.join("\n\n"));
        } catch (error) {
          await deps.store.forgetDelivery(claim);
          throw error;
        }
      }
    }
    await deps.store.recordDelivery(done, "issue_comment");
  };
}
