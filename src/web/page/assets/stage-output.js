// @ts-check
// The selected stage's latest output (final message, log tail) in a live
// region. It is rewritten only when the text changes, so a refresh does
// not read the log out again; choosing another stage rewrites it quietly.

import { h, replaceKeepingFocus } from "./dom.js";

/** @typedef {import("./types.js").StageView} StageView */

/**
 * @param {HTMLElement} container a stable element with aria-live="polite"
 * @param {StageView} stage
 */
export function updateStageOutput(container, stage) {
  const latest = stage.attempts.reduce(
    (/** @type {StageView["attempts"][number] | null} */ best, a) =>
      best === null || a.attempt > best.attempt ? a : best,
    null,
  );
  const final = latest?.final_message ?? null;
  const log = latest?.log_tail ?? null;
  const key = JSON.stringify([stage.id, latest?.attempt ?? 0, final, log]);
  if (container.dataset.key === key) return;
  const sameStage = container.dataset.stage === stage.id;
  container.dataset.key = key;
  container.dataset.stage = stage.id;
  // Another stage chosen: not news, so not announced.
  if (!sameStage) container.setAttribute("aria-live", "off");
  replaceKeepingFocus(
    container,
    h("h3", {}, "Latest output"),
    final === null && log === null ? h("p", {}, "No output yet.") : "",
    final !== null && h("h4", {}, "Final message"),
    final !== null && h("pre", { class: "final", tabindex: 0 }, final),
    log !== null && h("h4", {}, "Log tail"),
    log !== null && h("pre", { class: "log", tabindex: 0 }, log),
  );
  if (!sameStage) {
    requestAnimationFrame(() => container.setAttribute("aria-live", "polite"));
  }
}
