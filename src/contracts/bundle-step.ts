/**
 * The stage workflow's last step is named `Specwright bundle ${{
 * steps.stage.outputs.artifact-id }}`. GitHub evaluates a step's name when
 * the step runs and sends it in `workflow_job.steps[].name`, so the job's
 * `completed` webhook carries the id of the result bundle the action
 * uploaded, and the App can download it without listing the run's
 * artifacts. A step that never ran keeps its unevaluated name.
 */
const BUNDLE_STEP = /^\s*Specwright bundle\s+(\d{1,15})\s*$/;

/**
 * The bundle's artifact id a job's steps name, if exactly one id is named:
 * none (the step is missing, did not run, or the action uploaded nothing)
 * or two that disagree give undefined, and the App lists the run's
 * artifacts instead. The name is the workflow's text, so it is only a
 * hint: the bundle downloaded by it is validated like any other.
 */
export function bundleArtifactIdOf(
  steps: readonly { name: string }[] | null | undefined,
): number | undefined {
  const ids = new Set<number>();
  for (const step of steps ?? []) {
    const digits = BUNDLE_STEP.exec(step.name)?.[1];
    if (digits === undefined) continue;
    const id = Number(digits);
    if (Number.isSafeInteger(id) && id > 0) ids.add(id);
  }
  return ids.size === 1 ? [...ids][0] : undefined;
}
