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
import type { AgentUser, Privilege } from "./isolation/agent-user.js";
import { geminiTurnLimit } from "./limits/gemini-turn-limit.js";
import { type LimitStop, limitAtEnd } from "./limits/limit-at-end.js";
import { meterOutput } from "./limits/meter-output.js";
import { type LimitWatch, watchLimits } from "./limits/watch-limits.js";
import { type AgentReport, parseAgentOutput } from "./parse-agent-output.js";
import type { StageMeter } from "./proxy/proxy-meter.js";

export interface AgentRun extends AgentReport {
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** What the agent printed, secrets masked. */
  stdout: string;
  stderr: string;
  /** The command line, prompt elided, for the log. */
  commandLine: string;
  /** The limit that stopped the agent (its time, turns, tokens or cost), if one did. */
  limit?: LimitStop | undefined;
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
  /** The credential proxy's meter, when the agent's model calls go through one. */
  meter?: StageMeter | undefined;
}

/**
 * How the run's turns are held to `max_turns` beyond the CLI's own flag:
 * the proxy's meter attached, Gemini CLI's settings file written, or a
 * warning that nothing counts them here.
 */
async function holdTurns(
  options: RunAgentOptions,
  watch: LimitWatch,
): Promise<{ env: Record<string, string>; release: () => Promise<void> }> {
  const { agent } = options;
  const kind = BACKENDS[agent.backend].turnLimit;
  const detach =
    options.meter?.attach(watch, { countTurns: kind === "proxy" }) ??
    (() => {});
  const held = {
    env: {},
    release: async () => detach(),
  };
  const warn = (text: string) =>
    options.write?.(`specwright: warning: ${text}\n`);
  if (agent.max_turns === undefined) return held;
  if (kind === "proxy" && !options.meter)
    warn(
      `the ${agent.backend} CLI's turns are counted by the credential proxy, which this run does not use (agent-isolation: none, or an egress proxy): its time limit holds it, not its ${agent.max_turns} turns`,
    );
  if (kind === "unknown")
    warn(
      `a command's turns are not known: its time limit holds it, not its ${agent.max_turns} turns`,
    );
  if (kind !== "settings") return held;
  const set = await geminiTurnLimit({
    maxTurns: agent.max_turns,
    env: options.env,
    privilege: options.user?.privilege ?? (await ownPrivilege()),
  });
  if ("warning" in set) {
    warn(set.warning);
    return held;
  }
  return {
    env: set.env,
    release: async () => {
      detach();
      await set.remove();
    },
  };
}

/** Root, or passwordless sudo, for an agent that is not isolated; else none. */
async function ownPrivilege(): Promise<Privilege | undefined> {
  if (process.getuid?.() === 0) return "root";
  return (await exec("sudo", ["-n", "true"])).code === 0 ? "sudo" : undefined;
}

/**
 * Runs the stage's agent CLI on a prompt, held to the request's limits
 * (its time: the whole process group is killed when it runs out; its
 * turns, tokens and cost as far as they can be counted, see `limits/`),
 * streaming its output and keeping it, secrets masked.
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
  const watch = watchLimits(options.agent);
  const held = await holdTurns(options, watch);
  const meter = meterOutput(options.agent.backend, watch);
  const signal = options.signal
    ? AbortSignal.any([options.signal, watch.signal])
    : watch.signal;
  const start = Date.now();
  const masker = createMasker(options.secrets);
  const mask = masker.text;
  // Each stream masked as it comes: a secret split over two chunks too.
  const live = { stdout: masker.stream(), stderr: masker.stream() };
  let sessionId: number | undefined;
  try {
    await sandbox?.handOver();
    const env = { ...options.env, ...held.env };
    const command = sandbox?.command(invocation.executable, args, env) ?? {
      file: invocation.executable,
      args,
      env,
    };
    const result = await exec(command.file, command.args, {
      cwd: options.cwd,
      env: command.env,
      onSpawn: (pid) => {
        sessionId = pid;
        options.onSpawn?.(pid);
      },
      signal,
      timeoutMs: options.agent.timeout_minutes * 60_000,
      ...(invocation.stdin === undefined ? {} : { input: invocation.stdin }),
      onStdout: (chunk: string) => {
        meter?.(chunk);
        options.write?.(live.stdout.push(chunk));
      },
      ...(options.write
        ? {
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
    const report = withCountedTurns(
      parseAgentOutput(options.agent.backend, stdout, {
        stderr: mask(result.stderr),
        usageFile,
      }),
      options,
      watch,
    );
    const durationMs = Date.now() - start;
    const limit = limitAtEnd({
      agent: options.agent,
      watch,
      timedOut: result.timedOut,
      durationMs,
      report,
    });
    return {
      ...report,
      exitCode: result.code,
      timedOut: result.timedOut,
      durationMs,
      ...(limit ? { limit } : {}),
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
    await held.release();
    await cleanUp(sandbox, sessionId, [promptPath, usagePath]);
  }
}

/** codex reports no turns: those the proxy counted are its model requests. */
function withCountedTurns(
  report: AgentReport,
  options: RunAgentOptions,
  watch: LimitWatch,
): AgentReport {
  if (BACKENDS[options.agent.backend].turnLimit !== "proxy" || !options.meter)
    return report;
  return { ...report, usage: { ...report.usage, turns: watch.turns() } };
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
