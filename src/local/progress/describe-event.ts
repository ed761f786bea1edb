import {
  type ProgressEvent,
  shortRunId,
} from "../../engine/progress/progress-event.js";
import type { Tone } from "./ansi.js";
import { fitLine } from "./fit-line.js";
import { formatDuration } from "./format-duration.js";
import { formatClock } from "./format-time.js";
import { usageParts } from "./format-usage.js";
import { STATUS_LOOK } from "./stage-status.js";
import { terminalSafe } from "./terminal-safe.js";

/** How much of the feature request a start line shows. */
const FEATURE_CHARS = 60;
/** How much of an error a failure line shows; the step folder has the rest. */
const ERROR_CHARS = 500;

const RUN_WORDS = {
  queued: "is queued",
  in_progress: "is in progress",
  succeeded: "succeeded",
  failed: "failed",
  no_changes: "finished with no changes",
  cancelled: "was cancelled",
} as const;

/** Untrusted text as one safe line, at most `chars` long. */
function line(text: string, chars = ERROR_CHARS): string {
  return fitLine(terminalSafe(text), chars);
}

function attemptNote(attempt: number | null, always: boolean): string {
  if (attempt === null || attempt === 0 || (attempt === 1 && !always))
    return "";
  return ` (attempt ${attempt})`;
}

/**
 * One event as a line of plain text, without its time: what the plain
 * reporter prints and the live view keeps above its block.
 */
export function describeEvent(e: ProgressEvent): string {
  switch (e.event) {
    case "run_started": {
      const count = `${e.stages.length} ${e.stages.length === 1 ? "stage" : "stages"}`;
      return `run ${shortRunId(e.run_id)} started: ${line(e.workflow)} (${count}) on ${line(e.branch)} — ${line(e.feature, FEATURE_CHARS)}`;
    }
    case "stage_started":
      return `${e.stage}: started${attemptNote(e.attempt, true)}`;
    case "stage_completed": {
      const head = `${e.stage}: ${e.status}${attemptNote(e.attempt, false)}`;
      if (e.attempt === 0)
        return e.reason === undefined ? head : `${head} — ${line(e.reason)}`;
      const details = usageParts(e.usage);
      if (e.commit !== null) details.push(`commit ${e.commit.slice(0, 8)}`);
      const took =
        e.duration_ms === null ? "" : ` in ${formatDuration(e.duration_ms)}`;
      return [`${head}${took}`, ...details].join(", ");
    }
    case "stage_failed": {
      const word = STATUS_LOOK[e.status].word;
      const retry = e.will_retry ? " — will retry" : "";
      return `${e.stage}: ${word}${attemptNote(e.attempt, true)}: ${line(e.error)}${retry}`;
    }
    case "gate_waiting":
      return `${e.stage}: waiting for approval — run: ${e.approve} (or: ${e.reject})`;
    case "run_completed": {
      const took =
        e.duration_ms === null ? "" : ` in ${formatDuration(e.duration_ms)}`;
      const summary = e.summary === null ? "" : `: ${line(e.summary)}`;
      return `run ${RUN_WORDS[e.status]}${took}${summary}`;
    }
  }
}

/** The event's line as the plain reporter prints it: local time first. */
export function eventLine(e: ProgressEvent): string {
  return `${formatClock(e.at)} ${describeEvent(e)}`;
}

/** The colour a kept message is shown in. */
export function eventTone(e: ProgressEvent): Tone | null {
  switch (e.event) {
    case "stage_failed":
      return "red";
    case "gate_waiting":
      return "yellow";
    case "run_completed":
      return e.status === "succeeded" || e.status === "no_changes"
        ? "green"
        : "red";
    default:
      return null;
  }
}
