import { parseArgs } from "node:util";
import type { RunEvent } from "../../engine/events.js";
import type { RunState } from "../../engine/run-state.js";
import { recoveryEvents } from "../../local/drive/recover-run.js";
import { shortRunId } from "../../local/progress/index.js";
import {
  acquireRunLock,
  type ControlRequest,
  findRun,
  postControl,
  type RunMetadata,
  type RunPaths,
  readLockOwner,
  readRunMetadata,
} from "../../local/run-folder/index.js";
import { type CliIo, EXIT, UsageError } from "../io.js";
import { driveInTerminal } from "./drive-in-terminal.js";
import { localTerminal } from "./local-terminal.js";
import { findRepositoryRoot } from "./repository.js";
import type { Terminal } from "./terminal.js";

// What the commands that act on an existing run share: finding it, telling
// the process that runs it, or taking it over and going on with it.

export const CONTROL_OPTIONS = `Options:
  --concurrency N   stages run at once when this process goes on with the run (default 3)
  --json            one JSON event per line on stdout
  -h, --help        show this help`;

export interface Opened {
  terminal: Terminal;
  paths: RunPaths;
  metadata: RunMetadata;
}

export async function openRun(
  io: CliIo,
  id: string | undefined,
): Promise<Opened> {
  if (id === undefined)
    throw new UsageError("which run? Give its id (specwright runs lists them)");
  const terminal = localTerminal(io);
  const repoRoot = await findRepositoryRoot(terminal.cwd);
  const paths = await findRun(repoRoot, id);
  return { terminal, paths, metadata: await readRunMetadata(paths) };
}

/**
 * Hands a decision to the process running the run and waits until it has
 * acted on it; null when no process runs it (the caller goes on itself).
 */
export async function tellOwner(
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
export async function goOn(
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

export function parseControlArgs(
  args: string[],
  extra: Record<string, { type: "string" }> = {},
) {
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
