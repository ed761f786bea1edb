import {
  type EffectContext,
  repoOf,
  repositoryName,
} from "./effect-context.js";
import { httpStatus, mentions } from "./github-errors.js";

/** The labels Specwright acts on; each is one-shot (removed once acted on). */
export const LABELS = {
  implement: {
    name: "specwright:implement",
    color: "1f883d",
    description: "Specwright: approve and run the implement stage",
  },
  specify: {
    name: "specwright:specify",
    color: "8250df",
    description: "Specwright: start a run from this issue",
  },
} as const;

/**
 * Creates the `specwright:*` labels a repository does not have yet, so
 * people can find and apply them. An existing label is left as it is.
 * Once made sure of, a repository's labels are not looked at again for a
 * while (GitHubMemory): every run's start asked twice before. Runs that
 * start together in one repository share one look.
 */
export async function ensureLabels(context: EffectContext): Promise<null> {
  const { memory, state } = context;
  const repository = repositoryName(state);
  if (memory === undefined) return makeSureOfLabels(context);
  if (memory.hasLabels(repository)) return null;
  await memory.shared(`labels ${repository}`, () => makeSureOfLabels(context));
  return null;
}

async function makeSureOfLabels(context: EffectContext): Promise<null> {
  const { octokit, state, memory } = context;
  for (const label of Object.values(LABELS)) {
    try {
      await octokit.rest.issues.getLabel({
        ...repoOf(state),
        name: label.name,
      });
      continue;
    } catch (error) {
      if (httpStatus(error) !== 404) throw error;
    }
    try {
      await octokit.rest.issues.createLabel({ ...repoOf(state), ...label });
    } catch (error) {
      // Created meanwhile by someone else: fine.
      if (!(httpStatus(error) === 422 && mentions(error, "already_exists")))
        throw error;
    }
  }
  memory?.rememberLabels(repositoryName(state));
  return null;
}
