import type { RunState } from "../engine/run-state.js";
import type { Database } from "./database.js";
import { findAttemptByWorkflowRun } from "./run-queries.js";

/** A stage attempt, as a workflow run is found to be one. */
export interface FoundAttempt {
  runId: string;
  stage: string;
  attempt: number;
}

/**
 * Workflow runs found to be a stage attempt's. That never changes (an
 * attempt records its workflow run once, and the column is unique), so the
 * deliveries that follow (a workflow run has several: its run's and its
 * job's) are answered without a query. Only found ones are kept: a
 * workflow run not known yet may be recorded later. Per process and
 * bounded; the oldest go first.
 */
export class WorkflowRunAttempts {
  private readonly found = new Map<number, FoundAttempt>();

  constructor(private readonly limit = 10_000) {}

  async find(
    db: Database,
    workflowRunId: number,
  ): Promise<FoundAttempt | undefined> {
    const known = this.found.get(workflowRunId);
    if (known !== undefined) return { ...known };
    const found = await findAttemptByWorkflowRun(db, workflowRunId);
    if (found === undefined) return undefined;
    this.keep(workflowRunId, found);
    return found;
  }

  /**
   * Keeps the workflow runs a run's attempts recorded, as a transition
   * committed them: the deliveries that follow for them ask nothing.
   */
  rememberAttempts(state: RunState): void {
    for (const stage of state.stages) {
      for (const attempt of stage.attempts) {
        const id = attempt.workflow_run_id;
        if (id === null || this.found.has(id)) continue;
        this.keep(id, {
          runId: state.id,
          stage: stage.id,
          attempt: attempt.attempt,
        });
      }
    }
  }

  private keep(workflowRunId: number, found: FoundAttempt): void {
    if (this.found.size >= this.limit)
      this.found.delete(this.found.keys().next().value as number);
    this.found.set(workflowRunId, { ...found });
  }

  /** Forgets them all. */
  clear(): void {
    this.found.clear();
  }
}
