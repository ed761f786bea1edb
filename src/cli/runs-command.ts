import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { RunState } from "../engine/run-state.js";
import {
  type RunRow,
  renderRunDetail,
  renderRunsTable,
  terminalSafe,
} from "../local/progress/index.js";
import {
  findRun,
  listRuns,
  type RunMetadata,
  readRunMetadata,
} from "../local/run-folder/index.js";
import { type CliIo, EXIT, UsageError } from "./io.js";
import { localTerminal } from "./local/local-terminal.js";
import { findRepositoryRoot } from "./local/repository.js";

export const RUNS_HELP = `Usage: specwright runs [--status S] [--json]
       specwright runs <run> [--logs] [--stage S] [--json]

Lists this repository's local runs, newest first; or shows one run (an id
or its first characters): each stage, each attempt with its path, skill,
time, usage, commit and error, and where its files are. --logs prints each
attempt's logs.

Options:
  --status S    only runs with this status (queued, in_progress, succeeded,
                failed, no_changes, cancelled)
  --logs        with a run: each attempt's logs (the runner's, the agent's)
  --stage S     with --logs: only this stage's logs
  --json        the runs (or the run's metadata.json) as JSON
  -h, --help    show this help

Exit status: 0 shown, 1 unknown run, 2 usage error.
`;

const STATUSES = [
  "queued",
  "in_progress",
  "succeeded",
  "failed",
  "no_changes",
  "cancelled",
];

/** The stage under way, else the last one that ran. */
function currentStage(state: RunState): string | null {
  const busy = state.stages.find((s) =>
    ["dispatched", "running", "retrying", "waiting_approval"].includes(
      s.status,
    ),
  );
  if (busy !== undefined) return busy.id;
  const ran = state.stages.filter((s) => s.attempts.length > 0).at(-1);
  return ran?.id ?? null;
}

function row(run: RunMetadata): RunRow {
  return {
    id: run.id,
    feature: run.feature,
    workflow_name: run.workflow_name,
    status: run.status,
    created_at: run.created_at,
    started_at: run.started_at,
    completed_at: run.completed_at,
    stage: currentStage(run.state),
  };
}

/** Each attempt's logs, oldest first: the runner's log, then the agent's. */
async function printLogs(
  io: CliIo,
  folder: string,
  run: RunMetadata,
  stage: string | undefined,
): Promise<void> {
  for (const [key, name] of Object.entries(run.steps)) {
    if (stage !== undefined && key.split("#")[0] !== stage) continue;
    for (const file of ["specwright.log", "stdout.log", "stderr.log"]) {
      const text = await readFile(
        join(folder, "steps", name, file),
        "utf8",
      ).catch(() => undefined);
      if (text === undefined || text.trim() === "") continue;
      io.stdout(`==> steps/${name}/${file} <==\n`);
      io.stdout(`${terminalSafe(text, { multiline: true }).trimEnd()}\n\n`);
    }
  }
}

/** `specwright runs [<run>] [options]` */
export async function runsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      help: { type: "boolean", short: "h" },
      status: { type: "string" },
      logs: { type: "boolean" },
      stage: { type: "string" },
      json: { type: "boolean" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout(RUNS_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 1)
    throw new UsageError(`expected at most one run, got ${positionals.length}`);
  if (values.status !== undefined && !STATUSES.includes(values.status))
    throw new UsageError(
      `--status must be one of ${STATUSES.join(", ")}, got '${values.status}'`,
    );
  const terminal = localTerminal(io);
  const repoRoot = await findRepositoryRoot(terminal.cwd);
  const id = positionals[0];
  if (id === undefined) {
    if (values.logs || values.stage !== undefined)
      throw new UsageError(
        "--logs and --stage need a run: specwright runs <run> --logs",
      );
    const { runs, broken } = await listRuns(repoRoot);
    for (const problem of broken)
      io.stderr(`specwright runs: skipped ${problem.id}: ${problem.message}\n`);
    const shown = runs.filter(
      (run) => values.status === undefined || run.status === values.status,
    );
    if (values.json) {
      io.stdout(
        `${JSON.stringify(
          shown.map((run) => ({
            ...row(run),
            branch: run.branch,
            workspace: run.workspace,
          })),
          null,
          2,
        )}\n`,
      );
    } else {
      io.stdout(renderRunsTable(shown.map(row), terminal.now().getTime()));
    }
    return EXIT.ok;
  }
  const paths = await findRun(repoRoot, id);
  const run = await readRunMetadata(paths);
  if (
    values.stage !== undefined &&
    !run.state.stages.some((s) => s.id === values.stage)
  )
    throw new UsageError(
      `run ${id} has no stage '${values.stage}'; its stages: ${run.state.stages.map((s) => s.id).join(", ")}`,
    );
  if (values.json) {
    io.stdout(`${JSON.stringify(run, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout(
    renderRunDetail(run.state, { steps: run.steps, folder: paths.root }),
  );
  if (values.logs) await printLogs(io, paths.root, run, values.stage);
  return EXIT.ok;
}
