import { describe, expect, it } from "vitest";
import { createRunState } from "../../src/engine/create-run-state.js";
import { defaultWorkflow } from "../../src/workflow/default-workflow.js";
import {
  BRANCH,
  CREATED_AT,
  FEATURE,
  ISSUE,
  RUN_ID,
  settingsFor,
} from "./fixtures.js";

describe("createRunState", () => {
  const workflow = defaultWorkflow();
  const settings = settingsFor({ agent: { backend: "codex" } });

  it.each([
    { name: "with an issue", issue: ISSUE },
    { name: "without an issue", issue: null },
  ])("makes a queued run with every stage pending ($name)", ({ issue }) => {
    const state = createRunState({
      id: RUN_ID,
      installation_id: 7,
      owner: "acme",
      repo: "web",
      html_url: "https://github.com/acme/web",
      issue,
      feature: FEATURE,
      requested_by: "octocat",
      base_branch: "main",
      branch: BRANCH,
      workflow,
      settings,
      parameters: { depth: 2 },
      at: CREATED_AT,
    });

    expect(state).toStrictEqual({
      id: RUN_ID,
      version: 0,
      installation_id: 7,
      owner: "acme",
      repo: "web",
      html_url: "https://github.com/acme/web",
      issue,
      feature: FEATURE,
      requested_by: "octocat",
      status: "queued",
      result_summary: null,
      base_branch: "main",
      base_sha: null,
      branch: BRANCH,
      head_sha: null,
      spec_dir: null,
      pull_request: null,
      pull_request_draft_refused: false,
      problems: [],
      tracking_comment_id: null,
      tracking_comment_on: null,
      hold: null,
      workflow,
      settings,
      parameters: { depth: 2 },
      stages: ["specify", "plan", "tasks", "analyze", "implement"].map(
        (id) => ({
          id,
          status: "pending",
          attempts: [],
          outputs: null,
          approved_by: null,
          rejected_by: null,
          waiting_since: null,
          gate_check_run_id: null,
          retry_at: null,
          next_trigger: null,
          stopped_by_run: false,
          reason: null,
        }),
      ),
      created_at: CREATED_AT,
      started_at: null,
      completed_at: null,
    });
  });
});
