import type { Context } from "probot";
import type { Dependencies } from "../app/dependencies.js";
import { loadRepositoryConfig } from "../app/load-repository-config.js";
import {
  type CommandName,
  DEFAULT_COMMAND_PERMISSIONS,
} from "../commands/command-names.js";
import { decideCommand } from "../commands/decide-command.js";
import { hasPermission } from "../commands/permission.js";
import { errorMessage, httpStatus } from "../github/github-errors.js";
import { LABELS } from "../github/labels.js";
import { act } from "./act.js";
import { getCommandPermission } from "./get-command-permission.js";
import { codeBlock } from "./respond.js";
import { startRun } from "./start-run.js";

type LabelContext = Context<"issues.labeled"> | Context<"pull_request.labeled">;

/**
 * `specwright:specify` on an issue starts a run from its title and body;
 * `specwright:implement` on a run's pull request (or issue) approves the
 * implement stage, or runs it again. Both are one-shot: the label is
 * removed once Specwright has acted (or refused), so it can be applied again.
 */
export function onLabeled(deps: Dependencies) {
  return async (context: LabelContext): Promise<void> => {
    const { label, sender, repository } = context.payload;
    const name = label?.name;
    if (name !== LABELS.specify.name && name !== LABELS.implement.name) return;
    if (context.isBot || sender.type === "Bot") return;
    const item =
      "pull_request" in context.payload
        ? { ...context.payload.pull_request, isPullRequest: true }
        : { ...context.payload.issue, isPullRequest: false };
    const owner = repository.owner.login;
    const repo = repository.name;
    const delivery = { id: context.id, event: `${context.name}.labeled` };
    if (await deps.store.hasDelivery(delivery.id)) return;
    const answer = async (body: string) => {
      await context.octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: item.number,
        body,
      });
    };
    try {
      const command: CommandName =
        name === LABELS.specify.name ? "specify" : "implement";
      const permission = await getCommandPermission(context, sender.login);
      const config = await loadRepositoryConfig(context);
      const required = (n: CommandName) =>
        (config.ok ? config.config.permissions[n] : undefined) ??
        DEFAULT_COMMAND_PERMISSIONS[n];
      const level = required(command);
      if (!hasPermission(permission, level)) {
        await answer(
          `@${sender.login} the \`${name}\` label needs ${level} permission on this repository; you have ${permission}.`,
        );
        await deps.store.recordDelivery(delivery.id, delivery.event);
        return;
      }
      if (!config.ok) {
        await answer(
          [
            `Specwright did not act on the \`${name}\` label: \`.github/specwright.yml\` is invalid.`,
            "",
            codeBlock(config.problems.join("\n")),
          ].join("\n"),
        );
        await deps.store.recordDelivery(delivery.id, delivery.event);
        return;
      }
      if (command === "specify") {
        if (item.isPullRequest) {
          await answer(
            `The \`${name}\` label starts a run from an issue, not from a pull request.`,
          );
          await deps.store.recordDelivery(delivery.id, delivery.event);
          return;
        }
        const body = (item.body ?? "").trim();
        const started = await startRun(
          {
            installationId: context.payload.installation?.id ?? 0,
            owner,
            repo,
            defaultBranch: repository.default_branch,
            htmlUrl: repository.html_url,
            repositoryId: repository.id,
            issue: {
              number: item.number,
              title: item.title,
              body: item.body ?? "",
              url: item.html_url,
            },
            text: body === "" ? item.title : `${item.title}\n\n${body}`,
            named: {},
            requestedBy: sender.login,
            delivery,
            reply: answer,
            log: context.log,
          },
          deps,
          config,
          `The \`${name}\` label`,
        );
        if (!started)
          await deps.store.recordDelivery(delivery.id, delivery.event);
        return;
      }
      const runs = await deps.store.findRunsFor(owner, repo, item.number);
      await act(
        deps,
        decideCommand(
          {
            name: "implement",
            args: [],
            text: "",
            via: `the \`${name}\` label`,
            // Labelling updates the item; a late delivery keeps the time.
            issued_at: item.updated_at,
          },
          runs,
          { login: sender.login, permission },
          deps.now().toISOString(),
          required,
        ),
        delivery,
        answer,
      );
    } finally {
      await removeLabel(context, item.number, name);
    }
  };
}

/**
 * Takes the label off again; one someone already removed is fine. A label
 * that cannot be removed is only logged: Specwright has acted on it, and
 * failing here would hide what it did (it stays on the item until someone
 * removes it, and must be removed before it can be applied again).
 */
async function removeLabel(
  context: LabelContext,
  number: number,
  name: string,
): Promise<void> {
  const owner = context.payload.repository.owner.login;
  const repo = context.payload.repository.name;
  try {
    await context.octokit.rest.issues.removeLabel({
      owner,
      repo,
      issue_number: number,
      name,
    });
  } catch (error) {
    if (httpStatus(error) === 404) return;
    context.log.warn(
      `specwright: could not remove the ${name} label from #${number}: ${errorMessage(error)}`,
    );
  }
}
