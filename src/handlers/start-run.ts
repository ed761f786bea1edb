import type { Dependencies } from "../app/dependencies.js";
import { featureSlug, renderBranchName } from "../config/branch-pattern.js";
import type { CheckedConfig } from "../config/check-config.js";
import { PROMPT_PACK_VERSION } from "../contracts/stage-request.js";
import { createRunState } from "../engine/create-run-state.js";
import type { IssueRef } from "../engine/run-state.js";
import { untrusted } from "../github/untrusted-text.js";
import { resolveParameters } from "../workflow/plan/resolve-parameters.js";

/** What a run starts from: a `/specify` comment or the `specwright:specify` label. */
export interface RunRequest {
  installationId: number;
  owner: string;
  repo: string;
  defaultBranch: string;
  /** The repository's web address (github.com, or a GitHub Enterprise Server's). */
  htmlUrl: string;
  /** GitHub's id of the repository. */
  repositoryId: number;
  issue: IssueRef;
  /** The feature text, with `key=value` words for parameters still in it. */
  text: string;
  /** `key=value` words of the request. */
  named: Readonly<Record<string, string>>;
  requestedBy: string;
  /** The delivery (and event) that asked, acted on once. */
  delivery: { id: string; event: string };
  /** Says something back to whoever asked. */
  reply: (body: string) => Promise<void>;
  log: { info(message: string): void };
}

/**
 * Starts a run of the repository's workflow for an issue. `key=value`
 * words naming a workflow parameter set it; the rest is the feature. True
 * when a run started.
 */
export async function startRun(
  request: RunRequest,
  deps: Dependencies,
  checked: CheckedConfig,
  command = "`/specify`",
): Promise<boolean> {
  const { workflow, config } = checked;
  const declared = Object.keys(workflow.parameters);
  const supplied = Object.fromEntries(
    Object.entries(request.named).filter(([key]) => declared.includes(key)),
  );
  const feature = request.text
    .split(/(\s+)/)
    .filter(
      (word) =>
        !Object.keys(supplied).some((key) => word.startsWith(`${key}=`)),
    )
    .join("")
    .trim();
  if (feature === "") {
    await request.reply(
      `${command} needs a description of the feature, for example: \`/specify Add a dark mode toggle\`.`,
    );
    return false;
  }
  const parameters = resolveParameters(workflow.parameters, supplied);
  if (parameters.errors.length > 0) {
    await request.reply(
      // The errors quote the values the request gave: untrusted text.
      `Specwright did not start: ${untrusted(parameters.errors.join("; "))}.`,
    );
    return false;
  }

  const at = deps.now().toISOString();
  const { workflow: _, ...settings } = config;
  const state = createRunState({
    id: deps.newRunId(),
    installation_id: request.installationId,
    owner: request.owner,
    repo: request.repo,
    html_url: request.htmlUrl,
    repository_id: request.repositoryId,
    issue: request.issue,
    feature,
    requested_by: request.requestedBy,
    base_branch: config.base_branch ?? request.defaultBranch,
    branch: renderBranchName(config.branch_pattern, {
      date: at.slice(0, 10).replace(/-/g, ""),
      token: deps.newToken(),
      issue: String(request.issue.number),
      slug: featureSlug(feature),
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
      delivery: request.delivery,
      agent: {
        backend: config.agent.backend,
        version: null,
        prompt_pack_version: PROMPT_PACK_VERSION,
        runtime_env: workflow.env,
      },
    },
  );
  if (created.applied) {
    request.log.info(`specwright: started run ${state.id} on ${state.branch}`);
    deps.runner.kick();
  }
  return created.applied;
}
