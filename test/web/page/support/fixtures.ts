import {
  RunDetail,
  RunSummary,
  SessionView,
  type StageView,
} from "../../../../src/web/api/schemas.js";

// Fixtures for the page's tests, each parsed with the API's own schemas:
// a change to the contract breaks them here, not silently in the browser.

type Summary = RunSummary;
type Detail = RunDetail;
type Attempt = StageView["attempts"][number];

const HOUR = 3600_000;

/** An ISO time `hoursAgo` before now (negative: in the future). */
export function ago(hoursAgo: number): string {
  return new Date(Date.now() - hoursAgo * HOUR).toISOString();
}

export function makeSession(
  over: Partial<{ login: string; csrf_token: string }> = {},
) {
  return SessionView.parse({
    login: "octocat",
    avatar_url: null,
    csrf_token: "csrf-123",
    ...over,
  });
}

export function makeSummary(over: Partial<Summary> & { id: string }): Summary {
  const repository = over.repository ?? "acme/web";
  return RunSummary.parse({
    repository,
    issue_number: 7,
    feature: `Feature ${over.id}`,
    status: "succeeded",
    current_stage: null,
    requested_by: "octocat",
    branch: `specwright/${over.id}`,
    pull_request_number: null,
    created_at: ago(2),
    started_at: ago(2),
    completed_at: ago(1),
    duration_ms: HOUR,
    usage: { input_tokens: 1200, output_tokens: 300, turns: 4, cost_usd: 0.5 },
    links: {
      repository: `https://github.com/${repository}`,
      issue: `https://github.com/${repository}/issues/7`,
      pull_request: null,
      branch: `https://github.com/${repository}/tree/specwright/${over.id}`,
    },
    ...over,
  });
}

export function makeAttempt(over: Partial<Attempt> & { attempt: number }) {
  return {
    status: "succeeded",
    execution_path: "agent",
    selected_skill: "speckit.plan",
    agent_version: "claude-code 2.1.197",
    trigger: "dependencies met",
    dispatched_at: ago(1.9),
    started_at: ago(1.85),
    completed_at: ago(1.8),
    duration_ms: 180_000,
    usage: { input_tokens: 500, output_tokens: 100, cost_usd: 0.2 },
    error: null,
    log_tail: null,
    final_message: "Done.",
    changed_paths: [],
    phases: [],
    artifacts: [],
    links: { check_run: null, actions_run: null, commit: null },
    ...over,
  } satisfies Attempt;
}

export function makeStage(
  over: Partial<StageView> & { id: string; batch: number },
): StageView {
  return {
    name: over.id,
    needs: [],
    gate: false,
    status: "pending",
    reason: null,
    waiting_since: null,
    approved_by: null,
    rejected_by: null,
    retry_at: null,
    usage: {},
    attempts: [],
    controls: { approve: false, reject: false, retry: false },
    ...over,
  };
}

/**
 * A run under way: specify succeeded on its second attempt, plan (a gate)
 * waits for approval, tasks and checklist (one batch) then implement wait.
 */
export function makeDetail(over: Partial<Detail> = {}): Detail {
  const id = over.id ?? "run-1";
  const stages = over.stages ?? [
    makeStage({
      id: "specify",
      batch: 0,
      status: "succeeded",
      usage: { cost_usd: 0.4 },
      controls: { approve: false, reject: false, retry: true },
      attempts: [
        makeAttempt({
          attempt: 1,
          status: "failed",
          error: "The agent stopped: spec.md was not produced.",
          log_tail: "step 1\nstep 2\nerror: no spec.md",
          final_message: null,
          trigger: "run started",
          links: {
            check_run: "https://github.com/acme/web/runs/11",
            actions_run: "https://github.com/acme/web/actions/runs/21",
            commit: null,
          },
        }),
        makeAttempt({
          attempt: 2,
          trigger: "retry by @octocat",
          changed_paths: ["specs/001-login/spec.md"],
          artifacts: [
            {
              type: "result-bundle",
              name: "specwright-specify-2",
              size_bytes: 2048,
              expires_at: ago(-72),
              expired: false,
              url: "https://github.com/acme/web/actions/runs/22#artifacts",
            },
          ],
          links: {
            check_run: "https://github.com/acme/web/runs/12",
            actions_run: "https://github.com/acme/web/actions/runs/22",
            commit: "https://github.com/acme/web/commit/abc123",
          },
        }),
      ],
    }),
    makeStage({
      id: "plan",
      batch: 1,
      needs: ["specify"],
      gate: true,
      status: "waiting_approval",
      waiting_since: ago(0.5),
      controls: { approve: true, reject: true, retry: false },
    }),
    makeStage({ id: "tasks", batch: 2, needs: ["plan"] }),
    makeStage({ id: "checklist", batch: 2, needs: ["plan"] }),
    makeStage({ id: "implement", batch: 3, needs: ["tasks", "checklist"] }),
  ];
  const summary = makeSummary({
    id,
    status: "in_progress",
    current_stage: "plan",
    completed_at: null,
    feature: "Sign-in with passkeys",
  });
  return RunDetail.parse({
    ...summary,
    workflow: "speckit",
    base_branch: "main",
    spec_dir: "specs/001-login",
    result_summary: null,
    hold: null,
    problems: [],
    stages,
    controls: { cancel: true, hold: true, unhold: false },
    permission: "write",
    last_event_id: "41",
    ...over,
  });
}

/** The run as it is after someone approved plan and tasks started. */
export function approvedPlan(run: Detail): Detail {
  return RunDetail.parse({
    ...run,
    current_stage: "tasks",
    stages: run.stages.map((stage) =>
      stage.id === "plan"
        ? {
            ...stage,
            status: "succeeded",
            waiting_since: null,
            approved_by: "octocat",
            controls: { approve: false, reject: false, retry: true },
          }
        : stage.id === "tasks"
          ? { ...stage, status: "running" }
          : stage,
    ),
  });
}
