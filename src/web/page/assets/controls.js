// @ts-check
// The run's controls: Approve / Reject / Retry per stage, Cancel / Hold /
// Unhold for the run. Always shown; when one cannot be used it is disabled
// with the reason next to it. They POST with the session's CSRF token; the
// answer is the run as it is afterwards, or an envelope whose sentence is
// shown in the status region (409: why not now; 403: not allowed).

import { API_BASE, ApiError, postJson } from "./api.js";
import { h } from "./dom.js";
import { isRunActive } from "./status-text.js";

/** @typedef {import("./types.js").RunDetail} RunDetail */
/** @typedef {import("./types.js").StageView} StageView */
/** @typedef {import("./types.js").SessionView} SessionView */
/** @typedef {import("./types.js").ControlResult} ControlResult */
/** @typedef {"approve" | "reject" | "retry"} StageAction */
/** @typedef {"cancel" | "hold" | "unhold"} RunAction */

const RANKS = ["none", "read", "triage", "write", "maintain", "admin"];
const ENDED_STAGE = [
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
  "skipped",
];

/** @type {Record<StageAction | RunAction, [string, string, string]>} */
const WORDS = {
  approve: ["Approve", "Approved", "approve"],
  reject: ["Reject", "Rejected", "reject"],
  retry: ["Retry", "Retrying", "retry"],
  cancel: ["Cancel run", "Cancelled the run", "cancel the run"],
  hold: ["Hold run", "Put the run on hold", "hold the run"],
  unhold: ["Unhold run", "Took the run off hold", "unhold the run"],
};

/**
 * Why a stage control is off in this state, when the state says so.
 * @param {StageAction} action
 * @param {RunDetail} run
 * @param {StageView} stage
 */
function stageStateReason(action, run, stage) {
  if (action !== "retry") {
    return stage.status === "waiting_approval"
      ? null
      : "Not waiting for approval.";
  }
  if (run.status === "cancelled") return "The run was cancelled.";
  return ENDED_STAGE.includes(stage.status) ? null : "The stage has not ended.";
}

/**
 * @param {RunAction} action
 * @param {RunDetail} run
 */
function runStateReason(action, run) {
  if (action === "unhold") return run.hold ? null : "The run is not on hold.";
  if (!isRunActive(run.status)) return "The run has ended.";
  if (action === "hold" && run.hold) return "The run is already on hold.";
  return null;
}

/**
 * @param {{ session: SessionView | null,
 *           status: HTMLElement,
 *           onRun: (run: RunDetail) => void,
 *           onChange: () => void }} options
 *   `status` shows answers; `onRun` takes the run a control returned;
 *   `onChange` re-renders (a request started or ended).
 */
export function createControls(options) {
  const { session, status } = options;
  /** @type {Set<string>} */
  const pending = new Set();
  /** The reject reason typed per stage, kept across re-renders. */
  /** @type {Map<string, string>} */
  const reasons = new Map();

  /**
   * @param {{ key: string, label: string, allowed: boolean,
   *           stateReason: string | null, run: RunDetail,
   *           press: () => void }} spec
   */
  function button(spec) {
    const why = !session
      ? "Sign in to use the controls."
      : pending.has(spec.key)
        ? "Sending…"
        : spec.allowed
          ? null
          : RANKS.indexOf(spec.run.permission) < RANKS.indexOf("write")
            ? "You need write permission on this repository."
            : (spec.stateReason ??
              "Your permission on this repository does not allow this here.");
    const whyId = `why-${spec.key.replace(/[^A-Za-z0-9_-]/g, "_")}`;
    const el = h(
      "button",
      {
        type: "button",
        disabled: why !== null,
        "aria-describedby": why === null ? null : whyId,
        "data-control": spec.key,
        "data-focus-key": `control:${spec.key}`,
      },
      spec.label,
    );
    el.addEventListener("click", spec.press);
    return h(
      "div",
      { class: "control" },
      el,
      why !== null && h("span", { class: "why", id: whyId }, why),
    );
  }

  /**
   * @param {string} key
   * @param {StageAction | RunAction} action
   * @param {string} subject
   * @param {string} path
   * @param {unknown} body
   */
  async function send(key, action, subject, path, body) {
    if (!session || pending.has(key)) return;
    const [, done, verb] = WORDS[action];
    pending.add(key);
    status.textContent = "";
    options.onChange();
    try {
      const result = /** @type {ControlResult} */ (
        await postJson(API_BASE + path, body, session.csrf_token)
      );
      status.textContent = `${done}${subject}.`;
      if (action === "reject") reasons.delete(key.slice("reject:".length));
      options.onRun(result.run);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      status.textContent =
        error instanceof ApiError && error.status === 401
          ? "Your session has ended: sign in again to use the controls."
          : `Could not ${verb}${subject}: ${text}`;
    } finally {
      pending.delete(key);
      options.onChange();
      // The pressed button may now be disabled: keep focus on the answer.
      if (document.activeElement === document.body) status.focus();
    }
  }

  /**
   * @param {RunDetail} run
   * @param {StageView} stage
   */
  function stageControls(run, stage) {
    const base = `runs/${encodeURIComponent(run.id)}/stages/${encodeURIComponent(stage.id)}/`;
    /** @param {StageAction} action */
    const spec = (action) => ({
      key: `${action}:${stage.id}`,
      label: WORDS[action][0],
      allowed: stage.controls[action],
      stateReason: stageStateReason(action, run, stage),
      run,
    });
    const reasonId = `reject-reason-${stage.id.replace(/[^A-Za-z0-9_-]/g, "_")}`;
    const reason = h("input", {
      id: reasonId,
      type: "text",
      value: reasons.get(stage.id) ?? "",
      disabled: !session || !stage.controls.reject,
      "data-focus-key": `reason:${stage.id}`,
    });
    reason.addEventListener("input", () => reasons.set(stage.id, reason.value));
    return h(
      "div",
      {
        class: "controls",
        role: "group",
        "aria-label": `Controls for ${stage.name}`,
      },
      button({
        ...spec("approve"),
        press: () =>
          void send(
            `approve:${stage.id}`,
            "approve",
            ` ${stage.name}`,
            `${base}approve`,
            {},
          ),
      }),
      h(
        "div",
        { class: "reject" },
        h("label", { for: reasonId }, "Reason for rejecting"),
        reason,
        button({
          ...spec("reject"),
          press: () =>
            void send(
              `reject:${stage.id}`,
              "reject",
              ` ${stage.name}`,
              `${base}reject`,
              {
                reason: reason.value.trim(),
              },
            ),
        }),
      ),
      button({
        ...spec("retry"),
        press: () =>
          void send(
            `retry:${stage.id}`,
            "retry",
            ` ${stage.name}`,
            `${base}retry`,
            {},
          ),
      }),
    );
  }

  /** @param {RunDetail} run */
  function runControls(run) {
    const base = `runs/${encodeURIComponent(run.id)}/`;
    /** @param {RunAction} action */
    const make = (action) =>
      button({
        key: action,
        label: WORDS[action][0],
        allowed: run.controls[action],
        stateReason: runStateReason(action, run),
        run,
        press: () => {
          if (
            action === "cancel" &&
            !window.confirm("Cancel this run? Stages under way are stopped.")
          )
            return;
          void send(action, action, "", `${base}${action}`, {});
        },
      });
    return h(
      "div",
      { class: "controls", role: "group", "aria-label": "Run controls" },
      make("cancel"),
      make("hold"),
      make("unhold"),
    );
  }

  return { stageControls, runControls };
}
