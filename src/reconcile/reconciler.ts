import { randomUUID } from "node:crypto";
import { correlationKey } from "../contracts/stage-request.js";
import type { RunEvent } from "../engine/events.js";
import {
  type Attempt,
  currentAttempt,
  type RunState,
  TERMINAL_STAGE_STATUSES,
} from "../engine/run-state.js";
import type { Logger } from "../github/effect-context.js";
import { errorMessage } from "../github/github-errors.js";
import type { Octokit } from "../github/octokit.js";
import type { Store } from "../store/store.js";
import type { Redeliverer } from "./redeliverer.js";

export interface ReconcilerOptions {
  store: Store;
  octokitFor: (installationId: number) => Promise<Octokit>;
  log: Logger & { error(object: object, message?: string): void };
  /** Starts the effect runner on what the sweep queued. */
  kick: () => void;
  now?: () => Date;
  /** Between sweeps. */
  intervalMs?: number;
  /** A live attempt's workflow run is asked after at most this often. */
  pollMs?: number;
  /** A dispatched attempt with no workflow run after this is looked for, then sent again. */
  lostMs?: number;
  /** This process's name on the lease. */
  holder?: string;
  /** Asks GitHub to send failed webhook deliveries again; none: not done. */
  redeliverer?: Redeliverer;
}

export interface SweepReport {
  /** Another replica holds the lease: this one did nothing. */
  skipped: boolean;
  /** Runs that had something due (a `tick`). */
  ticked: number;
  /** Workflow runs whose news a webhook never brought. */
  updated: number;
  /** Dispatches that never started a workflow run. */
  lost: number;
  /** Runs the sweep could not look at (GitHub failed); tried next time. */
  failed: number;
  /** Failed webhook deliveries GitHub was asked to send again. */
  redelivered: number;
}

const LEASE = "reconciler";
const STATUS: Readonly<Record<string, "queued" | "in_progress" | "completed">> =
  {
    requested: "queued",
    queued: "queued",
    waiting: "queued",
    pending: "queued",
    in_progress: "in_progress",
    completed: "completed",
  };

/**
 * The reconciler: a periodic sweep, one replica at a time (a lease in the
 * database), that finds what webhooks did not bring and feeds it to the
 * same engine — time that passed (retries due, stages and gates past their
 * time limits), workflow runs that finished without a `workflow_run`
 * delivery, and dispatches that never started a workflow run — and, first,
 * asks GitHub to send again the webhook deliveries that failed (while the
 * App was down, say), which nothing else could recover: a `/specify`
 * comment, a label, a button press.
 */
export class Reconciler {
  private readonly now: () => Date;
  private readonly holder: string;
  private readonly polled = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<SweepReport> | undefined;

  constructor(private readonly options: ReconcilerOptions) {
    this.now = options.now ?? (() => new Date());
    this.holder = options.holder ?? randomUUID();
  }

  get intervalMs(): number {
    return this.options.intervalMs ?? 60_000;
  }

  /** Sweeps every interval from now on. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweepSafely(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
    await this.options.store.releaseLease(LEASE, this.holder);
  }

  private async sweepSafely(): Promise<void> {
    try {
      await this.sweep();
    } catch (error) {
      this.options.log.error(
        { err: error },
        "specwright: the reconciler failed",
      );
    }
  }

  /** One sweep; never two at once in this process. */
  sweep(): Promise<SweepReport> {
    this.sweeping ??= this.run().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async run(): Promise<SweepReport> {
    const { store, log } = this.options;
    const report: SweepReport = {
      skipped: false,
      ticked: 0,
      updated: 0,
      lost: 0,
      failed: 0,
      redelivered: 0,
    };
    const now = this.now();
    if (
      !(await store.acquireLease(LEASE, this.holder, this.intervalMs * 3, now))
    ) {
      return { ...report, skipped: true };
    }
    if (this.options.redeliverer) {
      try {
        const redelivery = await this.options.redeliverer.sweep(
          now,
          this.intervalMs,
        );
        report.redelivered = redelivery.redelivered;
      } catch (error) {
        log.warn(
          `specwright: the reconciler could not read the App's webhook deliveries: ${errorMessage(error)}`,
        );
      }
    }
    for (const runId of await store.runsDue(now)) {
      try {
        const result = await store.apply(runId, {
          type: "tick",
          at: now.toISOString(),
        });
        if (result.effects.length > 0) report.ticked++;
      } catch (error) {
        report.failed++;
        log.warn(
          `specwright: the reconciler could not apply what is due in run ${runId}: ${errorMessage(error)}`,
        );
      }
    }
    const seen = new Set<number>();
    for (const runId of await store.liveRuns()) {
      const state = await store.loadRun(runId);
      if (state === undefined) continue;
      for (const stage of state.stages) {
        const id = stage.attempts.at(-1)?.workflow_run_id;
        if (id != null) seen.add(id);
      }
      try {
        for (const event of await this.look(state, now)) {
          await store.apply(runId, event);
          if (event.type === "dispatch_lost") report.lost++;
          else report.updated++;
        }
      } catch (error) {
        report.failed++;
        log.warn(
          `specwright: the reconciler could not check run ${runId}: ${errorMessage(error)}`,
        );
      }
    }
    // Forget the workflow runs of attempts no longer live.
    for (const id of this.polled.keys()) {
      if (!seen.has(id)) this.polled.delete(id);
    }
    if (report.ticked + report.updated + report.lost > 0) {
      log.info(
        `specwright: reconciled ${report.ticked} due, ${report.updated} missed workflow run update(s), ${report.lost} lost dispatch(es)`,
      );
      this.options.kick();
    }
    return report;
  }

  /** What GitHub knows about the run's live attempts that the run does not. */
  private async look(state: RunState, now: Date): Promise<RunEvent[]> {
    const { pollMs = 300_000, lostMs = 600_000 } = this.options;
    const events: RunEvent[] = [];
    let octokit: Octokit | undefined;
    const client = async () => {
      octokit ??= await this.options.octokitFor(state.installation_id);
      return octokit;
    };
    const at = now.toISOString();
    for (const stage of state.stages) {
      const attempt = currentAttempt(stage);
      if (
        attempt === undefined ||
        TERMINAL_STAGE_STATUSES.includes(attempt.status)
      )
        continue;
      if (attempt.conclusion !== null) continue; // being collected
      const since = Date.parse(attempt.started_at ?? attempt.dispatched_at);
      if (attempt.workflow_run_id !== null) {
        const last = this.polled.get(attempt.workflow_run_id) ?? since;
        if (now.getTime() - last < pollMs) continue;
        this.polled.set(attempt.workflow_run_id, now.getTime());
        const { data } = await (await client()).rest.actions.getWorkflowRun({
          owner: state.owner,
          repo: state.repo,
          run_id: attempt.workflow_run_id,
        });
        const event = this.update(stage.id, attempt, data, at);
        if (event) events.push(event);
        continue;
      }
      if (now.getTime() - Date.parse(attempt.dispatched_at) < lostMs) continue;
      if (
        await this.options.store.hasPendingEffect(
          state.id,
          "dispatch_stage",
          stage.id,
          attempt.attempt,
        )
      )
        continue;
      const key = correlationKey(state.id, stage.id, attempt.attempt);
      const { data } = await (await client()).rest.actions.listWorkflowRuns({
        owner: state.owner,
        repo: state.repo,
        workflow_id: state.settings.stage_workflow,
        branch: state.branch,
        event: "workflow_dispatch",
        per_page: 50,
      });
      const found = data.workflow_runs.find((r) =>
        r.display_title.includes(key),
      );
      if (found) {
        events.push(
          this.update(stage.id, attempt, found, at, true) ?? {
            type: "stage_dispatched",
            stage: stage.id,
            attempt: attempt.attempt,
            workflow_run_id: found.id,
            workflow_run_url: found.html_url,
            at,
          },
        );
      } else {
        events.push({
          type: "dispatch_lost",
          stage: stage.id,
          attempt: attempt.attempt,
          at,
        });
      }
    }
    return events;
  }

  /** The event for a workflow run further along than the attempt knows, if it is. */
  private update(
    stage: string,
    attempt: Attempt,
    run: {
      id: number;
      html_url: string;
      status: string | null;
      conclusion: string | null;
    },
    at: string,
    unknownId = false,
  ): RunEvent | undefined {
    const status = STATUS[run.status ?? ""] ?? "queued";
    const behind =
      status === "completed" ||
      (status === "in_progress" && attempt.status === "dispatched") ||
      unknownId;
    if (!behind) return undefined;
    return {
      type: "workflow_run_updated",
      stage,
      attempt: attempt.attempt,
      workflow_run_id: run.id,
      workflow_run_url: run.html_url,
      status,
      conclusion: run.conclusion,
      at,
    };
  }
}
