import { shortRunId } from "../../engine/progress/progress-event.js";
import { fitLine } from "./fit-line.js";
import { formatDuration } from "./format-duration.js";
import { formatDateTime } from "./format-time.js";
import { terminalSafe } from "./terminal-safe.js";

/** One run as `specwright runs` lists it. */
export interface RunRow {
  id: string;
  feature: string;
  workflow_name: string;
  status: string;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  /** The stage under way, or the last one that ran. */
  stage: string | null;
}

/** The table's full width; the feature gets what the other columns leave. */
const TABLE_COLUMNS = 100;
const GAP = "  ";
const NONE = "–";

function duration(run: RunRow, now: number): string {
  if (run.started_at === null) return NONE;
  const end = run.completed_at === null ? now : Date.parse(run.completed_at);
  return formatDuration(end - Date.parse(run.started_at));
}

/**
 * The runs as a table of 100 columns: short id, status, stage, local start
 * time, duration (so far, for a run under way), and the feature request
 * cut to the room left. An empty list says how to start a run.
 */
export function renderRunsTable(runs: readonly RunRow[], now: number): string {
  if (runs.length === 0)
    return 'No runs yet. Start one with: specwright run --feature "…"\n';
  const rows = runs.map((run) => [
    shortRunId(run.id),
    terminalSafe(run.status),
    fitLine(terminalSafe(run.stage ?? NONE), 20),
    formatDateTime(run.started_at ?? run.created_at),
    duration(run, now),
    terminalSafe(run.feature),
  ]);
  const header = ["ID", "STATUS", "STAGE", "STARTED", "DURATION", "FEATURE"];
  const widths = header
    .slice(0, -1)
    .map((title, i) =>
      Math.max(title.length, ...rows.map((row) => (row[i] as string).length)),
    );
  const used = widths.reduce((sum, w) => sum + w + GAP.length, 0);
  const featureWidth = Math.max(10, TABLE_COLUMNS - used);
  const format = (cells: string[]) => {
    const fixed = widths.map((w, i) => (cells[i] as string).padEnd(w));
    return `${[...fixed, fitLine(cells[5] as string, featureWidth)].join(GAP)}`.trimEnd();
  };
  return `${[format(header), ...rows.map(format)].join("\n")}\n`;
}
