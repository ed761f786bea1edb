import { expect } from "vitest";
import { checkConfig } from "../../src/config/check-config.js";
import { createRunState } from "../../src/engine/create-run-state.js";
import type { Effect, EffectKind } from "../../src/engine/effects.js";
import type { CollectedResult, RunEvent } from "../../src/engine/events.js";
import {
  type Attempt,
  currentAttempt,
  findStage,
  type IssueRef,
  newAttempt as makeAttempt,
  type RunSettings,
  type RunState,
  type StageRun,
} from "../../src/engine/run-state.js";
import { type Transition, transition } from "../../src/engine/transition.js";
import type { ParameterValues } from "../../src/workflow/plan/resolve-parameters.js";
import { Workflow } from "../../src/workflow/schema.js";

/** The run every fixture builds; a uuid, as StageRequest requires. */
export const RUN_ID = "0b5e7a52-9c3e-4f7a-8d1e-2f6a3b4c5d6e";
export const BRANCH = "speckit/20250102/k3x9";
export const FEATURE = "Add a dark mode toggle";
export const CREATED_AT = "2025-01-02T03:00:00.000Z";

export const ISSUE: IssueRef = {
  number: 42,
  title: "Dark mode",
  body: "Users want a dark mode toggle in settings.",
  url: "https://github.com/acme/web/issues/42",
};

/** A fixed ISO time, `minute` minutes after the run was created. */
export function at(minute: number): string {
  return new Date(Date.parse(CREATED_AT) + minute * 60_000).toISOString();
}

/** A distinct 40-hex commit SHA per number. */
export function sha(n: number): string {
  return n.toString(16).padStart(40, "0");
}

/** The base branch's head when the feature branch is created. */
export const BASE_SHA = sha(0xba5e);

/** The repository settings for a raw config (without `workflow`); must be valid. */
export function settingsFor(raw: Record<string, unknown> = {}): RunSettings {
  const checked = checkConfig(raw);
  if (!checked.ok) {
    throw new Error(
      `invalid fixture config: ${JSON.stringify(checked.diagnostics)}`,
    );
  }
  const { workflow: _, ...settings } = checked.config;
  return settings;
}

export interface RunOptions {
  issue?: IssueRef | null;
  settings?: RunSettings;
  parameters?: ParameterValues;
  feature?: string;
}

/** A queued run of a raw workflow (parsed with every default applied). */
export function makeRun(
  rawWorkflow: unknown,
  options: RunOptions = {},
): RunState {
  return createRunState({
    id: RUN_ID,
    installation_id: 7,
    owner: "acme",
    repo: "web",
    html_url: "https://github.com/acme/web",
    issue: options.issue === undefined ? ISSUE : options.issue,
    feature: options.feature ?? FEATURE,
    requested_by: "octocat",
    base_branch: "main",
    branch: BRANCH,
    workflow: Workflow.parse(rawWorkflow),
    settings: options.settings ?? settingsFor(),
    parameters: options.parameters ?? {},
    at: CREATED_AT,
  });
}

/**
 * Applies one event, checking the engine's promises on the way: the input is
 * never changed, and a change bumps the version by exactly one.
 */
export function step(state: RunState, event: RunEvent): Transition {
  const before = structuredClone(state);
  const result = transition(state, event);
  expect(state).toStrictEqual(before);
  if (result.state === state) expect(result.effects).toStrictEqual([]);
  else expect(result.state.version).toBe(state.version + 1);
  return result;
}

/** Applies events in order; every transition's effects, in order. */
export function applyAll(
  state: RunState,
  events: readonly RunEvent[],
): { state: RunState; effects: Effect[]; steps: Transition[] } {
  const steps: Transition[] = [];
  let current = state;
  for (const event of events) {
    const next = step(current, event);
    steps.push(next);
    current = next.state;
  }
  return { state: current, effects: steps.flatMap((s) => s.effects), steps };
}

/** Asserts that the event does not apply: same object back, no effects. */
export function expectNoOp(state: RunState, event: RunEvent): void {
  const result = step(state, event);
  expect(result.state).toBe(state);
  expect(result.effects).toStrictEqual([]);
}

/** The workflow run id the fixtures give a stage's attempt. */
export function workflowRunId(stage: string, attempt = 1): number {
  let hash = 0;
  for (const c of stage) hash = (hash * 31 + c.charCodeAt(0)) % 100_000;
  return 1_000_000 + hash * 10 + attempt;
}

/** The html_url GitHub gives that workflow run. */
export function workflowRunUrl(id: number): string {
  return `https://github.com/acme/web/actions/runs/${id}`;
}

/** Event builders; every event carries a fixed time. */
export const on = {
  start: (time = at(0)): RunEvent => ({ type: "start", at: time }),
  branchCreated: (head = BASE_SHA, time = at(1)): RunEvent => ({
    type: "branch_created",
    sha: head,
    at: time,
  }),
  branchFailed: (error: string, time = at(1)): RunEvent => ({
    type: "branch_failed",
    error,
    at: time,
  }),
  trackingCommentCreated: (commentId: number, time = at(1)): RunEvent => ({
    type: "tracking_comment_created",
    comment_id: commentId,
    at: time,
  }),
  checkRunCreated: (
    stage: string,
    attempt: number,
    checkRunId: number,
    time = at(2),
  ): RunEvent => ({
    type: "check_run_created",
    stage,
    attempt,
    check_run_id: checkRunId,
    at: time,
  }),
  stageDispatched: (
    stage: string,
    attempt = 1,
    id: number | null = workflowRunId(stage, attempt),
    time = at(2),
  ): RunEvent => ({
    type: "stage_dispatched",
    stage,
    attempt,
    workflow_run_id: id,
    workflow_run_url: id === null ? null : workflowRunUrl(id),
    at: time,
  }),
  dispatchFailed: (
    stage: string,
    attempt: number,
    error: string,
    time = at(2),
  ): RunEvent => ({ type: "dispatch_failed", stage, attempt, error, at: time }),
  runUpdated: (
    stage: string,
    attempt: number,
    status: "queued" | "in_progress" | "completed",
    options: { conclusion?: string | null; id?: number; time?: string } = {},
  ): RunEvent => {
    const id = options.id ?? workflowRunId(stage, attempt);
    return {
      type: "workflow_run_updated",
      stage,
      attempt,
      workflow_run_id: id,
      workflow_run_url: workflowRunUrl(id),
      status,
      conclusion:
        options.conclusion === undefined
          ? status === "completed"
            ? "success"
            : null
          : options.conclusion,
      at: options.time ?? at(3),
    };
  },
  resultCollected: (
    stage: string,
    attempt: number,
    result: CollectedResult,
    time = at(5),
  ): RunEvent => ({
    type: "result_collected",
    stage,
    attempt,
    result,
    at: time,
  }),
  resultMissing: (
    stage: string,
    attempt: number,
    error: string,
    time = at(5),
    retryable = false,
  ): RunEvent => ({
    type: "result_missing",
    stage,
    attempt,
    error,
    retryable,
    at: time,
  }),
  effectFailed: (
    kind: EffectKind,
    target: { stage?: string; attempt?: number } = {},
    message = "Resource not accessible by integration",
    options: { transient?: boolean; time?: string } = {},
  ): RunEvent => ({
    type: "effect_failed",
    kind,
    stage: target.stage ?? null,
    attempt: target.attempt ?? null,
    message,
    transient: options.transient ?? false,
    at: options.time ?? at(6),
  }),
  pullRequestOpened: (number: number, time = at(6)): RunEvent => ({
    type: "pull_request_opened",
    number,
    url: `https://github.com/acme/web/pull/${number}`,
    at: time,
  }),
  approve: (stage: string, by: string, time = at(7)): RunEvent => ({
    type: "approve",
    stage,
    by,
    at: time,
  }),
  reject: (
    stage: string,
    by: string,
    reason: string | null = null,
    time = at(7),
  ): RunEvent => ({ type: "reject", stage, by, reason, at: time }),
  rerun: (stage: string, by: string, why: string, time = at(20)): RunEvent => ({
    type: "rerun",
    stage,
    by,
    why,
    at: time,
  }),
  resume: (by: string, time = at(21)): RunEvent => ({
    type: "resume",
    by,
    at: time,
  }),
  cancel: (by: string, time = at(8)): RunEvent => ({
    type: "cancel",
    by,
    at: time,
  }),
  hold: (by: string, time = at(3)): RunEvent => ({
    type: "hold",
    by,
    at: time,
  }),
  unhold: (by: string, time = at(9)): RunEvent => ({
    type: "unhold",
    by,
    at: time,
  }),
  /** Time passes: `at` is an ISO time, or minutes after the run was made. */
  tick: (time: string | number): RunEvent => ({
    type: "tick",
    at: typeof time === "number" ? at(time) : time,
  }),
  dispatchLost: (stage: string, attempt = 1, time = at(10)): RunEvent => ({
    type: "dispatch_lost",
    stage,
    attempt,
    at: time,
  }),
  gateCheckRunCreated: (
    stage: string,
    id: number,
    waitingSince = at(5),
    time = at(6),
  ): RunEvent => ({
    type: "gate_check_run_created",
    stage,
    check_run_id: id,
    waiting_since: waitingSince,
    at: time,
  }),
  trackingCommentMoved: (
    commentId: number,
    number: number,
    time = at(7),
  ): RunEvent => ({
    type: "tracking_comment_moved",
    comment_id: commentId,
    number,
    at: time,
  }),
};

/** A successful collected result; override any field. */
export function succeeded(
  overrides: Partial<CollectedResult> = {},
): CollectedResult {
  return {
    status: "succeeded",
    execution_path: "skill",
    selected_skill: "speckit",
    agent_version: "1.0.0",
    outputs: {},
    spec_dir: null,
    error_message: null,
    phases: [],
    usage: null,
    findings: [],
    final_message: null,
    log_tail: null,
    warnings: [],
    commit_sha: null,
    commit_parent: null,
    changed_paths: [],
    artifacts: [],
    ...overrides,
  };
}

/** A successful result that committed `commit` on top of `parent`. */
export function committed(
  commit: string,
  parent: string,
  overrides: Partial<CollectedResult> = {},
): CollectedResult {
  return succeeded({
    commit_sha: commit,
    commit_parent: parent,
    changed_paths: ["README.md"],
    ...overrides,
  });
}

/** A failed collected result with the agent's message. */
export function failed(
  message: string | null,
  overrides: Partial<CollectedResult> = {},
): CollectedResult {
  return succeeded({
    status: "failed",
    execution_path: "direct_fallback",
    error_message: message,
    ...overrides,
  });
}

/** A queued run, started and with its branch created (the first stages dispatched). */
export function startedRun(
  rawWorkflow: unknown,
  options: RunOptions = {},
): Transition {
  return applyAll(makeRun(rawWorkflow, options), [
    on.start(),
    on.branchCreated(),
  ]).steps[1] as Transition;
}

/** A stage of the run; fails when there is none. */
export function stageOf(state: RunState, id: string): StageRun {
  const stage = findStage(state, id);
  if (stage === undefined) throw new Error(`no stage ${id}`);
  return stage;
}

/** A stage's current attempt; fails when it has none. */
export function attemptOf(state: RunState, id: string): Attempt {
  const attempt = currentAttempt(stageOf(state, id));
  if (attempt === undefined) throw new Error(`stage ${id} has no attempt`);
  return attempt;
}

/** The events of one attempt from dispatch to its collected result. */
export function stageEvents(
  state: RunState,
  id: string,
  result: CollectedResult,
  time = at(5),
): RunEvent[] {
  const attempt = attemptOf(state, id).attempt;
  return [
    on.stageDispatched(id, attempt),
    on.runUpdated(id, attempt, "in_progress"),
    on.runUpdated(id, attempt, "completed"),
    on.resultCollected(id, attempt, result, time),
  ];
}

/** Runs the stage's current attempt to its collected result. */
export function finishStage(
  state: RunState,
  id: string,
  result: CollectedResult = succeeded(),
  time = at(5),
): Transition {
  const { steps } = applyAll(state, stageEvents(state, id, result, time));
  return steps[steps.length - 1] as Transition;
}

/** The ids of the stages the effects dispatch, in order. */
export function dispatched(effects: readonly Effect[]): string[] {
  return effects.flatMap((e) => (e.kind === "dispatch_stage" ? [e.stage] : []));
}

/** The dispatch effect for a stage; fails when there is none. */
export function dispatchOf(
  effects: readonly Effect[],
  stage: string,
): Extract<Effect, { kind: "dispatch_stage" }> {
  const found = effects.find(
    (e): e is Extract<Effect, { kind: "dispatch_stage" }> =>
      e.kind === "dispatch_stage" && e.stage === stage,
  );
  if (found === undefined) throw new Error(`stage ${stage} was not dispatched`);
  return found;
}

/** An attempt as the engine creates it on dispatch; override any field. */
export function newAttempt(
  base: string,
  dispatchedAt: string,
  overrides: Partial<Attempt> = {},
): Attempt {
  // The fixtures' runs use claude with no model named: its default model.
  return {
    ...makeAttempt(1, base, dispatchedAt, null),
    model: "claude-sonnet-4-5",
    ...overrides,
  };
}

/** Every stage's status, by id. */
export function statuses(state: RunState): Record<string, string> {
  return Object.fromEntries(state.stages.map((s) => [s.id, s.status]));
}

/** The notices (new comments) the engine asks for. */
export const notice = {
  finished: (time: string): Effect => ({
    kind: "post_notice",
    notice: { type: "run_finished" },
    key: `finished:${time}`,
  }),
  stageFailed: (stage: string, attempt: number, time: string): Effect => ({
    kind: "post_notice",
    notice: { type: "stage_failed", stage },
    key: `failed:${stage}:${attempt}:${time}`,
  }),
  gateWaiting: (stage: string, time: string): Effect => ({
    kind: "post_notice",
    notice: { type: "gate_waiting", stage },
    key: `gate:${stage}:${time}`,
  }),
};

/** The run's stages that had not ended, as a failed run leaves them. */
export function notRun(
  state: RunState,
  status: "failed" | "cancelled" = "failed",
  why = `not run: the run ${status} first`,
): StageRun[] {
  return state.stages.map((stage) =>
    stage.status === "pending" ||
    stage.status === "waiting_approval" ||
    stage.status === "retrying"
      ? {
          ...stage,
          status: status === "cancelled" ? "cancelled" : "skipped",
          reason: why,
          retry_at: null,
          stopped_by_run: true,
        }
      : stage,
  );
}

/** Three stages in a line: a → b → c. */
export const LINEAR3 = {
  stages: [
    { id: "a" },
    { id: "b", depends_on: ["a"] },
    { id: "c", depends_on: ["b"] },
  ],
};

/** LINEAR3 with `a` committed (`sha(0xc1)` on the base) and `b` running. */
export function bRunning(): RunState {
  const { state } = finishStage(
    startedRun(LINEAR3).state,
    "a",
    committed(sha(0xc1), BASE_SHA),
    at(5),
  );
  return applyAll(state, [
    on.stageDispatched("b", 1, workflowRunId("b"), at(6)),
    on.runUpdated("b", 1, "in_progress", { time: at(6) }),
  ]).state;
}
