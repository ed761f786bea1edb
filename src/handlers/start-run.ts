import type { Context } from "probot";
import type { Dependencies } from "../app/dependencies.js";
import type { SlashCommand } from "../commands/parse-commands.js";
import { renderBranchName } from "../config/branch-pattern.js";
import type { CheckedConfig } from "../config/check-config.js";
import { PROMPT_PACK_VERSION } from "../contracts/stage-request.js";
import { createRunState } from "../engine/create-run-state.js";
import { resolveParameters } from "../workflow/plan/resolve-parameters.js";
import { reply } from "./respond.js";

type CommentContext = Context<"issue_comment.created">;

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 30)
      .replace(/-+$/, "") || "feature"
  );
}

/**
 * `/specify <feature>`: starts a run of the repository's workflow for the
 * issue. `key=value` words naming a workflow parameter set it.
 */
export async function startRun(
  context: CommentContext,
  deps: Dependencies,
  command: SlashCommand,
  checked: CheckedConfig,
  deliveryId: string,
): Promise<boolean> {
  const { issue, repository, comment } = context.payload;
  if (issue.pull_request) {
    await reply(
      context,
      "`/specify` starts a run from an issue: comment it on an issue, not on a pull request.",
    );
    return false;
  }
  const { workflow, config } = checked;
  const declared = Object.keys(workflow.parameters);
  const supplied = Object.fromEntries(
    Object.entries(command.named).filter(([key]) => declared.includes(key)),
  );
  const feature = command.text
    .split(/(\s+)/)
    .filter(
      (word) =>
        !Object.keys(supplied).some((key) => word.startsWith(`${key}=`)),
    )
    .join("")
    .trim();
  if (feature === "") {
    await reply(
      context,
      "`/specify` needs a description of the feature, for example: `/specify Add a dark mode toggle`.",
    );
    return false;
  }
  const parameters = resolveParameters(workflow.parameters, supplied);
  if (parameters.errors.length > 0) {
    await reply(
      context,
      `Specwright did not start: ${parameters.errors.join("; ")}.`,
    );
    return false;
  }

  const now = deps.now();
  const at = now.toISOString();
  const { workflow: _, ...settings } = config;
  const state = createRunState({
    id: deps.newRunId(),
    installation_id: context.payload.installation?.id ?? 0,
    owner: repository.owner.login,
    repo: repository.name,
    issue: {
      number: issue.number,
      title: issue.title,
      body: issue.body ?? "",
      url: issue.html_url,
    },
    feature,
    requested_by: comment.user?.login ?? context.payload.sender.login,
    base_branch: config.base_branch ?? repository.default_branch,
    branch: renderBranchName(config.branch_pattern, {
      date: at.slice(0, 10).replace(/-/g, ""),
      token: deps.newToken(),
      issue: String(issue.number),
      slug: slug(feature),
    }),
    workflow,
    settings,
    parameters: parameters.values,
    at,
  });
  const created = await deps.store.createRun(
    state,
    { type: "start", at },
    {
      delivery: { id: deliveryId, event: "issue_comment" },
      agent: {
        backend: config.agent.backend,
        version: null,
        prompt_pack_version: PROMPT_PACK_VERSION,
        runtime_env: workflow.env,
      },
    },
  );
  if (created.applied) {
    context.log.info(`specwright: started run ${state.id} on ${state.branch}`);
    deps.runner.kick();
  }
  return created.applied;
}
