/**
 * A job's steps as GitHub lists them (`workflow_job.steps[]` in the
 * webhook, `steps` on the jobs REST endpoints): the runner's own "Set up
 * job" and "Complete job" around the workflow's steps, numbered from 1.
 *
 * GitHub evaluates a step's `name:` when the step starts, in the step's
 * scope (so `${{ steps.<id>.outputs.<name> }}` reads what earlier steps
 * set); a step that never started keeps its name as written. The runner
 * (runner.ts) does the evaluating; this file keeps the record.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstepsname
 */

export type StepConclusion = "success" | "failure" | "skipped" | "cancelled";

/** One step, in the shape GitHub's webhook and REST schemas give. */
export interface JobStep {
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: StepConclusion | null;
  number: number;
  started_at: string | null;
  completed_at: string | null;
}

export class JobSteps {
  readonly list: JobStep[] = [];

  constructor(private readonly now: () => Date) {}

  /** A step starts under its (evaluated) name. */
  start(name: string): JobStep {
    const step: JobStep = {
      name,
      status: "in_progress",
      conclusion: null,
      number: this.list.length + 1,
      started_at: this.now().toISOString(),
      completed_at: null,
    };
    this.list.push(step);
    return step;
  }

  finish(step: JobStep, conclusion: StepConclusion): void {
    step.status = "completed";
    step.conclusion = conclusion;
    step.completed_at = this.now().toISOString();
  }

  /** A step the job never reached (it was cancelled or timed out). */
  notReached(name: string, conclusion: StepConclusion): void {
    this.list.push({
      name,
      status: "completed",
      conclusion,
      number: this.list.length + 1,
      started_at: null,
      completed_at: null,
    });
  }

  /** Ends a step the job stopped in the middle of. */
  stopAll(conclusion: StepConclusion): void {
    for (const step of this.list)
      if (step.status !== "completed") this.finish(step, conclusion);
  }
}
