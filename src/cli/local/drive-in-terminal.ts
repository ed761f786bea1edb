import type { RunEvent } from "../../engine/events.js";
import type { RunState, StageRun } from "../../engine/run-state.js";
import type { DriveEnd, GateAnswer } from "../../local/drive/drive-options.js";
import { driveRun } from "../../local/drive/drive-run.js";
import {
  gateCommands,
  jsonReporter,
  liveView,
  plainReporter,
  progressEvents,
  type Reporter,
  shortRunId,
  terminalSafe,
} from "../../local/progress/index.js";
import type {
  RunLock,
  RunMetadata,
  RunPaths,
} from "../../local/run-folder/index.js";
import { type CliIo, EXIT } from "../io.js";
import type { Terminal } from "./terminal.js";

export interface DriveInTerminal {
  io: CliIo;
  terminal: Terminal;
  paths: RunPaths;
  metadata: RunMetadata;
  lock: RunLock;
  events: readonly RunEvent[];
  concurrency: number;
  json: boolean;
}

function reporterFor(options: DriveInTerminal): Reporter {
  const { io, terminal } = options;
  if (options.json) return jsonReporter(io.stdout);
  if (!terminal.interactive) return plainReporter(io.stdout);
  return liveView({
    write: io.stdout,
    columns: terminal.columns,
    now: () => terminal.now().getTime(),
    color: terminal.env.NO_COLOR === undefined,
  });
}

/** Asks about a gate on the terminal: approve, reject (and why), or wait. */
async function askGate(
  terminal: Terminal,
  stage: StageRun,
  signal: AbortSignal,
): Promise<GateAnswer> {
  for (;;) {
    const answer = (
      await terminal.ask(
        `${stage.id} is waiting for approval — [a]pprove, [r]eject, or [w]ait and decide later? `,
        signal,
      )
    )
      .trim()
      .toLowerCase();
    if (answer === "a" || answer === "approve") return { kind: "approve" };
    if (answer === "w" || answer === "wait" || answer === "")
      return { kind: "wait" };
    if (answer === "r" || answer === "reject") {
      const reason = (await terminal.ask("Why (optional)? ", signal)).trim();
      return { kind: "reject", reason: reason === "" ? null : reason };
    }
  }
}

/** What is said when driving stops, and the exit status. */
function ending(
  state: RunState,
  end: DriveEnd,
  paths: RunPaths,
): [string, number] {
  const id = shortRunId(state.id);
  const summary = terminalSafe(state.result_summary ?? "", {
    multiline: false,
  });
  if (end === "interrupted")
    return [
      `Run ${id} cancelled. \`specwright resume ${id}\` goes on from where it stopped.`,
      EXIT.invalid,
    ];
  if (end === "waiting") {
    const gate = state.stages.find((s) => s.status === "waiting_approval");
    if (gate === undefined)
      return [
        `Run ${id} is waiting. \`specwright resume ${id}\` goes on.`,
        EXIT.ok,
      ];
    const commands = gateCommands(state.id, gate.id);
    return [
      `Run ${id} is waiting for approval of ${gate.id}: ${commands.approve} (or ${commands.reject}).`,
      EXIT.ok,
    ];
  }
  const where = `Branch ${state.branch}, checked out in ${paths.workspace}.`;
  if (state.status === "succeeded" || state.status === "no_changes")
    return [`Run ${id} ${state.status}: ${summary}. ${where}`, EXIT.ok];
  return [
    `Run ${id} ${state.status}: ${summary}. \`specwright runs ${id} --logs\` shows what happened; \`specwright resume ${id}\` runs what did not finish again.`,
    EXIT.invalid,
  ];
}

/**
 * Drives a run in this process with progress on the terminal (a live view
 * on a TTY, one line per event otherwise, JSON lines with --json), gates
 * asked on a TTY, Ctrl+C cancelling and a second Ctrl+C stopping the agents
 * at once. Releases the lock whatever happens; returns the exit status.
 */
export async function driveInTerminal(
  options: DriveInTerminal,
): Promise<number> {
  const { io, terminal, paths } = options;
  let reporter = reporterFor(options);
  const stopNow = new AbortController();
  terminal.onForce(() => {
    reporter.close();
    io.stderr("specwright: stopping the agents now\n");
    stopNow.abort();
  });
  try {
    const { metadata, end } = await driveRun(
      {
        paths,
        metadata: options.metadata,
        concurrency: options.concurrency,
        env: terminal.env,
        now: () => terminal.now(),
        by: terminal.user,
        onChange: (before, after) => {
          for (const event of progressEvents(before, after))
            reporter.event(event, after);
        },
        onNote: (message) => io.stderr(`specwright: ${message}\n`),
        askGate:
          terminal.interactive && !options.json
            ? async (stage, signal) => {
                reporter.close();
                try {
                  return await askGate(terminal, stage, signal);
                } catch (error) {
                  // Ctrl+C at the question (the terminal is in raw mode, so
                  // no SIGINT comes): the gate is left waiting, not cancelled.
                  if (signal.aborted || (error as Error).name !== "AbortError")
                    throw error;
                  io.stdout("\n");
                  return { kind: "wait" };
                } finally {
                  reporter = reporterFor(options);
                }
              }
            : undefined,
        interrupt: terminal.interrupt,
        stopNow: {
          signal: stopNow.signal,
          stopped: () => process.exit(EXIT.invalid),
        },
      },
      options.events,
    );
    reporter.close();
    const [message, code] = ending(metadata.state, end, paths);
    if (!options.json) io.stderr(`${message}\n`);
    return code;
  } finally {
    reporter.close();
    await options.lock.release();
  }
}
