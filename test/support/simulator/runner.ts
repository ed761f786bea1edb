import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  chmod,
  mkdir,
  readdir,
  readFile,
  rm,
  writeFile,
} from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { parse } from "yaml";
import { z } from "zod";
import type { Expression } from "../../../src/workflow/expressions/ast.js";
import {
  evaluateExpression,
  type Scope,
} from "../../../src/workflow/expressions/evaluate-expression.js";
import { ExpressionError } from "../../../src/workflow/expressions/expression-error.js";
import {
  evaluateTemplate,
  parseCondition,
  parseTemplate,
} from "../../../src/workflow/expressions/parse-template.js";
import {
  isTruthy,
  toNumber,
  toText,
  type ValueObject,
} from "../../../src/workflow/expressions/values.js";
import { type JobStep, JobSteps } from "./job-steps.js";

/*
 * A stand-in for the GitHub Actions runner, for one job of the stage
 * workflow: it evaluates the workflow's expressions as GitHub does, checks
 * the repository out with git as actions/checkout does, and runs the
 * JavaScript action as a process with the environment a runner gives it,
 * reading the workflow commands it prints and the files it writes.
 *
 * Deliberate differences from GitHub, each because the simulator has no
 * network or needs no more:
 * - `run:` steps are logged, not run (the fake agent CLIs are on PATH
 *   already); actions/setup-node does nothing; the action runs on this
 *   process's node, whatever its `runs.using`.
 * - Only actions/checkout, actions/setup-node and the Specwright action
 *   (`./action`, `<owner>/<repo>/action@<ref>`) can be used; job `if:`,
 *   matrices, containers, services, environments, step `timeout-minutes`
 *   and pre/post scripts are refused with a clear error.
 * - A cancelled or timed-out job is killed at once (GitHub sends SIGINT,
 *   then SIGTERM, before killing), and no `if: always()` step runs after.
 * - Workflow commands other than add-mask and stop-commands are left in
 *   the log as printed (`::debug::` lines too, as if step debug logging
 *   were on); there is no GITHUB_TOKEN, GITHUB_ACTOR or GITHUB_RUN_NUMBER.
 * - Finding a job's processes to kill reads /proc: Linux only (elsewhere
 *   only the action's process group is killed).
 */

export interface StageJob {
  /** The workflow file's YAML text, as on the dispatched ref. */
  workflow: string;
  /** workflow_dispatch inputs. */
  inputs: Record<string, string>;
  /** Repository secrets and variables (`secrets.*`, `vars.*`). */
  secrets: Record<string, string>;
  vars: Record<string, string>;
  /** A git URL or path the runner can `git clone` (a bare repository on disk). */
  cloneUrl: string;
  /** The dispatched branch; `github.ref_name`. */
  ref: string;
  /** The branch head when dispatched; `github.sha`. */
  sha: string;
  /** "owner/repo" */
  repository: string;
  /** GITHUB_RUN_ID */
  runId: number;
  /** GITHUB_RUN_ATTEMPT */
  runAttempt: number;
  /** GITHUB_SERVER_URL */
  serverUrl: string;
  /** GITHUB_API_URL */
  apiUrl: string;
  /** ACTIONS_RESULTS_URL (with trailing slash) */
  resultsUrl: string;
  /** ACTIONS_RUNTIME_TOKEN */
  runtimeToken: string;
  /** Where `uses: <owner>/<repo>/action@<ref>` (and `uses: ./action`) resolve: the directory holding action.yml. */
  actionDir: string;
  /** Directories put first on PATH (fake agent CLIs). */
  path: string[];
  /** Extra environment for every step (e.g. the fake agent's script). */
  env?: Record<string, string>;
  /** A scratch directory for this job (workspace, RUNNER_TEMP, files); the runner may create subdirectories. */
  workDir: string;
  /**
   * The user the job's processes run as (GitHub-hosted runners run jobs as
   * the unprivileged `runner`); the job's directories are given to it.
   * Unset: this process's user.
   */
  user?: { uid: number; gid: number };
  /**
   * Test-only: the job's time limit in milliseconds, instead of its
   * evaluated `timeout-minutes` (GitHub takes whole minutes only, too long
   * for a test to wait out). `timeoutMinutes` in the result still reports
   * the evaluated value.
   */
  timeoutMsOverride?: number;
  /** The clock for the steps' times (default: the system's). */
  now?: () => Date;
}

export interface StageJobResult {
  conclusion: "success" | "failure" | "cancelled" | "timed_out";
  /** The job log as the runner shows it (workflow commands such as ::add-mask:: consumed and applied, ::group:: kept as lines), masked. */
  log: string;
  /** GITHUB_STEP_SUMMARY content. */
  summary: string;
  /** The action step's outputs (GITHUB_OUTPUT). */
  outputs: Record<string, string>;
  /** Evaluated job name and timeout. */
  name: string;
  timeoutMinutes: number;
  /** The job's steps as GitHub lists them, names evaluated (job-steps.ts). */
  steps: JobStep[];
}

// ---------------------------------------------------------------------------
// The workflow file

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const ScalarMap = z.record(z.string(), Scalar.nullable());

const StepSchema = z.looseObject({
  id: z.string().optional(),
  name: Scalar.optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  if: Scalar.optional(),
  with: ScalarMap.optional(),
  env: ScalarMap.optional(),
  "continue-on-error": Scalar.optional(),
});
type Step = z.infer<typeof StepSchema>;

const JobSchema = z.looseObject({
  name: Scalar.optional(),
  "timeout-minutes": Scalar.optional(),
  env: ScalarMap.optional(),
  steps: z.array(StepSchema).min(1),
});
type Job = z.infer<typeof JobSchema>;

const DispatchInput = z.looseObject({
  type: z.string().optional(),
  default: Scalar.nullable().optional(),
});

const WorkflowSchema = z.looseObject({
  name: z.string().optional(),
  "run-name": z.string().optional(),
  on: z.unknown(),
  env: ScalarMap.optional(),
  jobs: z.record(z.string(), JobSchema),
});

interface Workflow {
  name: string | undefined;
  runName: string | undefined;
  env: Record<string, string>;
  dispatchInputs: Record<string, z.infer<typeof DispatchInput>>;
  jobId: string;
  job: Job;
}

/** Job keys this runner cannot honour; it refuses rather than ignore them. */
const UNSUPPORTED_JOB_KEYS = [
  "if",
  "strategy",
  "container",
  "services",
  "uses",
  "environment",
];
const UNSUPPORTED_STEP_KEYS = ["timeout-minutes"];

function prefixError(message: string): Error {
  return new Error(`simulated runner: ${message}`);
}

/** YAML scalars become strings as GitHub reads them (`false` → "false"). */
function scalarText(value: z.infer<typeof Scalar> | null | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

function scalarTexts(
  map: z.infer<typeof ScalarMap> | undefined,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(map ?? {}).map(([k, v]) => [k, scalarText(v)]),
  );
}

function readWorkflow(text: string): Workflow {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw prefixError(
      `the workflow is not valid YAML: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = WorkflowSchema.safeParse(raw);
  if (!parsed.success) {
    throw prefixError(
      `the workflow is not one it can run:\n${z.prettifyError(parsed.error)}`,
    );
  }
  const file = parsed.data;
  const entries = Object.entries(file.jobs);
  const [only] = entries;
  if (entries.length !== 1 || only === undefined) {
    throw prefixError(
      `the stage workflow must have exactly one job, this one has ${entries.length} (${entries.map(([id]) => id).join(", ")})`,
    );
  }
  const [jobId, job] = only;
  for (const key of UNSUPPORTED_JOB_KEYS) {
    if (key in job)
      throw prefixError(`job '${jobId}': '${key}' is not supported`);
  }
  return {
    name: file.name,
    runName: file["run-name"],
    env: scalarTexts(file.env),
    dispatchInputs: dispatchInputs(file.on),
    jobId,
    job,
  };
}

/** `on.workflow_dispatch.inputs`; throws when the workflow cannot be dispatched. */
function dispatchInputs(
  on: unknown,
): Record<string, z.infer<typeof DispatchInput>> {
  const triggers =
    typeof on === "string"
      ? [on]
      : Array.isArray(on)
        ? on
        : on !== null && typeof on === "object"
          ? Object.keys(on)
          : [];
  if (!triggers.includes("workflow_dispatch")) {
    throw prefixError(
      "the workflow has no workflow_dispatch trigger, so GitHub would refuse to dispatch it",
    );
  }
  const dispatch =
    on !== null && typeof on === "object" && !Array.isArray(on)
      ? (on as Record<string, unknown>).workflow_dispatch
      : undefined;
  const inputs =
    dispatch !== null && typeof dispatch === "object"
      ? (dispatch as Record<string, unknown>).inputs
      : undefined;
  const parsed = z
    .record(z.string(), DispatchInput)
    .optional()
    .safeParse(inputs ?? undefined);
  if (!parsed.success) {
    throw prefixError(
      `on.workflow_dispatch.inputs is not valid:\n${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data ?? {};
}

/**
 * The `inputs` context: given values, else the declared defaults; boolean
 * and number inputs typed as GitHub types them (`github.event.inputs` keeps
 * the strings).
 */
function inputsContext(
  workflow: Workflow,
  given: Record<string, string>,
): ValueObject {
  const out: ValueObject = { ...given };
  for (const [name, spec] of Object.entries(workflow.dispatchInputs)) {
    const text = given[name] ?? scalarText(spec.default);
    if (spec.type === "boolean") out[name] = text === "true";
    else if (spec.type === "number") out[name] = toNumber(text);
    else out[name] = text;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Expressions

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A template (`text ${{ expr }}`) evaluated to text, as for `with:` and `env:`. */
function evaluateText(text: string, scope: Scope, where: string): string {
  try {
    return toText(evaluateTemplate(parseTemplate(text), scope));
  } catch (error) {
    throw prefixError(
      `cannot evaluate ${where} '${text}': ${describeError(error)}`,
    );
  }
}

function evaluateTexts(
  values: Record<string, string>,
  scope: Scope,
  where: string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [
      k,
      evaluateText(v, scope, `${where}.${k}`),
    ]),
  );
}

interface JobStatus {
  failed: boolean;
  cancelled: boolean;
}

const succeeded = (s: JobStatus) => !s.failed && !s.cancelled;

const STATUS_FUNCTIONS: Record<string, (status: JobStatus) => boolean> = {
  success: succeeded,
  failure: (s) => s.failed && !s.cancelled,
  always: () => true,
  cancelled: (s) => s.cancelled,
};

/**
 * Replaces the status functions (`success()`, `failure()`, `always()`,
 * `cancelled()`), which only a runner can answer, by their values.
 */
function bindStatus(
  expression: Expression,
  status: JobStatus,
  used: { status: boolean },
): Expression {
  const bind = (e: Expression) => bindStatus(e, status, used);
  switch (expression.kind) {
    case "call": {
      const answer = STATUS_FUNCTIONS[expression.name.toLowerCase()];
      if (answer === undefined)
        return { ...expression, args: expression.args.map(bind) };
      if (expression.args.length > 0) {
        throw new ExpressionError(
          `${expression.name}() takes no arguments`,
          expression.start,
          expression.end,
        );
      }
      used.status = true;
      return {
        kind: "literal",
        value: answer(status),
        start: expression.start,
        end: expression.end,
      };
    }
    case "member":
    case "wildcard":
      return { ...expression, object: bind(expression.object) };
    case "index":
      return {
        ...expression,
        object: bind(expression.object),
        index: bind(expression.index),
      };
    case "not":
      return { ...expression, operand: bind(expression.operand) };
    case "binary":
    case "logical":
      return {
        ...expression,
        left: bind(expression.left),
        right: bind(expression.right),
      };
    case "conditional":
      return {
        ...expression,
        test: bind(expression.test),
        consequent: bind(expression.consequent),
        alternate: bind(expression.alternate),
      };
    case "literal":
    case "name":
      return expression;
  }
}

/**
 * A step's `if:` as GitHub reads it: with or without `${{ }}`, and
 * `success() && (…)` unless it calls a status function itself.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#status-check-functions
 */
function evaluateCondition(
  text: string,
  scope: Scope,
  status: JobStatus,
): boolean {
  try {
    const used = { status: false };
    const condition = bindStatus(parseCondition(text).expression, status, used);
    if (!used.status && !succeeded(status)) return false;
    return isTruthy(evaluateExpression(condition, scope));
  } catch (error) {
    throw prefixError(`cannot evaluate if: '${text}': ${describeError(error)}`);
  }
}

// ---------------------------------------------------------------------------
// The job log

interface JobLog {
  lines: string[];
  /** Values shown as `***`, longest first. */
  masks: string[];
  /** Set by `::stop-commands::<token>`: commands are not read until `::<token>::`. */
  stopToken: string | undefined;
}

function addMask(log: JobLog, value: string): void {
  // A log line never holds a line break, so each line of a multi-line
  // secret is masked on its own, as the runner does.
  for (const part of [value, ...value.split(/\r?\n/)]) {
    if (part.trim() !== "" && !log.masks.includes(part)) log.masks.push(part);
  }
  log.masks.sort((a, b) => b.length - a.length);
}

function applyMasks(log: JobLog, text: string): string {
  let out = text;
  for (const mask of log.masks) out = out.split(mask).join("***");
  return out;
}

/** A line the runner itself writes. */
function logLine(log: JobLog, line: string): void {
  log.lines.push(applyMasks(log, line));
}

/** `%0A` and friends, as in a workflow command's data. */
function unescapeCommandData(data: string): string {
  return data
    .replaceAll("%0D", "\r")
    .replaceAll("%0A", "\n")
    .replaceAll("%25", "%");
}

/**
 * A line a step printed: `::add-mask::` and `::stop-commands::` are read
 * and not shown; every other line is shown as printed, masked.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
 */
function logOutput(log: JobLog, line: string): void {
  const trimmed = line.trimStart();
  if (log.stopToken !== undefined) {
    if (trimmed.trimEnd() === `::${log.stopToken}::`) log.stopToken = undefined;
    else logLine(log, line);
    return;
  }
  const command = /^::([^\s:]+)(?: [^:]*)?::(.*)$/.exec(trimmed);
  const name = command?.[1];
  const data = unescapeCommandData(command?.[2] ?? "");
  if (name === "add-mask") {
    if (data.trim() === "") {
      logLine(
        log,
        "##[warning]Can't add secret mask for empty string in ##[add-mask] command.",
      );
    } else addMask(log, data);
    return;
  }
  if (name === "stop-commands" && data !== "") {
    log.stopToken = data;
    return;
  }
  logLine(log, line);
}

// ---------------------------------------------------------------------------
// Processes

interface JobState {
  job: StageJob;
  workflow: Workflow;
  log: JobLog;
  /** Aborted with "cancelled" or "timed_out". */
  stop: AbortController;
  /** Every process the job starts carries it, as the real runner's do. */
  trackingId: string;
  dirs: {
    workspace: string;
    runnerWorkspace: string;
    temp: string;
    toolCache: string;
    files: string;
    home: string;
  };
  eventPath: string;
  event: ValueObject;
  inputs: ValueObject;
  /** Evaluated workflow and job env. */
  env: Record<string, string>;
  /** Set by steps through GITHUB_ENV and GITHUB_PATH. */
  addedEnv: Record<string, string>;
  addedPath: string[];
  /** The `steps` context. */
  steps: ValueObject;
  /** The steps as GitHub lists them. */
  record: JobSteps;
  failed: boolean;
  summary: string[];
  outputs: Record<string, string>;
}

interface Command {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/** Splits a stream's text into lines, keeping a partial last line until more comes. */
function lineSplitter(onLine: (line: string) => void) {
  let rest = "";
  return {
    push(chunk: string) {
      rest += chunk;
      const lines = rest.split(/\r?\n/);
      rest = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    },
    end() {
      if (rest !== "") onLine(rest);
      rest = "";
    },
  };
}

/**
 * The processes still running with this tracking id. Like the real runner,
 * which finds a job's processes by `RUNNER_TRACKING_ID`, this finds them
 * wherever they went (an agent the action starts in its own session, a
 * helper the agent left behind). Linux only: /proc.
 */
async function trackedProcesses(trackingId: string): Promise<number[]> {
  if (process.platform !== "linux") return [];
  const marker = `RUNNER_TRACKING_ID=${trackingId}`;
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: string;
    try {
      // A zombie's environment reads as empty: it is no longer running.
      environ = await readFile(`/proc/${entry}/environ`, "latin1");
    } catch {
      continue;
    }
    if (environ.split("\0").includes(marker)) pids.push(Number(entry));
  }
  return pids;
}

async function processName(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/comm`, "utf8")).trim();
  } catch {
    return "?";
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/**
 * Kills every process of the job (and the process group of `leader`) and
 * waits until none is left. Returns what it found running.
 */
async function killJobProcesses(
  trackingId: string,
  leader?: number,
): Promise<{ pid: number; name: string }[]> {
  if (leader !== undefined) kill(-leader);
  const found = new Map<number, string>();
  for (let round = 0; round < 500; round++) {
    const pids = await trackedProcesses(trackingId);
    if (pids.length === 0)
      return [...found].map(([pid, name]) => ({ pid, name }));
    for (const pid of pids) {
      if (!found.has(pid)) found.set(pid, await processName(pid));
      kill(pid);
    }
    await delay(10);
  }
  throw prefixError(
    `processes of the job outlived SIGKILL: ${(await trackedProcesses(trackingId)).join(", ")}`,
  );
}

/**
 * Gives a directory tree to the job's user (what the checkout wrote, too),
 * its top mode 750 as GitHub's `/home/runner`: only the user and its group
 * may pass.
 */
async function giveTo(dir: string, user: { uid: number; gid: number }) {
  await new Promise<void>((done, fail) => {
    execFile("chown", ["-R", `${user.uid}:${user.gid}`, dir], (error) =>
      error ? fail(error) : done(),
    );
  });
  await chmod(dir, 0o750);
}

/**
 * Runs a process of the job, its output going to the log. On cancel or
 * timeout, the whole tree is killed. Resolves with the exit code (null when
 * killed by a signal or not started).
 */
async function runProcess(
  state: JobState,
  command: Command,
): Promise<number | null> {
  if (state.stop.signal.aborted) return null;
  const { user } = state.job;
  if (user) await giveTo(state.job.workDir, user);
  const child = spawn(command.file, command.args, {
    cwd: command.cwd,
    env: { ...command.env, RUNNER_TRACKING_ID: state.trackingId },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  let killing: Promise<unknown> = Promise.resolve();
  const onAbort = () => {
    killing = killJobProcesses(state.trackingId, child.pid).catch((error) =>
      logLine(state.log, `##[error]${describeError(error)}`),
    );
  };
  state.stop.signal.addEventListener("abort", onAbort, { once: true });
  const stdout = lineSplitter((line) => logOutput(state.log, line));
  const stderr = lineSplitter((line) => logOutput(state.log, line));
  child.stdout.setEncoding("utf8").on("data", stdout.push);
  child.stderr.setEncoding("utf8").on("data", stderr.push);
  try {
    return await new Promise<number | null>((done) => {
      child.on("error", (error: NodeJS.ErrnoException) => {
        logLine(
          state.log,
          `##[error]${error.code === "ENOENT" ? `${command.file}: command not found` : error.message}`,
        );
        done(null);
      });
      child.on("close", (code) => done(code));
    });
  } finally {
    state.stop.signal.removeEventListener("abort", onAbort);
    stdout.end();
    stderr.end();
    await killing;
  }
}

/** PATH for a step: GITHUB_PATH additions, the job's directories, then this machine's. */
function stepPath(state: JobState): string {
  return [...state.addedPath, ...state.job.path, process.env.PATH ?? ""]
    .filter((part) => part !== "")
    .join(":");
}

// ---------------------------------------------------------------------------
// Contexts

const RUNNER_ARCH: Record<string, string> = {
  x64: "X64",
  ia32: "X86",
  arm: "ARM",
  arm64: "ARM64",
};
const RUNNER_NAME = "Specwright simulated runner";

function repositoryName(state: { job: StageJob }): {
  owner: string;
  name: string;
} {
  const [owner = "", name = ""] = state.job.repository.split("/");
  return { owner, name };
}

/** GraphQL lives at /graphql on github.com, at /api/graphql on GHES. */
function graphqlUrl(apiUrl: string): string {
  return /\/api\/v3\/?$/.test(apiUrl)
    ? apiUrl.replace(/\/api\/v3\/?$/, "/api/graphql")
    : `${apiUrl.replace(/\/$/, "")}/graphql`;
}

function githubContext(state: JobState): ValueObject {
  const { job } = state;
  return {
    action: "",
    api_url: job.apiUrl,
    event: state.event,
    event_name: "workflow_dispatch",
    event_path: state.eventPath,
    graphql_url: graphqlUrl(job.apiUrl),
    job: state.workflow.jobId,
    ref: `refs/heads/${job.ref}`,
    ref_name: job.ref,
    ref_protected: false,
    ref_type: "branch",
    repository: job.repository,
    repository_owner: repositoryName(state).owner,
    retention_days: "90",
    run_attempt: String(job.runAttempt),
    run_id: String(job.runId),
    server_url: job.serverUrl,
    sha: job.sha,
    workflow: state.workflow.name ?? "",
    workspace: state.dirs.workspace,
  };
}

function runnerContext(state: JobState): ValueObject {
  return {
    arch: RUNNER_ARCH[process.arch] ?? process.arch,
    environment: "github-hosted",
    name: RUNNER_NAME,
    os: "Linux",
    temp: state.dirs.temp,
    tool_cache: state.dirs.toolCache,
  };
}

/** The scope a step's `env:`, `with:` and `if:` are evaluated in. */
function stepScope(
  state: JobState,
  env: Record<string, string>,
  options: { secrets: boolean },
): Scope {
  return {
    github: githubContext(state),
    inputs: state.inputs,
    vars: state.job.vars,
    env,
    runner: runnerContext(state),
    job: { status: state.failed ? "failure" : "success" },
    steps: state.steps,
    needs: {},
    strategy: {},
    matrix: {},
    // `secrets` cannot be read in `if:`, as on GitHub.
    ...(options.secrets ? { secrets: state.job.secrets } : {}),
  };
}

// ---------------------------------------------------------------------------
// File commands

/**
 * GITHUB_OUTPUT and GITHUB_ENV: `name=value` lines and `name<<DELIMITER`
 * blocks, read as the runner reads them.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#multiline-strings
 */
function parseKeyValueFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/(?<=\n)/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").replace(/\r?\n$/, "");
    if (line === "") continue;
    const equals = line.indexOf("=");
    const heredoc = line.indexOf("<<");
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      const name = line.slice(0, equals);
      if (name === "")
        throw prefixError(`${file}: invalid line '${line}': no name`);
      out[name] = line.slice(equals + 1);
    } else if (heredoc >= 0) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (name === "" || delimiter === "") {
        throw prefixError(
          `${file}: invalid line '${line}': the name and the delimiter must not be empty`,
        );
      }
      let value = "";
      for (i++; ; i++) {
        const raw = lines[i];
        if (raw === undefined) {
          throw prefixError(
            `${file}: the value of '${name}' never ends: no line '${delimiter}'`,
          );
        }
        if (raw.replace(/\r?\n$/, "") === delimiter) break;
        value += raw;
      }
      out[name] = value.replace(/\r?\n$/, "");
    } else throw prefixError(`${file}: invalid line '${line}'`);
  }
  return out;
}

/** GitHub refuses a step summary over 1 MiB. */
const SUMMARY_LIMIT = 1024 * 1024;

interface FileCommands {
  output: string;
  summary: string;
  env: string;
  path: string;
  state: string;
}

async function createFileCommands(state: JobState): Promise<FileCommands> {
  const id = randomUUID();
  const files: FileCommands = {
    output: join(state.dirs.files, `set_output_${id}`),
    summary: join(state.dirs.files, `step_summary_${id}`),
    env: join(state.dirs.files, `set_env_${id}`),
    path: join(state.dirs.files, `add_path_${id}`),
    state: join(state.dirs.files, `save_state_${id}`),
  };
  for (const file of Object.values(files)) await writeFile(file, "");
  return files;
}

/** Reads what a step wrote to its files; returns its outputs. */
async function readFileCommands(
  state: JobState,
  files: FileCommands,
): Promise<Record<string, string>> {
  const outputs = parseKeyValueFile(
    await readFile(files.output, "utf8"),
    "GITHUB_OUTPUT",
  );
  Object.assign(
    state.addedEnv,
    parseKeyValueFile(await readFile(files.env, "utf8"), "GITHUB_ENV"),
  );
  const paths = (await readFile(files.path, "utf8"))
    .split(/\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p !== "");
  state.addedPath.unshift(...paths.reverse());
  const summary = await readFile(files.summary, "utf8");
  if (Buffer.byteLength(summary) > SUMMARY_LIMIT) {
    logLine(
      state.log,
      `##[error]$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, got ${Math.ceil(Buffer.byteLength(summary) / 1024)}k.`,
    );
  } else if (summary !== "") {
    state.summary.push(applyMasks(state.log, summary));
  }
  return outputs;
}

// ---------------------------------------------------------------------------
// Steps

type Outcome = "success" | "failure";

interface StepResult {
  outcome: Outcome;
  /** What the step wrote to GITHUB_OUTPUT. */
  outputs: Record<string, string>;
}

interface StepRun {
  step: Step;
  /** Evaluated step env merged over the job's. */
  env: Record<string, string>;
  with: Record<string, string>;
}

function logRunGroup(state: JobState, title: string, run: StepRun): void {
  logLine(state.log, `##[group]Run ${title}`);
  const show = (heading: string, values: Record<string, string>) => {
    if (Object.keys(values).length === 0) return;
    logLine(state.log, `${heading}:`);
    for (const [k, v] of Object.entries(values))
      logLine(state.log, `  ${k}: ${v}`);
  };
  show("with", run.with);
  show("env", run.env);
  logLine(state.log, "##[endgroup]");
}

/** The commands git runs under: no credential helper, no prompt, no global config. */
function gitEnv(state: JobState): Record<string, string> {
  return {
    PATH: stepPath(state),
    HOME: state.dirs.home,
    GIT_TERMINAL_PROMPT: "0",
  };
}

/** Runs git in the job; `quiet` for a probe whose failure is an answer, not an error. */
async function git(
  state: JobState,
  cwd: string,
  args: string[],
  options: { quiet?: boolean } = {},
): Promise<boolean> {
  logLine(state.log, `[command]git ${args.join(" ")}`);
  const code = await runProcess(state, {
    file: "git",
    args,
    cwd,
    env: gitEnv(state),
  });
  if (code !== 0 && !state.stop.signal.aborted && !options.quiet) {
    logLine(
      state.log,
      `##[error]The process 'git' failed with exit code ${code ?? "null"}`,
    );
  }
  return code === 0;
}

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/** What to fetch for a ref and/or commit, as actions/checkout's ref-helper decides. */
function refSpecs(ref: string, commit: string): string[] {
  const upper = ref.toUpperCase();
  if (commit !== "") {
    if (upper.startsWith("REFS/HEADS/")) {
      return [
        `+${commit}:refs/remotes/origin/${ref.slice("refs/heads/".length)}`,
      ];
    }
    if (upper.startsWith("REFS/TAGS/")) return [`+${commit}:${ref}`];
    return [commit];
  }
  if (!upper.startsWith("REFS/")) {
    return [
      `+refs/heads/${ref}*:refs/remotes/origin/${ref}*`,
      `+refs/tags/${ref}*:refs/tags/${ref}*`,
    ];
  }
  if (upper.startsWith("REFS/HEADS/")) {
    return [`+${ref}:refs/remotes/origin/${ref.slice("refs/heads/".length)}`];
  }
  return [`+${ref}:${ref}`];
}

/**
 * actions/checkout: fetches the ref (one commit deep unless `fetch-depth`
 * says otherwise) from `cloneUrl` into the workspace and checks it out.
 * Stores no credential, whatever persist-credentials says.
 * https://github.com/actions/checkout
 */
async function checkout(state: JobState, run: StepRun): Promise<Outcome> {
  const { job } = state;
  const repository = run.with.repository ?? "";
  if (
    repository !== "" &&
    repository.toLowerCase() !== job.repository.toLowerCase()
  ) {
    logLine(
      state.log,
      `##[error]simulated runner: actions/checkout can only check out the job's repository ${job.repository}, not ${repository}`,
    );
    return "failure";
  }
  const target = resolve(state.dirs.workspace, run.with.path ?? "");
  if (relative(state.dirs.workspace, target).startsWith("..")) {
    logLine(
      state.log,
      `##[error]Repository path '${target}' is not under '${state.dirs.workspace}'`,
    );
    return "failure";
  }
  let ref = run.with.ref ?? "";
  let commit = "";
  if (ref === "") {
    ref = `refs/heads/${job.ref}`;
    commit = job.sha;
  } else if (SHA.test(ref)) {
    commit = ref;
    ref = "";
  }
  const depth = toNumber(run.with["fetch-depth"] ?? "1");
  if (!Number.isInteger(depth) || depth < 0) {
    logLine(
      state.log,
      `##[error]The value for fetch-depth must be a whole number, 0 or more, not '${run.with["fetch-depth"]}'`,
    );
    return "failure";
  }

  logLine(state.log, `Syncing repository: ${job.repository}`);
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  const fetch = [
    "-c",
    "protocol.version=2",
    "fetch",
    "--no-tags",
    "--prune",
    "--no-recurse-submodules",
  ];
  const ok =
    (await git(state, target, ["init", "-q", target])) &&
    (await git(state, target, ["remote", "add", "origin", job.cloneUrl])) &&
    (depth === 0
      ? (await git(state, target, [
          ...fetch.filter((a) => a !== "--no-tags"),
          "origin",
          "+refs/heads/*:refs/remotes/origin/*",
          "+refs/tags/*:refs/tags/*",
        ])) &&
        (await git(state, target, [
          ...fetch,
          "origin",
          ...refSpecs(ref, commit),
        ]))
      : await git(state, target, [
          ...fetch,
          `--depth=${depth}`,
          "origin",
          ...refSpecs(ref, commit),
        ]));
  if (!ok) return "failure";

  let args: string[];
  if (ref === "") args = ["checkout", "--progress", "--force", commit];
  else if (ref.toUpperCase().startsWith("REFS/HEADS/")) {
    const branch = ref.slice("refs/heads/".length);
    args = [
      "checkout",
      "--progress",
      "--force",
      "-B",
      branch,
      `refs/remotes/origin/${branch}`,
    ];
  } else if (ref.toUpperCase().startsWith("REFS/")) {
    args = ["checkout", "--progress", "--force", ref];
  } else {
    const exists = (name: string) =>
      git(state, target, ["rev-parse", "--verify", "--quiet", name], {
        quiet: true,
      });
    if (await exists(`refs/remotes/origin/${ref}`)) {
      args = [
        "checkout",
        "--progress",
        "--force",
        "-B",
        ref,
        `refs/remotes/origin/${ref}`,
      ];
    } else if (await exists(`refs/tags/${ref}`)) {
      args = ["checkout", "--progress", "--force", `refs/tags/${ref}`];
    } else {
      logLine(
        state.log,
        `##[error]A branch or tag with the name '${ref}' could not be found`,
      );
      return "failure";
    }
  }
  return (await git(state, target, args)) ? "success" : "failure";
}

const ActionFile = z.looseObject({
  inputs: z
    .record(
      z.string(),
      z.looseObject({ default: Scalar.nullable().optional() }).nullable(),
    )
    .optional(),
  runs: z.looseObject({
    using: z.string(),
    main: z.string().optional(),
    pre: z.string().optional(),
    post: z.string().optional(),
  }),
});

interface JavaScriptAction {
  inputs: NonNullable<z.infer<typeof ActionFile>["inputs"]>;
  /** runs.main, relative to the action's directory. */
  main: string;
}

async function readActionFile(dir: string): Promise<JavaScriptAction> {
  let text: string | undefined;
  for (const name of ["action.yml", "action.yaml"]) {
    try {
      text = await readFile(join(dir, name), "utf8");
      break;
    } catch {
      // Try the other name.
    }
  }
  if (text === undefined)
    throw prefixError(`no action.yml or action.yaml in ${dir}`);
  const parsed = ActionFile.safeParse(parse(text));
  if (!parsed.success) {
    throw prefixError(
      `${dir}/action.yml is not valid:\n${z.prettifyError(parsed.error)}`,
    );
  }
  const { runs, inputs = {} } = parsed.data;
  if (!/^node\d+$/.test(runs.using) || runs.main === undefined) {
    throw prefixError(
      `${dir}/action.yml: only JavaScript actions (runs.using: node24 with runs.main) can run here, not '${runs.using}'`,
    );
  }
  if (runs.pre !== undefined || runs.post !== undefined) {
    throw prefixError(
      `${dir}/action.yml: pre and post scripts are not supported`,
    );
  }
  return { inputs, main: runs.main };
}

/** `specwright/specwright/action@v0` → the action's repository and ref. */
const REMOTE_ACTION = /^([\w.-]+)\/([\w.-]+)\/action@(.+)$/;

/**
 * A JavaScript action: `node <runs.main>` in the workspace, with the inputs
 * as INPUT_* and the runner's variables, built from nothing but this
 * machine's PATH.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/variables#default-environment-variables
 */
async function runJavaScriptAction(
  state: JobState,
  run: StepRun,
  uses: string,
): Promise<StepResult> {
  const { job } = state;
  const action = await readActionFile(job.actionDir);
  const scope = stepScope(state, run.env, { secrets: true });
  const declared = action.inputs;
  // Given inputs, then the defaults of the others, as the log lists them.
  const inputs: Record<string, string> = { ...run.with };
  for (const [name, spec] of Object.entries(declared)) {
    const fallback = spec?.default;
    if (name in inputs || fallback === undefined || fallback === null) continue;
    inputs[name] = evaluateText(
      String(fallback),
      scope,
      `the default of input '${name}'`,
    );
  }
  logRunGroup(state, uses, { ...run, with: inputs });
  const unexpected = Object.keys(run.with).filter((n) => !(n in declared));
  if (unexpected.length > 0) {
    logLine(
      state.log,
      `##[warning]Unexpected input(s) ${unexpected.map((n) => `'${n}'`).join(", ")}, valid inputs are [${Object.keys(
        declared,
      )
        .map((n) => `'${n}'`)
        .join(", ")}]`,
    );
  }

  const remote = REMOTE_ACTION.exec(uses);
  const files = await createFileCommands(state);
  const env: Record<string, string> = {
    ...job.env,
    ...run.env,
    HOME: state.dirs.home,
    PATH: stepPath(state),
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_ACTION:
      run.step.id ?? (remote ? `__${remote[1]}_${remote[2]}` : "__self"),
    GITHUB_ACTION_REPOSITORY: remote ? `${remote[1]}/${remote[2]}` : "",
    GITHUB_ACTION_REF: remote?.[3] ?? "",
    GITHUB_API_URL: job.apiUrl,
    GITHUB_ENV: files.env,
    GITHUB_EVENT_NAME: "workflow_dispatch",
    GITHUB_EVENT_PATH: state.eventPath,
    GITHUB_GRAPHQL_URL: graphqlUrl(job.apiUrl),
    GITHUB_JOB: state.workflow.jobId,
    GITHUB_OUTPUT: files.output,
    GITHUB_PATH: files.path,
    GITHUB_REF: `refs/heads/${job.ref}`,
    GITHUB_REF_NAME: job.ref,
    GITHUB_REF_PROTECTED: "false",
    GITHUB_REF_TYPE: "branch",
    GITHUB_REPOSITORY: job.repository,
    GITHUB_REPOSITORY_OWNER: repositoryName(state).owner,
    GITHUB_RETENTION_DAYS: "90",
    GITHUB_RUN_ATTEMPT: String(job.runAttempt),
    GITHUB_RUN_ID: String(job.runId),
    GITHUB_SERVER_URL: job.serverUrl,
    GITHUB_SHA: job.sha,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_WORKFLOW: state.workflow.name ?? "",
    GITHUB_WORKSPACE: state.dirs.workspace,
    RUNNER_ARCH: RUNNER_ARCH[process.arch] ?? process.arch,
    RUNNER_ENVIRONMENT: "github-hosted",
    RUNNER_NAME,
    RUNNER_OS: "Linux",
    RUNNER_TEMP: state.dirs.temp,
    RUNNER_TOOL_CACHE: state.dirs.toolCache,
    RUNNER_WORKSPACE: state.dirs.runnerWorkspace,
    ACTIONS_RUNTIME_TOKEN: job.runtimeToken,
    ACTIONS_RESULTS_URL: job.resultsUrl,
  };
  for (const [name, value] of Object.entries(inputs))
    env[`INPUT_${name.replaceAll(" ", "_").toUpperCase()}`] = value;

  const code = await runProcess(state, {
    file: process.execPath,
    args: [join(job.actionDir, action.main)],
    cwd: state.dirs.workspace,
    env,
  });
  if (state.stop.signal.aborted) return { outcome: "failure", outputs: {} };
  let outputs: Record<string, string>;
  try {
    outputs = await readFileCommands(state, files);
  } catch (error) {
    logLine(state.log, `##[error]${describeError(error)}`);
    return { outcome: "failure", outputs: {} };
  }
  state.outputs = outputs;
  if (code !== 0) {
    logLine(
      state.log,
      `##[debug]Node Action run completed with exit code ${code ?? "null (killed)"}`,
    );
  }
  return { outcome: code === 0 ? "success" : "failure", outputs };
}

function stepTitle(step: Step): string {
  if (step.name !== undefined) return String(step.name);
  if (step.uses !== undefined) return `Run ${step.uses}`;
  return `Run ${(step.run ?? "").split("\n")[0]}`;
}

/** The name GitHub shows once the step starts: `name:` evaluated, if it can be. */
function startedName(step: Step, scope: Scope): string {
  if (step.name === undefined) return stepTitle(step);
  try {
    return evaluateText(String(step.name), scope, "name");
  } catch {
    return stepTitle(step);
  }
}

/**
 * Runs one step, whatever it is: its env, then its `if:`, then its `with:`
 * (secrets may be read in `env:` and `with:`, not in `if:`, as on GitHub).
 * Records it in the `steps` context; a failure fails the job unless
 * continue-on-error says otherwise.
 */
async function runStep(state: JobState, step: Step): Promise<void> {
  let outcome: Outcome | "skipped";
  let outputs: Record<string, string> = {};
  let continueOnError = false;
  let record: JobStep | undefined;
  try {
    const unsupported = UNSUPPORTED_STEP_KEYS.find((key) => key in step);
    if (unsupported !== undefined) {
      throw prefixError(
        `${stepTitle(step)}: '${unsupported}' is not supported`,
      );
    }
    if ((step.uses === undefined) === (step.run === undefined)) {
      throw prefixError(
        `${stepTitle(step)}: a step must have either uses: or run:`,
      );
    }
    const jobEnv = { ...state.env, ...state.addedEnv };
    const env = {
      ...jobEnv,
      ...evaluateTexts(
        scalarTexts(step.env),
        stepScope(state, jobEnv, { secrets: true }),
        "env",
      ),
    };
    record = state.record.start(
      startedName(step, stepScope(state, env, { secrets: true })),
    );
    const condition = step.if === undefined ? "success()" : String(step.if);
    const status = { failed: state.failed, cancelled: false };
    if (
      !evaluateCondition(
        condition,
        stepScope(state, env, { secrets: false }),
        status,
      )
    ) {
      logLine(
        state.log,
        `##[debug]Skipping '${stepTitle(step)}': if: ${condition} is false`,
      );
      outcome = "skipped";
    } else {
      const scope = stepScope(state, env, { secrets: true });
      continueOnError =
        evaluateText(
          scalarText(step["continue-on-error"] ?? false),
          scope,
          "continue-on-error",
        ) === "true";
      const run: StepRun = {
        step,
        env,
        with: evaluateTexts(scalarTexts(step.with), scope, "with"),
      };
      ({ outcome, outputs } = await dispatchStep(state, run));
    }
  } catch (error) {
    logLine(state.log, `##[error]${describeError(error)}`);
    outcome = "failure";
  }
  record ??= state.record.start(stepTitle(step));
  if (state.stop.signal.aborted) {
    state.record.finish(record, "cancelled");
    return;
  }
  state.record.finish(record, outcome);
  if (step.id !== undefined) {
    state.steps[step.id] = {
      outputs,
      outcome,
      conclusion:
        outcome === "failure" && continueOnError ? "success" : outcome,
    };
  }
  if (outcome === "failure" && !continueOnError) state.failed = true;
}

async function dispatchStep(
  state: JobState,
  run: StepRun,
): Promise<StepResult> {
  const { step } = run;
  if (step.run !== undefined) {
    logLine(
      state.log,
      `skipped in the simulator: ${step.run.split("\n")[0] ?? ""}`,
    );
    return { outcome: "success", outputs: {} };
  }
  const uses = step.uses ?? "";
  if (/^actions\/checkout@/.test(uses)) {
    logRunGroup(state, uses, run);
    return { outcome: await checkout(state, run), outputs: {} };
  }
  if (/^actions\/setup-node@/.test(uses)) {
    logRunGroup(state, uses, run);
    logLine(
      state.log,
      `not run in the simulator: node ${process.version} is on PATH`,
    );
    return { outcome: "success", outputs: {} };
  }
  if (uses === "./action" || uses === "./action/" || REMOTE_ACTION.test(uses))
    return runJavaScriptAction(state, run, uses);
  logLine(
    state.log,
    `##[error]simulated runner: cannot run 'uses: ${uses}': it runs actions/checkout, actions/setup-node (as a no-op), ./action and <owner>/<repo>/action@<ref> (the action in ${state.job.actionDir})`,
  );
  return { outcome: "failure", outputs: {} };
}

// ---------------------------------------------------------------------------
// The job

/** `45m0s` */
function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}

/** Node's timers take at most 2^31-1 ms; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** GitHub's default job time limit. */
const DEFAULT_TIMEOUT_MINUTES = 360;

/**
 * `run-name` of the workflow for these inputs (GitHub's display_title).
 * Throws with a clear message when the workflow has none or it cannot be
 * evaluated. `context` supplies `vars` and `github` (GitHub evaluates
 * run-name with both; without them, `vars.*` reads as empty and `github`
 * holds only event_name).
 */
export function runName(
  workflow: string,
  inputs: Record<string, string>,
  context: { vars?: Record<string, string>; github?: ValueObject } = {},
): string {
  const file = readWorkflow(workflow);
  if (file.runName === undefined) {
    throw prefixError(
      "the workflow has no run-name, so its runs cannot be told apart by title",
    );
  }
  return evaluateText(
    file.runName,
    {
      inputs: inputsContext(file, inputs),
      vars: context.vars ?? {},
      github: {
        event_name: "workflow_dispatch",
        event: { inputs },
        ...context.github,
      },
    },
    "run-name",
  );
}

function jobScope(state: JobState): Scope {
  return {
    github: githubContext(state),
    inputs: state.inputs,
    vars: state.job.vars,
    needs: {},
    strategy: {},
    matrix: {},
  };
}

async function prepareDirectories(state: JobState): Promise<void> {
  const { dirs } = state;
  // Only what this runner made: the workspace and temp are fresh per job,
  // as on a hosted runner.
  for (const dir of [dirs.runnerWorkspace, dirs.temp, dirs.files])
    await rm(dir, { recursive: true, force: true });
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  await writeFile(state.eventPath, JSON.stringify(state.event, null, 2));
  if (state.job.user) {
    // The simulated GitHub's repositories are this process's; a job run as
    // another user fetches from them as from github.com. (Git keeps
    // safe.directory to the global configuration, and clears the
    // command line's for a local fetch.)
    await writeFile(join(dirs.home, ".gitconfig"), "[safe]\n\tdirectory = *\n");
  }
}

/**
 * Runs the workflow's single job. Resolves when it ends; `signal` cancels
 * it (conclusion "cancelled"; the process tree is killed). The job's
 * timeout-minutes (evaluated) also stops it ("timed_out"). Never throws for
 * a failing job: a step that fails gives conclusion "failure".
 */
export async function runStageJob(
  job: StageJob,
  signal?: AbortSignal,
): Promise<StageJobResult> {
  const log: JobLog = { lines: [], masks: [], stopToken: undefined };
  // The runner masks every secret the job can read, and its own token.
  for (const value of [...Object.values(job.secrets), job.runtimeToken])
    if (value !== "") addMask(log, value);
  const result = (
    conclusion: StageJobResult["conclusion"],
    rest: Partial<StageJobResult> = {},
  ): StageJobResult => ({
    conclusion,
    log: log.lines.join("\n"),
    summary: "",
    outputs: {},
    name: "",
    timeoutMinutes: DEFAULT_TIMEOUT_MINUTES,
    steps: [],
    ...rest,
  });

  // 1. Read the workflow.
  let workflow: Workflow;
  try {
    workflow = readWorkflow(job.workflow);
  } catch (error) {
    logLine(log, `##[error]${describeError(error)}`);
    return result("failure");
  }
  const { owner, name: repo } = repositoryName({ job });
  const runnerWorkspace = join(job.workDir, "work", repo);
  const state: JobState = {
    job,
    workflow,
    log,
    stop: new AbortController(),
    trackingId: `specwright_sim_${randomUUID()}`,
    dirs: {
      runnerWorkspace,
      workspace: join(runnerWorkspace, repo),
      temp: join(job.workDir, "temp"),
      toolCache: join(job.workDir, "tool-cache"),
      files: join(job.workDir, "file-commands"),
      home: join(job.workDir, "home"),
    },
    eventPath: join(job.workDir, "event.json"),
    event: {
      inputs: job.inputs,
      ref: `refs/heads/${job.ref}`,
      repository: {
        full_name: job.repository,
        name: repo,
        owner: { login: owner },
        html_url: `${job.serverUrl}/${job.repository}`,
      },
    },
    inputs: inputsContext(workflow, job.inputs),
    env: {},
    addedEnv: {},
    addedPath: [],
    steps: {},
    record: new JobSteps(job.now ?? (() => new Date())),
    failed: false,
    summary: [],
    outputs: {},
  };

  // 2. Evaluate the job's name, time limit and env.
  let name = workflow.jobId;
  let timeoutMinutes = DEFAULT_TIMEOUT_MINUTES;
  try {
    const scope = jobScope(state);
    if (workflow.job.name !== undefined)
      name = evaluateText(String(workflow.job.name), scope, "name");
    const timeout = workflow.job["timeout-minutes"];
    if (timeout !== undefined) {
      timeoutMinutes = toNumber(
        evaluateText(String(timeout), scope, "timeout-minutes"),
      );
      if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0) {
        throw prefixError(
          `timeout-minutes '${timeout}' is not a positive number of minutes`,
        );
      }
    }
    const secrets = { ...scope, secrets: job.secrets };
    const workflowEnv = evaluateTexts(workflow.env, secrets, "env");
    state.env = {
      ...workflowEnv,
      ...evaluateTexts(
        scalarTexts(workflow.job.env),
        { ...secrets, env: workflowEnv },
        `jobs.${workflow.jobId}.env`,
      ),
    };
  } catch (error) {
    logLine(log, `##[error]${describeError(error)}`);
    return result("failure", { name, timeoutMinutes });
  }
  const { record } = state;

  // 3. Arm the cancel signal and the time limit.
  const timeoutMs = job.timeoutMsOverride ?? timeoutMinutes * 60_000;
  const timer = setTimeout(
    () => state.stop.abort("timed_out"),
    Math.min(timeoutMs, MAX_TIMER_MS),
  );
  const cancel = () => state.stop.abort("cancelled");
  if (signal?.aborted) cancel();
  signal?.addEventListener("abort", cancel, { once: true });

  // 4. Run the steps.
  const steps = workflow.job.steps;
  let reached = 0;
  try {
    const setUp = record.start("Set up job");
    await prepareDirectories(state);
    record.finish(setUp, "success");
    logLine(log, `Job: ${name} (${workflow.jobId}) on ${RUNNER_NAME}`);
    for (const step of steps) {
      if (state.stop.signal.aborted) break;
      reached++;
      await runStep(state, step);
    }
  } catch (error) {
    logLine(log, `##[error]${describeError(error)}`);
    state.failed = true;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", cancel);
  }
  record.stopAll(state.stop.signal.aborted ? "cancelled" : "failure");
  for (const step of steps.slice(reached))
    record.notReached(stepTitle(step), "skipped");

  // 5. Clean up what the steps left running, and conclude.
  const complete = record.start("Complete job");
  try {
    const orphans = await killJobProcesses(state.trackingId);
    if (orphans.length > 0) logLine(log, "Cleaning up orphan processes");
    for (const orphan of orphans) {
      logLine(
        log,
        `Terminate orphan process: pid (${orphan.pid}) (${orphan.name})`,
      );
    }
  } catch (error) {
    logLine(log, `##[error]${describeError(error)}`);
    state.failed = true;
  }
  let conclusion: StageJobResult["conclusion"] = state.failed
    ? "failure"
    : "success";
  if (state.stop.signal.reason === "timed_out") {
    logLine(
      log,
      `##[error]The job has exceeded the maximum execution time of ${formatDuration(timeoutMs)}`,
    );
    conclusion = "timed_out";
  } else if (state.stop.signal.reason === "cancelled") {
    logLine(log, "##[error]The operation was canceled.");
    conclusion = "cancelled";
  }
  record.finish(complete, "success");
  return result(conclusion, {
    summary: state.summary.join(""),
    outputs: state.outputs,
    name,
    timeoutMinutes,
    steps: record.list,
  });
}
