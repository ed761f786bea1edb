import { isTerminalRun } from "../engine/run-state.js";
import { shortRunId } from "../local/progress/index.js";
import { readRunMetadata } from "../local/run-folder/index.js";
import { type CliIo, EXIT } from "./io.js";
import { parseConcurrency } from "./local/parse-options.js";
import { RepositoryError } from "./local/repository.js";
import {
  CONTROL_OPTIONS,
  goOn,
  openRun,
  parseControlArgs,
  tellOwner,
} from "./local/take-over.js";

export const CANCEL_HELP = `Usage: specwright cancel <run>

Cancels a run: its agents are stopped, attempts under way are recorded as
cancelled. \`specwright resume\` goes on from there.

  --json            one JSON event per line on stdout
  -h, --help        show this help

Exit status: 0 cancelled, 1 unknown run or already ended, 2 usage error.
`;

export const RESUME_HELP = `Usage: specwright resume <run> [options]

Goes on with a run after a failure, a cancel, a crash or a gate: what did
not finish runs again (a stage cut short by a crash is recorded as
cancelled first; work a finished stage left is committed once, not twice).

${CONTROL_OPTIONS}

Exit status: 0 succeeded or waiting at a gate, 1 failed or cancelled, 2 usage error.
`;

/** `specwright cancel <run>` */
export async function cancelCommand(
  args: string[],
  io: CliIo,
): Promise<number> {
  const { values, positionals } = parseControlArgs(args);
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
  const { values, positionals } = parseControlArgs(args);
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
