// @ts-check
// A stage's attempts, newest first: how each went, what it cost, what it
// changed, its artifacts and where it is on GitHub.

import { h, safeHref } from "./dom.js";
import { renderFacts } from "./facts.js";
import { formatDuration, formatExpiry, formatSize } from "./format.js";
import { renderCost, renderStatus, renderTime } from "./render-values.js";
import { linkOrText } from "./run-header.js";

/** @typedef {import("./types.js").AttemptView} AttemptView */
/** @typedef {import("./types.js").ArtifactView} ArtifactView */
/** @typedef {import("./types.js").StageView} StageView */

/**
 * @param {ArtifactView} artifact
 * @param {number} now
 */
function renderArtifact(artifact, now) {
  const expiry = formatExpiry(artifact, now);
  const href = artifact.expired ? null : safeHref(artifact.url);
  return h(
    "li",
    {},
    href ? h("a", { href }, artifact.name) : artifact.name,
    ` (${artifact.type}, ${formatSize(artifact.size_bytes)}) `,
    h(
      "span",
      { class: expiry === "expired" ? "expiry expired" : "expiry" },
      h("time", { datetime: artifact.expires_at }, expiry),
    ),
  );
}

/**
 * @param {AttemptView} attempt
 * @param {string} title
 * @param {(Node | string | null)[]} items
 */
function part(attempt, title, items) {
  return (
    items.length > 0 &&
    h(
      "div",
      { class: "part" },
      h("h5", {}, title),
      h("ul", { "data-attempt": attempt.attempt }, ...items),
    )
  );
}

/**
 * @param {AttemptView} attempt
 * @param {boolean} latest the latest attempt's output is shown above
 * @param {number} now
 */
function renderAttempt(attempt, latest, now) {
  const { links } = attempt;
  const github = [
    links.check_run && h("li", {}, linkOrText(links.check_run, "Check run")),
    links.actions_run &&
      h("li", {}, linkOrText(links.actions_run, "Actions run")),
    links.commit && h("li", {}, linkOrText(links.commit, "Commit")),
  ].filter((x) => x !== null);
  const output = [attempt.final_message, attempt.log_tail].some((t) => t);
  return h(
    "li",
    { class: `attempt status-${attempt.status}` },
    h("h4", {}, `Attempt ${attempt.attempt}: `, renderStatus(attempt.status)),
    renderFacts([
      ["Trigger", attempt.trigger],
      ["Path", attempt.execution_path],
      ["Skill", attempt.selected_skill],
      ["Agent", attempt.agent_version],
      ["Dispatched", renderTime(attempt.dispatched_at, now)],
      ["Started", attempt.started_at && renderTime(attempt.started_at, now)],
      [
        "Completed",
        attempt.completed_at && renderTime(attempt.completed_at, now),
      ],
      ["Duration", formatDuration(attempt.duration_ms)],
      ["Usage and cost", renderCost(attempt.usage)],
    ]),
    attempt.error &&
      h("p", { class: "error" }, h("strong", {}, "Error: "), attempt.error),
    part(
      attempt,
      "Phases",
      attempt.phases.map((phase) =>
        h("li", {}, `${phase.phase}: ${phase.status}`),
      ),
    ),
    part(
      attempt,
      "Changed paths",
      attempt.changed_paths.map((path) => h("li", {}, h("code", {}, path))),
    ),
    part(
      attempt,
      "Artifacts",
      attempt.artifacts.map((artifact) => renderArtifact(artifact, now)),
    ),
    part(attempt, "On GitHub", github),
    !latest &&
      output &&
      h(
        "details",
        {},
        h("summary", {}, "Output"),
        attempt.final_message &&
          h("pre", { class: "final" }, attempt.final_message),
        attempt.log_tail && h("pre", { class: "log" }, attempt.log_tail),
      ),
  );
}

/**
 * @param {StageView} stage
 * @param {number} now
 */
export function renderAttemptTimeline(stage, now) {
  const attempts = [...stage.attempts].sort((a, b) => b.attempt - a.attempt);
  return h(
    "div",
    {},
    h("h3", {}, "Attempts"),
    attempts.length === 0
      ? h("p", {}, "No attempts yet.")
      : h(
          "ol",
          { class: "timeline", reversed: true },
          ...attempts.map((attempt, i) => renderAttempt(attempt, i === 0, now)),
        ),
  );
}
