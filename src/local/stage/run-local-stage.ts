import { createWriteStream } from "node:fs";
import {
  copyFile,
  mkdir,
  readFile,
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
import { openAttemptCheckout } from "./attempt-checkout.js";
import { localCredentials } from "./local-credentials.js";

/** Written last into a step folder: its bundle is whole. */
export const BUNDLE_COMPLETE = ".complete";

/** Where one attempt's files go: its step folder. */
export interface StepFolder {
  root: string;
  /** The stage runner's own log, with the agent's output as it streams. */
  log: string;
  outputs: string;
  /** The agent's process id while it runs (a later `resume` stops it). */
  agentPid: string;
  /**
   * Names the attempt's checkout (outside the repository) while it exists:
   * a `resume` after a crash removes what the crashed process left.
   */
  checkout: string;
}

export function stepFolder(root: string): StepFolder {
  return {
    root,
    log: join(root, "specwright.log"),
    outputs: join(root, "outputs"),
    agentPid: join(root, "agent.pid"),
    checkout: join(root, "checkout.path"),
  };
}

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
}

/** Copies the bundle into the step folder: the folder is the "artifact". */
function stepUploader(step: StepFolder): ArtifactUploader {
  return {
    async upload(_name, files, rootDirectory) {
      let size = 0;
      for (const file of files) {
        const target = join(step.root, relative(rootDirectory, file));
        await copyFile(file, target);
        size += (await stat(target)).size;
      }
      await writeFile(join(step.root, BUNDLE_COMPLETE), "");
      return { size };
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

/**
 * Runs one stage attempt with the action's own stage runner — the same
 * preflight, skill → fallback, output verification and result bundle — in
 * a checkout of the commit it was dispatched on. The bundle lands in the
 * step folder; the run's workspace is not touched (collecting commits it).
 */
export async function runLocalStage(
  options: LocalStageOptions,
): Promise<StageOutcome> {
  const { request, step } = options;
  await mkdir(step.root, { recursive: true });
  await writeFile(
    join(step.root, "request.json"),
    `${JSON.stringify(request, null, 2)}\n`,
  );
  const log = fileLog(step.log);
  const checkout = await openAttemptCheckout(
    options.repoRoot,
    request.base_sha,
    `${request.stage}-${request.attempt}`,
  );
  try {
    await writeFile(step.checkout, `${checkout.root}\n`);
    const outcome = await runStage(request, {
      cwd: checkout.dir,
      tempDir: checkout.tempDir,
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
      onAgentSpawn: (pid) => {
        writeFile(step.agentPid, `${pid}\n`).catch(() => undefined);
      },
    });
    await writeOutputs(options, outcome, checkout.dir);
    return outcome;
  } finally {
    await log.close();
    await checkout.remove();
    await rm(step.checkout, { force: true });
    // The agent has ended: its number may be another process's soon.
    await rm(step.agentPid, { force: true });
  }
}
