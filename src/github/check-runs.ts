import type { RunEvent } from "../engine/events.js";
import { findStage } from "../engine/run-state.js";
import {
  type EffectContext,
  repoOf,
  repositoryName,
} from "./effect-context.js";
import {
  annotationBatches,
  type CheckAnnotation,
  renderAnnotations,
} from "./render-annotations.js";
import { type CheckRunFields, renderCheckRun } from "./render-check-run.js";
import { renderGateCheckRun } from "./render-gate-check-run.js";

/**
 * A check run's external id: `specwright:<run>:<stage>:<attempt>` for a
 * stage attempt's, `specwright:<run>:<stage>:gate` for a gate's.
 */
export function externalId(
  runId: string,
  stage: string,
  attempt: number | "gate",
): string {
  return `specwright:${runId}:${stage}:${attempt}`;
}

/** The run, stage and attempt (or `gate`) a check run of ours is for. */
export function parseExternalId(
  id: string | null | undefined,
): { runId: string; stage: string; attempt: number | "gate" } | undefined {
  const match =
    /^specwright:([0-9a-f-]{36}):([A-Za-z_][\w-]*):(\d+|gate)$/.exec(id ?? "");
  if (match === null) return undefined;
  const [, runId = "", stage = "", attempt = ""] = match;
  return {
    runId,
    stage,
    attempt: attempt === "gate" ? "gate" : Number(attempt),
  };
}

function locate(
  context: EffectContext,
  effect: { stage: string; attempt: number },
) {
  const stage = findStage(context.state, effect.stage);
  const attempt = stage?.attempts.find((a) => a.attempt === effect.attempt);
  return stage && attempt ? { stage, attempt } : undefined;
}

type Fields = Omit<CheckRunFields, "name">;

/**
 * Brings a check run up to date and adds the annotations after the first
 * `sent`. GitHub takes 50 annotations a request and appends each request's
 * to the earlier ones; every request repeats the output, whose title and
 * summary it requires.
 */
async function update(
  context: EffectContext,
  checkRunId: number,
  fields: Fields,
  annotations: readonly CheckAnnotation[],
  sent: number,
): Promise<void> {
  const { octokit, state, memory } = context;
  const [first, ...rest] = annotationBatches(annotations.slice(sent));
  const name = repositoryName(state);
  memory?.rememberAnnotations(name, checkRunId, undefined);
  await octokit.rest.checks.update({
    ...repoOf(state),
    check_run_id: checkRunId,
    ...fields,
    output: { ...fields.output, ...(first ? { annotations: first } : {}) },
  });
  await append(context, checkRunId, fields, rest);
  memory?.rememberAnnotations(
    name,
    checkRunId,
    Math.max(sent, annotations.length),
  );
}

async function append(
  context: EffectContext,
  checkRunId: number,
  fields: Fields,
  batches: readonly CheckAnnotation[][],
): Promise<void> {
  for (const batch of batches) {
    await context.octokit.rest.checks.update({
      ...repoOf(context.state),
      check_run_id: checkRunId,
      output: { ...fields.output, annotations: batch },
    });
  }
}

/**
 * Creates the check run for a stage attempt on the commit it runs against,
 * with `analyze`'s findings as annotations when the attempt has ended. A
 * retry first looks for the one an earlier try made (by external id) and
 * finishes its work.
 */
export async function createCheckRun(
  context: EffectContext,
  effect: { stage: string; attempt: number },
): Promise<RunEvent | null> {
  const { octokit, state, retries, now } = context;
  const found = locate(context, effect);
  if (found === undefined) return null;
  const id = externalId(state.id, effect.stage, effect.attempt);
  const { name, ...fields } = renderCheckRun(
    state,
    found.stage,
    found.attempt,
    now(),
  );
  const { annotations } = renderAnnotations(found.attempt.findings);
  const created = (checkRunId: number): RunEvent => ({
    type: "check_run_created",
    stage: effect.stage,
    attempt: effect.attempt,
    check_run_id: checkRunId,
    at: now().toISOString(),
  });
  if (retries > 0) {
    const { data } = await octokit.rest.checks.listForRef({
      ...repoOf(state),
      ref: found.attempt.base_sha,
      check_name: name,
      filter: "all",
    });
    const earlier = data.check_runs.find((run) => run.external_id === id);
    if (earlier) {
      // An attempt that ended before its check run was made has no later
      // update to show its result: the earlier try may have stopped short.
      if (fields.status === "completed")
        await update(
          context,
          earlier.id,
          fields,
          annotations,
          earlier.output?.annotations_count ?? 0,
        );
      return created(earlier.id);
    }
  }
  const [first, ...rest] = annotationBatches(annotations);
  const { data } = await octokit.rest.checks.create({
    ...repoOf(state),
    name,
    head_sha: found.attempt.base_sha,
    external_id: id,
    ...fields,
    output: { ...fields.output, ...(first ? { annotations: first } : {}) },
  });
  await append(context, data.id, fields, rest);
  context.memory?.rememberAnnotations(
    repositoryName(state),
    data.id,
    annotations.length,
  );
  return created(data.id);
}

/**
 * Brings a stage attempt's check run up to date with the attempt. Its
 * annotations are counted first (on GitHub, unless this process wrote them
 * all): this update may repeat one that already added them (a retried
 * effect, or an earlier update performed once the attempt had ended), and
 * GitHub would add them twice.
 */
export async function updateCheckRun(
  context: EffectContext,
  effect: { stage: string; attempt: number },
): Promise<null> {
  const { octokit, state, now, memory } = context;
  const found = locate(context, effect);
  const checkRunId = found?.attempt.check_run_id ?? null;
  if (found === undefined || checkRunId === null) return null;
  const { name: _, ...fields } = renderCheckRun(
    state,
    found.stage,
    found.attempt,
    now(),
  );
  const { annotations } = renderAnnotations(found.attempt.findings);
  let sent = 0;
  if (annotations.length > 0) {
    sent =
      memory?.annotationsOf(repositoryName(state), checkRunId) ??
      (
        await octokit.rest.checks.get({
          ...repoOf(state),
          check_run_id: checkRunId,
        })
      ).data.output.annotations_count;
  }
  await update(context, checkRunId, fields, annotations, sent);
  return null;
}

/**
 * Creates the check run that shows a gate waiting, with Approve and Reject
 * buttons, on the branch head. A retry first looks for an earlier try's.
 */
export async function createGateCheckRun(
  context: EffectContext,
  effect: { stage: string; waiting_since: string },
): Promise<RunEvent | null> {
  const { octokit, state, retries, now } = context;
  const stage = findStage(state, effect.stage);
  const head = state.head_sha;
  if (stage === undefined || head === null) return null;
  const id = externalId(state.id, stage.id, "gate");
  const fields = renderGateCheckRun(state, stage, now());
  const at = now().toISOString();
  if (retries > 0) {
    const { data } = await octokit.rest.checks.listForRef({
      ...repoOf(state),
      ref: head,
      check_name: fields.name,
      filter: "all",
    });
    // The newest: an earlier wait's may be on the same commit too.
    const earlier = data.check_runs
      .filter((run) => run.external_id === id)
      .sort((a, b) => b.id - a.id)[0];
    if (earlier) {
      // It may show an earlier wait's decision (the stage ran again since):
      // bring it up to date.
      const { name: _, ...current } = fields;
      await octokit.rest.checks.update({
        ...repoOf(state),
        check_run_id: earlier.id,
        ...current,
      });
      return {
        type: "gate_check_run_created",
        stage: stage.id,
        check_run_id: earlier.id,
        waiting_since: effect.waiting_since,
        at,
      };
    }
  }
  const { data } = await octokit.rest.checks.create({
    ...repoOf(state),
    head_sha: head,
    external_id: id,
    ...fields,
  });
  return {
    type: "gate_check_run_created",
    stage: stage.id,
    check_run_id: data.id,
    waiting_since: effect.waiting_since,
    at,
  };
}

/** Shows the gate's decision (approved, rejected, timed out) on its check run. */
export async function updateGateCheckRun(
  context: EffectContext,
  effect: {
    stage: string;
    check_run_id?: number;
    superseded?: boolean;
    approval?: boolean;
  },
): Promise<null> {
  const { octokit, state, now } = context;
  const stage = findStage(state, effect.stage);
  const id = effect.check_run_id ?? stage?.gate_check_run_id ?? null;
  if (stage === undefined || id === null) return null;
  // The approval as decided, without the budget gate the stage went on to.
  const shown = effect.approval
    ? { ...stage, status: "pending" as const, budget_gate: null }
    : stage;
  const { name: _, ...fields } = renderGateCheckRun(
    state,
    shown,
    now(),
    effect.superseded === true,
  );
  await octokit.rest.checks.update({
    ...repoOf(state),
    check_run_id: id,
    ...fields,
  });
  return null;
}
