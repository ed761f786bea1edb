// @ts-check
// The run page at /specwright/runs/<id>: header, stage graph, the
// selected stage (summary, controls, output, attempts), live updates.

import { ApiError, getJson } from "./api.js";
import { renderAttemptTimeline } from "./attempt-timeline.js";
import { createControls } from "./controls.js";
import { describeChanges } from "./describe-changes.js";
import { h, replaceKeepingFocus } from "./dom.js";
import { renderRunHeader } from "./run-header.js";
import { signInHref } from "./session.js";
import { renderStageGraph } from "./stage-graph.js";
import { updateStageOutput } from "./stage-output.js";
import { renderStageSummary } from "./stage-summary.js";
import { isRunActive } from "./status-text.js";
import { watchRun } from "./watch-run.js";

/** @typedef {import("./types.js").RunDetail} RunDetail */
/** @typedef {import("./types.js").StageView} StageView */
/** @typedef {import("./types.js").SessionView} SessionView */

/** The stage worth looking at first: the one waiting, failing or running. */
const FIRST_LOOK = [
  "waiting_approval",
  "failed",
  "timed_out",
  "running",
  "retrying",
  "dispatched",
];

/**
 * @param {RunDetail} run
 * @param {string | null} wanted
 * @returns {StageView | undefined}
 */
function pickStage(run, wanted) {
  return (
    run.stages.find((s) => s.id === wanted) ??
    FIRST_LOOK.map((status) =>
      run.stages.find((s) => s.status === status),
    ).find(Boolean) ??
    [...run.stages].reverse().find((s) => s.attempts.length > 0) ??
    run.stages[0]
  );
}

/**
 * @param {HTMLElement} main
 * @param {string} runId
 * @param {{ session: SessionView | null, pollMs: number }} options
 */
export async function showRunPage(main, runId, options) {
  const path = `runs/${encodeURIComponent(runId)}`;
  main.replaceChildren(h("p", { role: "status" }, "Loading the run…"));
  /** @type {RunDetail} */
  let run;
  try {
    run = /** @type {RunDetail} */ (await getJson(path));
  } catch (error) {
    main.replaceChildren(renderLoadError(error));
    return;
  }

  let selected = new URLSearchParams(window.location.search).get("stage");
  const back = h(
    "p",
    { class: "back" },
    h("a", { href: "/specwright/" }, "← All runs"),
  );
  const header = h("div");
  const runActions = h("div", { class: "run-actions" });
  const controlStatus = h("p", {
    class: "control-status",
    role: "status",
    tabindex: -1,
  });
  const liveStatus = h("p", {
    class: "live-status",
    "aria-live": "polite",
    id: "live-status",
  });
  const liveNote = h("p", { class: "live-note" });
  const graph = h("div", { class: "graph-box" });
  const summary = h("div");
  const output = h("div", { class: "stage-output", "aria-live": "polite" });
  const attempts = h("div");
  main.replaceChildren(
    back,
    header,
    runActions,
    controlStatus,
    h("div", { class: "live" }, liveStatus, liveNote),
    h(
      "section",
      { "aria-labelledby": "graph-heading" },
      h("h2", { id: "graph-heading" }, "Stages"),
      graph,
    ),
    h(
      "section",
      { class: "stage", "aria-labelledby": "stage-heading" },
      summary,
      output,
      attempts,
    ),
  );

  /** @type {{ stop: () => void } | undefined} */
  let watcher;
  const controls = createControls({
    session: options.session,
    status: controlStatus,
    onRun: (next) => setRun(next),
    onChange: () => render(),
  });

  function render() {
    const now = Date.now();
    document.title = `${run.feature} · Specwright`;
    const stage = pickStage(run, selected);
    // Once shown, a stage stays selected: a refresh does not move the view.
    selected = stage?.id ?? selected;
    replaceKeepingFocus(header, renderRunHeader(run, now));
    replaceKeepingFocus(runActions, controls.runControls(run));
    replaceKeepingFocus(
      graph,
      renderStageGraph(run.stages, stage?.id ?? null, select),
    );
    if (!stage) {
      summary.replaceChildren(h("h2", { id: "stage-heading" }, "No stages"));
      return;
    }
    replaceKeepingFocus(
      summary,
      renderStageSummary(run, stage, now, controls.stageControls(run, stage)),
    );
    updateStageOutput(output, stage);
    replaceKeepingFocus(attempts, renderAttemptTimeline(stage, now));
  }

  /** @param {string} id */
  function select(id) {
    selected = id;
    const url = new URL(window.location.href);
    url.searchParams.set("stage", id);
    window.history.replaceState(null, "", url);
    render();
  }

  /** @param {RunDetail} next */
  function setRun(next) {
    const news = describeChanges(run, next);
    run = next;
    if (news.length > 0) {
      const text = news.join("; ");
      liveStatus.textContent = `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
    }
    render();
    if (isRunActive(run.status)) watch();
    else {
      watcher?.stop();
      watcher = undefined;
    }
  }

  // A finished run has nothing more to say; a retried one starts again.
  function watch() {
    watcher ??= watchRun({
      runId,
      pollMs: options.pollMs,
      refresh: () => void refresh(),
      onPolling: () => {
        const seconds = options.pollMs / 1000;
        liveNote.textContent = `Live updates are not available: this page checks for changes every ${seconds} seconds.`;
      },
    });
  }

  // One fetch at a time; events during it ask for one more afterwards.
  let fetching = false;
  let again = false;
  async function refresh() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      do {
        again = false;
        setRun(/** @type {RunDetail} */ (await getJson(path)));
      } while (again);
    } catch {
      // Kept as it was; the next event or poll tries again.
    } finally {
      fetching = false;
    }
  }

  render();
  if (isRunActive(run.status)) watch();
}

/** @param {unknown} error */
function renderLoadError(error) {
  const back = h("p", {}, h("a", { href: "/specwright/" }, "← All runs"));
  if (error instanceof ApiError && error.status === 401) {
    return h(
      "div",
      {},
      h("h1", {}, "Sign in to see this run"),
      h(
        "p",
        {},
        h("a", { href: signInHref() }, "Sign in with GitHub"),
        " to see the runs of repositories you can read.",
      ),
    );
  }
  if (error instanceof ApiError && error.status === 404) {
    return h(
      "div",
      {},
      h("h1", {}, "Run not found"),
      h("p", {}, "There is no such run, or you cannot read its repository."),
      back,
    );
  }
  const text = error instanceof Error ? error.message : String(error);
  return h(
    "div",
    {},
    h("h1", {}, "The run could not be loaded"),
    h("p", {}, text),
    back,
  );
}
