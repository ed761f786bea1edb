import type { RunState } from "../engine/run-state.js";
import { shortRunId } from "../local/progress/index.js";
import {
  type ControlRequest,
  readRunMetadata,
} from "../local/run-folder/index.js";
import { type CliIo, EXIT, UsageError } from "./io.js";
import { parseConcurrency } from "./local/parse-options.js";
import { RepositoryError } from "./local/repository.js";
import {
  CONTROL_OPTIONS,
  goOn,
  openRun,
  parseControlArgs,
  tellOwner,
} from "./local/take-over.js";

export const APPROVE_HELP = `Usage: specwright approve <run> [stage] [options]

Approves a gate that waits: the stage runs. When another specwright
process is running the run (asking at that gate in a terminal), it is told
and goes on; otherwise this process goes on with the run until it ends or
the next gate. The stage may be left out when only one waits.

${CONTROL_OPTIONS}

Exit status: 0 approved, 1 nothing waits or the run failed, 2 usage error.
`;

export const REJECT_HELP = `Usage: specwright reject <run> [stage] [--reason TEXT] [options]

Rejects a gate that waits: the stage fails, and the workflow's on_failure
decides the rest (by default the run fails).

  --reason TEXT     why, kept with the run
${CONTROL_OPTIONS}

Exit status: 0 rejected (whatever the workflow then does with the run), 1
nothing waits, 2 usage error.
`;

/** The gate to decide: the one named, or the only one waiting. */
function waitingGate(state: RunState, named: string | undefined): string {
  const id = shortRunId(state.id);
  const waiting = state.stages.filter((s) => s.status === "waiting_approval");
  if (named !== undefined) {
    const stage = state.stages.find((s) => s.id === named);
    if (stage === undefined)
      throw new RepositoryError(
        `run ${id} has no stage '${named}'; its stages: ${state.stages.map((s) => s.id).join(", ")}`,
      );
    if (stage.status !== "waiting_approval")
      throw new RepositoryError(
        `stage ${named} of run ${id} is not waiting for approval (it is ${stage.status})`,
      );
    return named;
  }
  if (waiting.length === 1) return (waiting[0] as { id: string }).id;
  if (waiting.length === 0)
    throw new RepositoryError(
      `run ${id} has no stage waiting for approval (the run is ${state.status})`,
    );
  throw new RepositoryError(
    `several stages of run ${id} wait for approval (${waiting.map((s) => s.id).join(", ")}); name one`,
  );
}

async function decideGate(
  args: string[],
  io: CliIo,
  kind: "approve" | "reject",
): Promise<number> {
  const { values, positionals } = parseControlArgs(
    args,
    kind === "reject" ? { reason: { type: "string" } } : {},
  );
  if (values.help) {
    io.stdout(kind === "approve" ? APPROVE_HELP : REJECT_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 2)
    throw new UsageError(
      `expected a run and a stage, got ${positionals.length} arguments`,
    );
  const concurrency = parseConcurrency(values.concurrency);
  const opened = await openRun(io, positionals[0]);
  const stage = waitingGate(opened.metadata.state, positionals[1]);
  const by = opened.terminal.user;
  const reason = (values as { reason?: string }).reason ?? null;
  const request: ControlRequest =
    kind === "approve" ? { kind, stage, by } : { kind, stage, by, reason };
  const told = await tellOwner(io, opened, request, (state) =>
    state.stages.some((s) => s.id === stage && s.status !== "waiting_approval"),
  );
  if (told !== null) return told;
  const code = await goOn(
    io,
    opened,
    `specwright ${kind}`,
    { concurrency, json: values.json === true, resume: false },
    () => [
      kind === "approve"
        ? {
            type: "approve",
            stage,
            by,
            at: opened.terminal.now().toISOString(),
          }
        : {
            type: "reject",
            stage,
            by,
            reason,
            at: opened.terminal.now().toISOString(),
          },
    ],
  );
  // Rejected is what was asked, whatever the workflow then did with the run.
  if (kind === "reject") {
    const after = (await readRunMetadata(opened.paths)).state;
    if (after.stages.some((s) => s.id === stage && s.rejected_by !== null))
      return EXIT.ok;
  }
  return code;
}

export const approveCommand = (args: string[], io: CliIo) =>
  decideGate(args, io, "approve");
export const rejectCommand = (args: string[], io: CliIo) =>
  decideGate(args, io, "reject");
