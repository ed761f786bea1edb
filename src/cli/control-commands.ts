import { parseArgs } from "node:util";
import type { RunEvent } from "../engine/events.js";
import { isTerminalRun, type RunState } from "../engine/run-state.js";
import { recoveryEvents } from "../local/drive/recover-run.js";
import { shortRunId } from "../local/progress/index.js";
import {
  acquireRunLock,
  type ControlRequest,
  findRun,
  postControl,
  type RunMetadata,
  type RunPaths,
  readLockOwner,
  readRunMetadata,
} from "../local/run-folder/index.js";
import { type CliIo, EXIT, UsageError } from "./io.js";
import { driveInTerminal } from "./local/drive-in-terminal.js";
import { localTerminal } from "./local/local-terminal.js";
import { parseConcurrency } from "./local/parse-options.js";
import { findRepositoryRoot, RepositoryError } from "./local/repository.js";
import type { Terminal } from "./local/terminal.js";

const COMMON = `Options:
  --concurrency N   stages run at once when this process goes on with the run (default 3)
  --json            one JSON event per line on stdout
  -h, --help        show this help`;

export const APPROVE_HELP = `Usage: specwright approve <run> [stage] [options]

Approves a gate that waits: the stage runs. When another specwright
process is running the run (asking at that gate in a terminal), it is told
and goes on; otherwise this process goes on with the run until it ends or
the next gate. The stage may be left out when only one waits.

${COMMON}

Exit status: 0 approved, 1 nothing waits or the run failed, 2 usage error.
`;

export const REJECT_HELP = `Usage: specwright reject <run> [stage] [--reason TEXT] [options]

Rejects a gate that waits: the stage fails, and the workflow's on_failure
decides the rest (by default the run fails).

  --reason TEXT     why, kept with the run
${COMMON}

Exit status: 0 rejected, 1 nothing waits, 2 usage error.
`;

export const CANCEL_HELP = `Usage: specwright cancel <run>

Cancels a run: its agents are stopped, attempts under way are recorded as
cancelled. \`specwright resume\` goes on from there.

  -h, --help        show this help

Exit status: 0 cancelled, 1 unknown run or already ended, 2 usage error.
`;

export const RESUME_HELP = `Usage: specwright resume <run> [options]

Goes on with a run after a failure, a cancel, a crash or a gate: what did
not finish runs again (a stage cut short by a crash is recorded as
cancelled first; work a finished stage left is committed once, not twice).

${COMMON}

Exit status: 0 succeeded or waiting at a gate, 1 failed or cancelled, 2 usage error.
`;

interface Opened {
  terminal: Terminal;
  paths: RunPaths;
  metadata: RunMetadata;
}

async function openRun(io: CliIo, id: string | undefined): Promise<Opened> {
  if (id === undefined)
    throw new UsageError("which run? Give its id (specwright runs lists them)");
  const terminal = localTerminal(io);
  const repoRoot = await findRepositoryRoot(terminal.cwd);
  const paths = await findRun(repoRoot, id);
  return { terminal, paths, metadata: await readRunMetadata(paths) };
}

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

/**
 * Hands a decision to the process running the run and waits until it has
 * acted on it; null when no process runs it (the caller goes on itself).
 */
async function tellOwner(
  io: CliIo,
  opened: Opened,
  request: ControlRequest,
  done: (state: RunState) => boolean,
): Promise<number | null> {
  const owner = await readLockOwner(opened.paths);
  if (owner === null) return null;
  await postControl(opened.paths, request);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const state = (await readRunMetadata(opened.paths)).state;
    if (done(state)) {
      io.stderr(
        `specwright: done; run ${shortRunId(state.id)} goes on in the process running it (pid ${owner.pid})\n`,
      );
      return EXIT.ok;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  io.stderr(
    `specwright: asked the process running the run (pid ${owner.pid}); it has not acted on it yet\n`,
  );
  return EXIT.invalid;
}

/** Takes the run over in this process and goes on with it after `events`. */
async function goOn(
  io: CliIo,
  opened: Opened,
  command: string,
  options: { concurrency: number; json: boolean; resume: boolean },
  events: (metadata: RunMetadata) => RunEvent[],
): Promise<number> {
  const lock = await acquireRunLock(opened.paths, command);
  let metadata: RunMetadata;
  let first: RunEvent[];
  try {
    metadata = await readRunMetadata(opened.paths);
    const now = () => opened.terminal.now();
    first = [
      ...(await recoveryEvents(opened.paths, metadata, {
        by: opened.terminal.user,
        now,
        resume: options.resume,
      })),
      ...events(metadata),
    ];
  } catch (error) {
    await lock.release();
    throw error;
  }
  return driveInTerminal({
    io,
    terminal: opened.terminal,
    paths: opened.paths,
    metadata,
    lock,
    events: first,
    concurrency: options.concurrency,
    json: options.json,
  });
}

function parse(args: string[], extra: Record<string, { type: "string" }> = {}) {
  return parseArgs({
    args,
    options: {
      help: { type: "boolean", short: "h" },
      concurrency: { type: "string" },
      json: { type: "boolean" },
      ...extra,
    },
    allowPositionals: true,
    strict: true,
  });
}

async function decideGate(
  args: string[],
  io: CliIo,
  kind: "approve" | "reject",
): Promise<number> {
  const { values, positionals } = parse(
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
  return goOn(
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
}

export const approveCommand = (args: string[], io: CliIo) =>
  decideGate(args, io, "approve");
export const rejectCommand = (args: string[], io: CliIo) =>
  decideGate(args, io, "reject");

/** `specwright cancel <run>` */
export async function cancelCommand(
  args: string[],
  io: CliIo,
): Promise<number> {
  const { values, positionals } = parse(args);
  if (values.help) {
    io.stdout(CANCEL_HELP);
    return EXIT.ok;
  }
  const opened = await openRun(io, positionals[0]);
  const state = opened.metadata.state;
  if (isTerminalRun(state))
    throw new RepositoryError(
      `run ${shortRunId(state.id)} already ended (${state.status})`,
    );
  const by = opened.terminal.user;
  const told = await tellOwner(
    io,
    opened,
    { kind: "cancel", by },
    isTerminalRun,
  );
  if (told !== null) return told;
  const code = await goOn(
    io,
    opened,
    "specwright cancel",
    { concurrency: 1, json: values.json === true, resume: false },
    () => [{ type: "cancel", by, at: opened.terminal.now().toISOString() }],
  );
  const after = (await readRunMetadata(opened.paths)).state;
  return after.status === "cancelled" ? EXIT.ok : code;
}

/** `specwright resume <run>` */
export async function resumeCommand(
  args: string[],
  io: CliIo,
): Promise<number> {
  const { values, positionals } = parse(args);
  if (values.help) {
    io.stdout(RESUME_HELP);
    return EXIT.ok;
  }
  const concurrency = parseConcurrency(values.concurrency);
  const opened = await openRun(io, positionals[0]);
  const state = opened.metadata.state;
  if (state.status === "succeeded" || state.status === "no_changes")
    throw new RepositoryError(
      `run ${shortRunId(state.id)} already ${state.status === "succeeded" ? "succeeded" : "ended with no changes"}; nothing to resume`,
    );
  return goOn(
    io,
    opened,
    "specwright resume",
    { concurrency, json: values.json === true, resume: true },
    () => [{ type: "tick", at: opened.terminal.now().toISOString() }],
  );
}
