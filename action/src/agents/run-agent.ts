import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StageRequest } from "../../../src/contracts/stage-request.js";
import { exec } from "../exec.js";
import { maskSecrets } from "../mask.js";
import { BACKENDS } from "./backends.js";
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
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where a prompt file goes, for `prompt_via: file`. */
  tempDir: string;
  secrets: readonly string[];
  /** Streams output as it comes (into the job log). */
  write?: (text: string) => void;
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
  let args = invocation.args;
  let promptPath: string | undefined;
  if (invocation.promptFile !== undefined) {
    promptPath = join(
      options.tempDir,
      `specwright-prompt-${randomBytes(6).toString("hex")}.md`,
    );
    await writeFile(promptPath, invocation.promptFile, { mode: 0o600 });
    args = [...args, promptPath];
  }
  const usagePath = spec.usageFile
    ? join(
        options.tempDir,
        `specwright-usage-${randomBytes(6).toString("hex")}.json`,
      )
    : undefined;
  if (usagePath && spec.usageFile)
    args = [...args, ...spec.usageFile(usagePath)];
  const start = Date.now();
  const mask = (text: string) => maskSecrets(text, options.secrets);
  try {
    const result = await exec(invocation.executable, args, {
      cwd: options.cwd,
      env: options.env,
      timeoutMs: options.agent.timeout_minutes * 60_000,
      ...(invocation.stdin === undefined ? {} : { input: invocation.stdin }),
      ...(options.write
        ? {
            onStdout: (chunk: string) => options.write?.(mask(chunk)),
            onStderr: (chunk: string) => options.write?.(mask(chunk)),
          }
        : {}),
    });
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
    if (promptPath) await rm(promptPath, { force: true });
    if (usagePath) await rm(usagePath, { force: true });
  }
}
