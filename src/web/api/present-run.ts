import type { Actor } from "../../commands/decide-command.js";
import type { Permission } from "../../commands/permission.js";
import {
  type Attempt,
  isTerminalRun,
  type RunState,
  type StageRun,
} from "../../engine/run-state.js";
import { runUsage, stageUsage } from "../../engine/usage-totals.js";
import { stageBatches } from "../../workflow/graph/stage-batches.js";
import { stageGate, stageName } from "../../workflow/schema.js";
import { offers, type StageControl } from "./offered-controls.js";
import type {
  AttemptView,
  RunDetail,
  RunSummary,
  StageView,
} from "./schemas.js";

/** Statuses of a stage that is under way or waits for people. */
const CURRENT = new Set([
  "dispatched",
  "running",
  "retrying",
  "waiting_approval",
]);

/** The repository's web address (GitHub Enterprise Server's differs). */
export function repositoryUrl(
  run: Pick<RunState, "owner" | "repo" | "html_url">,
) {
  return run.html_url ?? `https://github.com/${run.owner}/${run.repo}`;
}

export function durationMs(
  from: string | null,
  to: string | null,
  now: Date,
): number | null {
  if (from === null) return null;
  const end = to === null ? now.getTime() : Date.parse(to);
  return Math.max(0, end - Date.parse(from));
}

/** The list's row for a run held in memory (the list itself reads columns). */
export function presentSummary(run: RunState, now: Date): RunSummary {
  const html = repositoryUrl(run);
  return {
    id: run.id,
    repository: `${run.owner}/${run.repo}`,
    issue_number: run.issue?.number ?? null,
    feature: run.feature,
    status: run.status,
    current_stage: run.stages.find((s) => CURRENT.has(s.status))?.id ?? null,
    requested_by: run.requested_by,
    branch: run.branch,
    pull_request_number: run.pull_request?.number ?? null,
    created_at: run.created_at,
    started_at: run.started_at,
    completed_at: run.completed_at,
    duration_ms: durationMs(
      run.started_at ?? run.created_at,
      run.completed_at,
      now,
    ),
    usage: runUsage(run),
    links: {
      repository: html,
      issue: run.issue?.url ?? null,
      pull_request: run.pull_request?.url ?? null,
      branch:
        run.base_sha === null
          ? null
          : `${html}/tree/${run.branch.split("/").map(encodeURIComponent).join("/")}`,
    },
  };
}

/** `GET /runs/{id}`: the run, every stage and attempt, and what this person may press. */
export function presentRun(
  run: RunState,
  viewer: { actor: Actor | undefined; permission: Permission },
  lastEventId: number | null,
  now: Date,
): RunDetail {
  const at = now.toISOString();
  const { actor } = viewer;
  const batches = stageBatches(run.workflow);
  const batchOf = new Map(
    batches.flatMap((ids, batch) => ids.map((id) => [id, batch] as const)),
  );
  return {
    ...presentSummary(run, now),
    workflow: run.workflow.name,
    base_branch: run.base_branch,
    spec_dir: run.spec_dir,
    result_summary: run.result_summary,
    hold: run.hold,
    problems: run.problems.map((p) => ({
      kind: p.kind,
      stage: p.stage,
      message: p.message,
      at: p.at,
    })),
    stages: run.stages.map((stage) =>
      presentStage(
        run,
        stage,
        batchOf.get(stage.id) ?? 0,
        (control) => offers(run, control, actor, at, stage.id),
        now,
      ),
    ),
    controls: {
      cancel: offers(run, "cancel", actor, at),
      hold: offers(run, "hold", actor, at),
      unhold: offers(run, "unhold", actor, at),
    },
    permission: viewer.permission,
    last_event_id: lastEventId === null ? null : String(lastEventId),
  };
}

function presentStage(
  run: RunState,
  stage: StageRun,
  batch: number,
  offered: (control: StageControl) => boolean,
  now: Date,
): StageView {
  const definition = run.workflow.stages.find((s) => s.id === stage.id);
  return {
    id: stage.id,
    name: definition ? stageName(definition) : stage.id,
    needs: definition?.depends_on ? [...definition.depends_on] : [],
    batch,
    gate: definition ? stageGate(definition) !== undefined : false,
    status: stage.status,
    reason: stage.reason,
    waiting_since: stage.waiting_since,
    approved_by: stage.approved_by,
    rejected_by: stage.rejected_by,
    retry_at: stage.retry_at,
    usage: stageUsage(stage),
    attempts: stage.attempts.map((a) => presentAttempt(run, a, now)),
    controls: {
      approve: offered("approve"),
      reject: offered("reject"),
      retry: offered("retry"),
    },
  };
}

function presentAttempt(run: RunState, a: Attempt, now: Date): AttemptView {
  const html = repositoryUrl(run);
  const actionsRun = a.workflow_run_url;
  return {
    attempt: a.attempt,
    status: a.status,
    execution_path: a.execution_path,
    selected_skill: a.selected_skill,
    agent_version: a.agent_version,
    trigger: a.trigger,
    dispatched_at: a.dispatched_at,
    started_at: a.started_at,
    completed_at: a.completed_at,
    duration_ms:
      a.started_at === null
        ? null
        : durationMs(a.started_at, a.completed_at, now),
    usage: a.usage ?? {},
    error: a.error_message,
    log_tail: a.log_tail,
    final_message: a.final_message,
    changed_paths: a.changed_paths,
    phases: a.phases.map((p) => ({
      phase: p.phase,
      status: p.status,
      started_at: p.started_at ?? null,
      completed_at: p.completed_at ?? null,
    })),
    artifacts: a.artifacts.map((artifact) => ({
      type: artifact.type,
      name: artifact.name,
      size_bytes: artifact.size_bytes,
      expires_at: artifact.expires_at,
      expired: Date.parse(artifact.expires_at) <= now.getTime(),
      url: actionsRun ? `${actionsRun}#artifacts` : null,
    })),
    links: {
      check_run:
        a.check_run_id === null ? null : `${html}/runs/${a.check_run_id}`,
      actions_run: actionsRun,
      commit: a.commit_sha === null ? null : `${html}/commit/${a.commit_sha}`,
    },
  };
}

/** Whether the run will change no more (its event stream ends). */
export function runEnded(run: RunState): boolean {
  return isTerminalRun(run);
}
