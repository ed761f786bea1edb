import { downloadBundle } from "./download-bundle.js";
import {
  type EffectContext,
  repoOf,
  repositoryName,
} from "./effect-context.js";
import { httpStatus } from "./github-errors.js";

/** The bundle's zip, and the artifact it came from. */
export interface FetchedBundle {
  zip: Uint8Array;
  artifact: { id: number; expires_at: string | null };
}

const DAY_MS = 86_400_000;

/**
 * Downloads a workflow run's result bundle: by the artifact id the run's
 * job named in a step (remembered in `memory` from `workflow_job.completed`)
 * when there is one, else the newest unexpired artifact called `name` in
 * the run's listing. A remembered id GitHub does not know (404) or no
 * longer serves (410) falls back to the listing once. Undefined: the run
 * has no such artifact. Either way the caller validates the bundle, so a
 * wrong id cannot stand in another bundle for this stage's.
 */
export async function fetchBundle(
  context: Pick<EffectContext, "octokit" | "state" | "now" | "memory">,
  params: { workflow_run_id: number; name: string },
): Promise<FetchedBundle | undefined> {
  const { octokit, state, now, memory } = context;
  const repo = repoOf(state);
  const id = memory?.bundleOf(repositoryName(state), params.workflow_run_id);
  if (id !== undefined) {
    try {
      const zip = await downloadBundle(octokit, { ...repo, artifact: { id } });
      // Uploaded moments before the run ended, for the configured days.
      const retention = state.settings.artifact_retention_days * DAY_MS;
      const expires_at = new Date(now().getTime() + retention).toISOString();
      return { zip, artifact: { id, expires_at } };
    } catch (error) {
      const status = httpStatus(error);
      if (status !== 404 && status !== 410) throw error;
    }
  }
  const { data } = await octokit.rest.actions.listWorkflowRunArtifacts({
    ...repo,
    run_id: params.workflow_run_id,
    name: params.name,
    per_page: 100,
  });
  const artifact = data.artifacts
    .filter((a) => a.name === params.name && !a.expired)
    .sort((a, b) => (b.created_at ?? "").localeCompare(a.created_at ?? ""))[0];
  if (artifact === undefined) return undefined;
  const zip = await downloadBundle(octokit, { ...repo, artifact });
  return { zip, artifact };
}
