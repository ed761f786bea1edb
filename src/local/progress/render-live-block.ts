import {
  currentAttempt,
  type RunState,
  type StageRun,
} from "../../engine/run-state.js";
import { stageBatches } from "../../workflow/graph/stage-batches.js";
import { fitSegments, type Segment } from "./fit-line.js";
import { formatDuration } from "./format-duration.js";
import { formatUsage } from "./format-usage.js";
import { isActive, SPINNER, STATUS_LOOK } from "./stage-status.js";
import { terminalSafe } from "./terminal-safe.js";

/** What a stage line shows after its status word. */
function details(stage: StageRun, now: number): Segment[] {
  const attempt = currentAttempt(stage);
  const shown: Segment[] = [];
  const add = (text: string, tone: Segment["tone"] = null) => {
    if (text !== "") shown.push({ text: `  ${text}`, tone });
  };
  if (stage.status === "waiting_approval" && stage.waiting_since !== null) {
    add(`for ${formatDuration(now - Date.parse(stage.waiting_since))}`);
    return shown;
  }
  // An attempt belongs to the line while the stage shows its outcome (or
  // waits to retry it); an earlier one, before a re-run, does not.
  const own =
    attempt !== undefined &&
    (attempt.status === stage.status || stage.status === "retrying");
  if (!own) {
    if (stage.reason !== null) add(terminalSafe(stage.reason), "dim");
    return shown;
  }
  if (attempt.attempt > 1) add(`attempt ${attempt.attempt}`);
  const from = Date.parse(attempt.started_at ?? attempt.dispatched_at);
  if (isActive(stage.status)) add(formatDuration(now - from));
  else if (attempt.completed_at !== null)
    add(formatDuration(Date.parse(attempt.completed_at) - from));
  if (stage.status === "retrying" && stage.retry_at !== null)
    add(`next attempt in ${formatDuration(Date.parse(stage.retry_at) - now)}`);
  add(formatUsage(attempt.usage, attempt.cost_estimated ?? false));
  return shown;
}

/**
 * The live view's block: one line per stage, grouped by the batches the
 * stages run in, a dim `batch N · parallel` header over batches of more
 * than one. Each line: symbol (a spinner frame while under way), stage,
 * status, the attempt when not the first, the time so far or taken, and
 * usage. Lines are cut to `columns`. Pure, for tests and redraws alike.
 */
export function renderLiveBlock(
  state: RunState,
  now: number,
  columns: number,
  frame: number,
  color: boolean,
): string[] {
  const nameWidth = Math.max(...state.stages.map((s) => s.id.length));
  const wordWidth = Math.max(
    ...state.stages.map((s) => STATUS_LOOK[s.status].word.length),
  );
  const lines: string[] = [];
  stageBatches(state.workflow).forEach((ids, index) => {
    if (ids.length > 1) {
      lines.push(
        fitSegments(
          [{ text: `batch ${index + 1} · parallel`, tone: "dim" }],
          columns,
          color,
        ),
      );
    }
    for (const id of ids) {
      const stage = state.stages.find((s) => s.id === id);
      if (stage === undefined) continue;
      const look = STATUS_LOOK[stage.status];
      const symbol = isActive(stage.status)
        ? (SPINNER[frame % SPINNER.length] as string)
        : look.symbol;
      const more = details(stage, now);
      const word = more.length > 0 ? look.word.padEnd(wordWidth) : look.word;
      const line: Segment[] = [
        { text: "  ", tone: null },
        { text: symbol, tone: look.tone },
        { text: ` ${stage.id.padEnd(nameWidth)}  `, tone: null },
        { text: word, tone: look.tone },
        ...more,
      ];
      lines.push(fitSegments(line, columns, color));
    }
  });
  return lines;
}
