import { randomBytes, randomUUID } from "node:crypto";
import { basename } from "node:path";
import { stringify } from "yaml";
import { git } from "../../../action/src/git.js";
import { featureSlug, renderBranchName } from "../../config/branch-pattern.js";
import type { Config } from "../../config/schema.js";
import { PROMPT_PACK_VERSION } from "../../contracts/stage-request.js";
import { createRunState } from "../../engine/create-run-state.js";
import type { ParameterValues } from "../../workflow/plan/resolve-parameters.js";
import type { Workflow } from "../../workflow/schema.js";
import {
  createRunFolder,
  RUN_METADATA_FORMAT,
  type RunMetadata,
  type RunPaths,
  runPaths,
} from "../run-folder/index.js";

export interface LocalRunStart {
  repoRoot: string;
  config: Config;
  workflow: Workflow;
  /** The workflow as written, kept as `workflow_snapshot.yml`. */
  workflowText: string;
  feature: string;
  parameters: ParameterValues;
  by: string;
  now: Date;
}

/** `owner/repo` for the stage request: from the `origin` remote, else the folder's name. */
async function repositoryName(repoRoot: string): Promise<[string, string]> {
  const url = await git(repoRoot, ["remote", "get-url", "origin"]).catch(
    () => "",
  );
  const match = /[:/]([\w.-]+)\/([\w.-]+?)(?:\.git)?\s*$/.exec(url);
  if (match?.[1] && match[2]) return [match[1], match[2]];
  const name = basename(repoRoot).replace(/[^\w.-]/g, "-") || "repository";
  return ["local", name];
}

/** The branch checked out now: the run's base (HEAD when detached). */
async function currentBranch(repoRoot: string): Promise<string> {
  const name = await git(repoRoot, [
    "symbolic-ref",
    "--quiet",
    "--short",
    "HEAD",
  ])
    .then((out) => out.trim())
    .catch(() => "");
  return name || "HEAD";
}

/**
 * A new local run: the engine's state, queued, with the same branch name
 * as on GitHub (`speckit/{date}/{token}` by default), written as a complete
 * run folder. `start` sets it going.
 */
export async function startLocalRun(
  start: LocalRunStart,
): Promise<{ paths: RunPaths; metadata: RunMetadata }> {
  const { config, workflow, now } = start;
  const at = now.toISOString();
  const id = randomUUID();
  const [owner, repo] = await repositoryName(start.repoRoot);
  const { workflow: _, ...settings } = config;
  const state = createRunState({
    id,
    installation_id: 0,
    owner,
    repo,
    html_url: "",
    issue: null,
    feature: start.feature,
    requested_by: start.by,
    base_branch: config.base_branch ?? (await currentBranch(start.repoRoot)),
    branch: renderBranchName(config.branch_pattern, {
      date: at.slice(0, 10).replace(/-/g, ""),
      token: randomBytes(3).toString("hex"),
      issue: "local",
      slug: featureSlug(start.feature),
    }),
    workflow,
    settings,
    parameters: start.parameters,
    at,
  });
  const paths = runPaths(start.repoRoot, id);
  const metadata: RunMetadata = {
    format: RUN_METADATA_FORMAT,
    id,
    feature: start.feature,
    workflow_name: workflow.name,
    status: state.status,
    created_at: at,
    started_at: null,
    completed_at: null,
    updated_at: at,
    parameters: start.parameters,
    agent: {
      backend: config.agent.backend,
      model: config.agent.model ?? null,
      prompt_pack_version: PROMPT_PACK_VERSION,
      runtime_env: workflow.env,
    },
    repository_root: start.repoRoot,
    base_branch: state.base_branch,
    branch: state.branch,
    workspace: paths.workspace,
    steps: {},
    state,
  };
  await createRunFolder(start.repoRoot, {
    metadata,
    workflowText:
      start.workflowText === ""
        ? `# The built-in workflow (no .github/specwright.yml), as this run used it.\n${stringify({ workflow })}`
        : start.workflowText,
  });
  return { paths, metadata };
}
