import type { ParameterValues } from "../workflow/plan/resolve-parameters.js";
import type { Workflow } from "../workflow/schema.js";
import {
  type IssueRef,
  pendingStage,
  type RunSettings,
  type RunState,
} from "./run-state.js";

export interface NewRun {
  id: string;
  installation_id: number;
  owner: string;
  repo: string;
  html_url: string;
  /** GitHub's id of the repository (see `RunState.repository_id`). */
  repository_id?: number;
  issue: IssueRef | null;
  feature: string;
  requested_by: string;
  base_branch: string;
  /** The feature branch the run will create (from the branch pattern). */
  branch: string;
  workflow: Workflow;
  settings: RunSettings;
  parameters: ParameterValues;
  at: string;
}

/** A queued run with every stage pending; `start` sets it going. */
export function createRunState(run: NewRun): RunState {
  return {
    id: run.id,
    version: 0,
    installation_id: run.installation_id,
    owner: run.owner,
    repo: run.repo,
    html_url: run.html_url,
    ...(run.repository_id === undefined
      ? {}
      : { repository_id: run.repository_id }),
    issue: run.issue,
    feature: run.feature,
    requested_by: run.requested_by,
    status: "queued",
    result_summary: null,
    base_branch: run.base_branch,
    base_sha: null,
    branch: run.branch,
    head_sha: null,
    spec_dir: null,
    pull_request: null,
    pull_request_draft_refused: false,
    problems: [],
    tracking_comment_id: null,
    tracking_comment_on: null,
    hold: null,
    workflow: run.workflow,
    settings: run.settings,
    parameters: run.parameters,
    stages: run.workflow.stages.map((stage) => pendingStage(stage.id)),
    created_at: run.at,
    started_at: null,
    completed_at: null,
  };
}
