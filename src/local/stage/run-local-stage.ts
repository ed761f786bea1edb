import { createWriteStream } from "node:fs";
import {
  copyFile,
  mkdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { basename, join, relative } from "node:path";
import type { ArtifactUploader } from "../../../action/src/bundle.js";
import {
  type ActionLog,
  runStage,
  type StageOutcome,
} from "../../../action/src/run-stage.js";
import type { StageRequest } from "../../contracts/stage-request.js";
import type { Stage } from "../../workflow/schema.js";
import { localCredentials } from "./local-credentials.js";
import {
  type LoneWorkspace,
  openStagePlace,
  type StagePlace,
} from "./stage-place.js";
import { recordAgentPid, type StepFolder } from "./step-folder.js";

/** Written last into a step folder: its bundle is whole. */
export const BUNDLE_COMPLETE = ".complete";

export interface LocalStageOptions {
  repoRoot: string;
  request: StageRequest;
  /** What the stage declares it produces (for `outputs/`). */
  declared: Stage["outputs"];
  step: StepFolder;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** Ctrl+C, a cancel, a time limit: the agent's process group is stopped. */
  signal: AbortSignal;
  /** The run's workspace, offered when the stage runs alone. */
  workspace?: LoneWorkspace | undefined;
}

/** Moves a file, or copies it when it is on another file system. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    await copyFile(from, to);
  }
}

/** Moves the bundle into the step folder: the folder is the "artifact". */
function stepUploader(step: StepFolder): ArtifactUploader {
  return {
    async upload(_name, files, rootDirectory) {
      const sizes = await Promise.all(
        files.map(async (file) => {
          const target = join(step.root, relative(rootDirectory, file));
          await moveFile(file, target);
          return (await stat(target)).size;
        }),
      );
      // Last, once every file is in place.
      await writeFile(join(step.root, BUNDLE_COMPLETE), "");
      return { size: sizes.reduce((sum, size) => sum + size, 0) };
    },
  };
}

/** A log that keeps what the stage runner says, in the step folder. */
function fileLog(path: string): ActionLog & { close(): Promise<void> } {
  const out = createWriteStream(path, { flags: "a" });
  return {
    info: (message) => out.write(`${message}\n`),
    warning: (message) => out.write(`warning: ${message}\n`),
    startGroup: (name) => out.write(`── ${name}\n`),
    endGroup: () => out.write("──\n"),
    write: (text) => out.write(text),
    close: () => new Promise((resolve) => out.end(resolve)),
  };
}

/**
 * Each declared output the stage reported, as a file in `outputs/`: a
 * file output under its own name (read from the agent's checkout), any
 * other as `<name>.txt` (JSON when it is not text).
 */
async function writeOutputs(
  options: LocalStageOptions,
  outcome: StageOutcome,
  checkout: string,
): Promise<void> {
  await mkdir(options.step.outputs, { recursive: true });
  for (const [name, value] of Object.entries(outcome.result.outputs)) {
    const declared = options.declared[name];
    if (declared === undefined || value === null || value === undefined)
      continue;
    if (declared.type === "file" && typeof value === "string") {
      const content = await readFile(join(checkout, value)).catch(
        () => undefined,
      );
      if (content !== undefined)
        await writeFile(join(options.step.outputs, basename(value)), content);
      continue;
    }
    const text = typeof value === "string" ? value : JSON.stringify(value);
    await writeFile(join(options.step.outputs, `${name}.txt`), `${text}\n`);
  }
}

/** How an attempt ran: the stage runner's outcome, and where. */
export interface LocalStageRun {
  outcome: StageOutcome;
  /** It ran in the run's workspace, which now holds its work, staged. */
  inWorkspace: boolean;
}

/**
 * Runs one stage attempt with the action's own stage runner — the same
 * preflight, skill → fallback, output verification and result bundle —
 * on the commit it was dispatched on: in the run's workspace when it is
 * offered (the stage runs alone; its changes are left there, staged, for
 * collecting to commit), else in a worktree of its own (the workspace is
 * not touched). The bundle lands in the step folder.
 */
export async function runLocalStage(
  options: LocalStageOptions,
): Promise<LocalStageRun> {
  const { request, step } = options;
  await mkdir(step.root, { recursive: true });
  await writeFile(
    join(step.root, "request.json"),
    `${JSON.stringify(request, null, 2)}\n`,
  );
  const log = fileLog(step.log);
  let place: StagePlace | undefined;
  try {
    place = await openStagePlace({
      repoRoot: options.repoRoot,
      request,
      step,
      workspace: options.workspace,
    });
    const outcome = await runStage(request, {
      cwd: place.dir,
      tempDir: place.tempDir,
      uploader: stepUploader(step),
      log,
      now: options.now,
      env: options.env,
      credentials: localCredentials(options.env),
      dryRun: false,
      uid: process.getuid?.(),
      // Your own agent on your own machine: it runs as you (see docs/decisions.md).
      isolation: "none",
      signal: options.signal,
      onAgentSpawn: (pid) => recordAgentPid(step, pid),
      stageInCheckout: place.inWorkspace,
      onStaged: (staged) =>
        writeFile(step.stagedTree, `${JSON.stringify(staged)}\n`),
    });
    await writeOutputs(options, outcome, place.dir);
    return { outcome, inWorkspace: place.inWorkspace };
  } finally {
    await log.close();
    await place?.close();
    // The agent has ended: its number may be another process's soon.
    await rm(step.agentPid, { force: true });
  }
}
