import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StageRequest } from "../../../src/contracts/stage-request.js";
import { exec } from "../exec.js";
import { createMasker } from "../mask.js";
import { BACKENDS } from "./backends.js";
import {
  type AgentSandbox,
  openSandbox,
  removeSandbox,
} from "./isolation/agent-sandbox.js";
import type { AgentUser } from "./isolation/agent-user.js";
import { type AgentReport, parseAgentOutput } from "./parse-agent-output.js";

export interface AgentRun extends AgentReport {
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** What the agent printed, secrets masked. */
  stdout: string;
  stderr: string;
  /** The command line, prompt elided, for the log. */
  commandLine: string;
}

export interface RunAgentOptions {
  agent: StageRequest["agent"];
  prompt: string;
  /** The invocation's own arguments (Copilot's `--agent speckit.plan`). */
  extraArgs?: readonly string[];
  /** Last on the command line, after the caller's own (codex's provider for the credential proxy, which they may not override). */
  trailingArgs?: readonly string[] | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where a prompt file goes, for `prompt_via: file`. */
  tempDir: string;
  secrets: readonly string[];
  /** Streams output as it comes (into the job log). */
  write?: (text: string) => void;
  /** The agent's own user, when it runs isolated from the action. */
  user?: AgentUser | undefined;
  /** Stops the agent's whole process group (a local run's Ctrl+C). */
  signal?: AbortSignal | undefined;
  /** Told the agent's process id (its group's too), to stop it after a crash. */
  onSpawn?: ((pid: number) => void) | undefined;
}

/**
 * Runs the stage's agent CLI on a prompt, with the request's hard time limit
 * (the whole process group is killed when it runs out), streaming its
 * output and keeping it, secrets masked.
 */
export async function runAgent(options: RunAgentOptions): Promise<AgentRun> {
  const spec = BACKENDS[options.agent.backend];
  const invocation = spec.build(
    options.prompt,
    options.agent,
    options.extraArgs,
  );
  const sandbox = options.user
    ? await openSandbox(options.user, options.cwd)
    : undefined;
  const tempDir = sandbox?.home ?? options.tempDir;
  let args = [...invocation.args, ...(options.trailingArgs ?? [])];
  let promptPath: string | undefined;
  if (invocation.promptFile !== undefined) {
    promptPath = join(
      tempDir,
      `specwright-prompt-${randomBytes(6).toString("hex")}.md`,
    );
    await writeFile(promptPath, invocation.promptFile, { mode: 0o600 });
    args = [...args, promptPath];
  }
  const usagePath = spec.usageFile
    ? join(tempDir, `specwright-usage-${randomBytes(6).toString("hex")}.json`)
    : undefined;
  if (usagePath && spec.usageFile)
    args = [...args, ...spec.usageFile(usagePath)];
  const start = Date.now();
  const masker = createMasker(options.secrets);
  const mask = masker.text;
  // Each stream masked as it comes: a secret split over two chunks too.
  const live = { stdout: masker.stream(), stderr: masker.stream() };
  let sessionId: number | undefined;
  try {
    await sandbox?.handOver();
    const command = sandbox?.command(
      invocation.executable,
      args,
      options.env,
    ) ?? {
      file: invocation.executable,
      args,
      env: options.env,
    };
    const result = await exec(command.file, command.args, {
      cwd: options.cwd,
      env: command.env,
      onSpawn: (pid) => {
        sessionId = pid;
        options.onSpawn?.(pid);
      },
      signal: options.signal,
      timeoutMs: options.agent.timeout_minutes * 60_000,
      ...(invocation.stdin === undefined ? {} : { input: invocation.stdin }),
      ...(options.write
        ? {
            onStdout: (chunk: string) =>
              options.write?.(live.stdout.push(chunk)),
            onStderr: (chunk: string) =>
              options.write?.(live.stderr.push(chunk)),
          }
        : {}),
    });
    options.write?.(live.stdout.end() + live.stderr.end());
    await sandbox?.close(sessionId);
    const stdout = mask(result.stdout);
    const usageFile = usagePath
      ? await readFile(usagePath, "utf8").catch(() => undefined)
      : undefined;
    return {
      ...parseAgentOutput(options.agent.backend, stdout, {
        stderr: mask(result.stderr),
        usageFile,
      }),
      exitCode: result.code,
      timedOut: result.timedOut,
      durationMs: Date.now() - start,
      stdout,
      stderr: mask(result.stderr),
      commandLine: [
        invocation.executable,
        ...args.map((arg) =>
          arg === options.prompt
            ? "<prompt>"
            : arg === usagePath
              ? "<usage file>"
              : arg,
        ),
      ].join(" "),
    };
  } finally {
    await cleanUp(sandbox, sessionId, [promptPath, usagePath]);
  }
}

/** The sandbox taken back (when an error cut the run short too) and the run's files gone. */
async function cleanUp(
  sandbox: AgentSandbox | undefined,
  sessionId: number | undefined,
  files: (string | undefined)[],
): Promise<void> {
  if (sandbox) {
    await sandbox.close(sessionId);
    await removeSandbox(sandbox);
    return;
  }
  for (const file of files) if (file) await rm(file, { force: true });
}
