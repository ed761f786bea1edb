import type { RunEvent } from "../engine/events.js";
import { type EffectContext, repoOf } from "./effect-context.js";
import {
  ERROR_PULL_REQUEST_EXISTS,
  errorMessage,
  httpStatus,
  isDraftRefused,
  mentions,
} from "./github-errors.js";
import { clip, truncate } from "./render-status.js";
import { untrusted } from "./untrusted-text.js";

/** GitHub refuses pull request bodies over 65,536 characters. */
const MAX_BODY = 60_000;

/** The feature's first line: untrusted text, so no reference or mention. */
function title(prefix: string, feature: string): string {
  const first = feature.split("\n")[0] ?? "";
  const line = untrusted(first, "line") || "Spec-driven changes";
  return clip(`${prefix}${line}`, 120);
}

/**
 * Opens the run's draft pull request from the feature branch to the base
 * branch, titled from the feature and linked to the issue; adds the
 * configured labels and asks the requester for a review. Where GitHub
 * refuses drafts (a private repository on GitHub Free or Pro) it is opened
 * ready, and the run is told so. If a pull request for the branch already
 * exists (an earlier try), that one is used.
 */
export async function openPullRequest(
  context: EffectContext,
): Promise<RunEvent> {
  const { octokit, state, now, log } = context;
  const repo = repoOf(state);
  const options = state.settings.pull_request;
  const body = truncate(
    [
      state.issue
        ? `Spec-driven changes for #${state.issue.number}, made by Specwright.`
        : "Spec-driven changes made by Specwright.",
      "",
      // The requester's text: a closing keyword in a pull request's body
      // would close that issue on merge, a mention would notify.
      ...state.feature.split(/\r?\n/).map((line) => `> ${untrusted(line)}`),
      "",
      `Run \`${state.id}\` · requested by @${state.requested_by}. Progress is reported in the run's tracking comment and in the checks.`,
    ].join("\n"),
    MAX_BODY,
  );
  const create = (draft: boolean) =>
    octokit.rest.pulls.create({
      ...repo,
      title: title(options.title_prefix, state.feature),
      head: state.branch,
      base: state.base_branch,
      body,
      draft,
    });
  let pull: { number: number; html_url: string };
  let draftRefused = false;
  try {
    let created: Awaited<ReturnType<typeof create>>;
    try {
      created = await create(options.draft);
    } catch (error) {
      if (!options.draft || !isDraftRefused(error)) throw error;
      log.info(
        "draft pull requests are not supported in this repository; opening a ready pull request",
      );
      draftRefused = true;
      created = await create(false);
    }
    pull = created.data;
    log.info(`opened pull request #${pull.number}`);
  } catch (error) {
    if (
      httpStatus(error) !== 422 ||
      !mentions(error, ERROR_PULL_REQUEST_EXISTS)
    )
      throw error;
    const { data } = await octokit.rest.pulls.list({
      ...repo,
      head: `${state.owner}:${state.branch}`,
      state: "open",
    });
    const existing = data[0];
    if (existing === undefined) throw error;
    pull = existing;
  }
  if (options.labels.length > 0) {
    try {
      await octokit.rest.issues.addLabels({
        ...repo,
        issue_number: pull.number,
        labels: options.labels,
      });
    } catch (error) {
      // The pull request is open: failing now would report it as not
      // opened, and lose it. Its configured labels are a convenience.
      log.warn(
        `could not add the labels ${options.labels.join(", ")} to pull request #${pull.number}: ${errorMessage(error)}`,
      );
    }
  }
  if (options.request_review && !state.requested_by.endsWith("[bot]")) {
    try {
      await octokit.rest.pulls.requestReviewers({
        ...repo,
        pull_number: pull.number,
        reviewers: [state.requested_by],
      });
    } catch (error) {
      // Not a collaborator, or the requester cannot be asked: not worth failing the run.
      log.warn(
        `could not request a review from ${state.requested_by}: ${errorMessage(error)}`,
      );
    }
  }
  return {
    type: "pull_request_opened",
    number: pull.number,
    url: pull.html_url,
    ...(draftRefused ? { draft_refused: true } : {}),
    at: now().toISOString(),
  };
}
