import { readFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { CheckConfigResult } from "../config/check-config.js";
import { loadConfig } from "../config/load-config.js";
import { createRunState } from "../engine/create-run-state.js";
import { acquireRunLock } from "../local/run-folder/index.js";
import { checkAgentsReady } from "../local/start/check-agents-ready.js";
import { startLocalRun } from "../local/start/start-local-run.js";
import { planWorkflow } from "../workflow/plan/plan-workflow.js";
import { renderPlanText } from "../workflow/plan/render-plan-text.js";
import { resolveParameters } from "../workflow/plan/resolve-parameters.js";
import { type CliIo, EXIT, UsageError } from "./io.js";
import { driveInTerminal } from "./local/drive-in-terminal.js";
import { localTerminal } from "./local/local-terminal.js";
import {
  parseBackend,
  parseConcurrency,
  parseParams,
} from "./local/parse-options.js";
import {
  checkClean,
  findRepositoryRoot,
  headCommit,
} from "./local/repository.js";
import { printDiagnostics } from "./print-diagnostics.js";
import { DEFAULT_CONFIG_FILE } from "./read-config-file.js";

export const RUN_HELP = `Usage: specwright run [file] --feature "text" [options]

Runs a workflow on your machine with the same engine and stage runner as on
GitHub: each stage's agent works in a checkout of its own, and what it
changes is checked and committed to a new branch, checked out in
.specwright/runs/<id>/workspace/. Stages of one batch run side by side.
On a terminal, a gate asks whether to go on; otherwise the run stops there
and says how to approve it. Ctrl+C cancels (\`specwright resume\` goes on).

Arguments:
  file                   the configuration file (default: ${DEFAULT_CONFIG_FILE}
                         in the repository, or the built-in workflow)

Options:
  --feature TEXT         what to build (the request a /specify comment gives)
  -p, --param key=value  a workflow parameter (repeatable)
  --backend NAME         the agent for stages that name none (claude, codex,
                         gemini, copilot, command)
  --concurrency N        stages run at once (default 3)
  --dry-run              show the plan; run nothing
  --json                 one JSON event per line on stdout
  -h, --help             show this help

Credentials come from the variables the agent CLIs read: ANTHROPIC_API_KEY
or CLAUDE_CODE_OAUTH_TOKEN, OPENAI_API_KEY or CODEX_API_KEY, GEMINI_API_KEY,
COPILOT_GITHUB_TOKEN.

Exit status: 0 succeeded (or waiting at a gate), 1 failed, cancelled or
refused, 2 usage error.
`;

/** The configuration: the file named (from here), else the repository's, else the defaults. */
async function readConfig(
  io: CliIo,
  cwd: string,
  repoRoot: string,
  named: string | undefined,
): Promise<{ result: CheckConfigResult; file: string; text: string }> {
  const file =
    named === undefined
      ? join(repoRoot, DEFAULT_CONFIG_FILE)
      : isAbsolute(named)
        ? named
        : resolve(cwd, named);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (named === undefined && code === "ENOENT") {
      io.stderr(
        `specwright: no ${DEFAULT_CONFIG_FILE} in the repository; using the built-in workflow\n`,
      );
      return { result: loadConfig(""), file, text: "" };
    }
    throw new UsageError(
      `cannot read ${named ?? file}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`,
    );
  }
  return { result: loadConfig(text), file: named ?? DEFAULT_CONFIG_FILE, text };
}

/** `specwright run [file] --feature "text" [options]` */
export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      help: { type: "boolean", short: "h" },
      feature: { type: "string" },
      param: { type: "string", short: "p", multiple: true, default: [] },
      backend: { type: "string" },
      concurrency: { type: "string" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout(RUN_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 1)
    throw new UsageError(
      `expected at most one file, got ${positionals.length}`,
    );
  const concurrency = parseConcurrency(values.concurrency);
  const backend = parseBackend(values.backend);
  const supplied = parseParams(values.param);
  const feature = values.feature?.trim() ?? "";
  if (feature === "" && !values["dry-run"])
    throw new UsageError(
      'what should be built? Say it with --feature, e.g. --feature "Add a dark mode toggle"',
    );

  const terminal = localTerminal(io);
  const repoRoot = await findRepositoryRoot(terminal.cwd);
  // A repository a run cannot start in is the one thing said (a dry run
  // runs nothing, so needs neither a commit nor a clean tree).
  const head = values["dry-run"] ? "" : await headCommit(repoRoot);
  if (!values["dry-run"]) await checkClean(repoRoot);
  const { result, file, text } = await readConfig(
    io,
    terminal.cwd,
    repoRoot,
    positionals[0],
  );
  if (!result.ok) {
    printDiagnostics(io, file, result.diagnostics);
    return EXIT.invalid;
  }
  const config =
    backend === undefined
      ? result.config
      : { ...result.config, agent: { ...result.config.agent, backend } };
  const { workflow } = result;
  const parameters = resolveParameters(workflow.parameters, supplied);
  if (parameters.errors.length > 0)
    throw new UsageError(parameters.errors.join("; "));

  if (values["dry-run"]) {
    const plan = planWorkflow({
      workflow,
      graph: result.graph,
      parameters: parameters.values,
      agent: config.agent,
      fallback: config.skills.fallback,
    });
    io.stdout(
      values.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanText(plan),
    );
    return EXIT.ok;
  }

  const now = terminal.now();
  const { workflow: _, ...settings } = config;
  const problem = await checkAgentsReady({
    state: createRunState({
      id: "00000000-0000-4000-8000-000000000000",
      installation_id: 0,
      owner: "local",
      repo: "preflight",
      html_url: "",
      issue: null,
      feature,
      requested_by: terminal.user,
      base_branch: "HEAD",
      branch: "preflight",
      workflow,
      settings,
      parameters: parameters.values,
      at: now.toISOString(),
    }),
    head,
    repoRoot,
    env: terminal.env,
    at: now.toISOString(),
  });
  if (problem !== null) {
    io.stderr(`specwright run: ${problem}\n`);
    return EXIT.invalid;
  }
  const { paths, metadata } = await startLocalRun({
    repoRoot,
    config,
    workflow,
    workflowText: text,
    feature,
    parameters: parameters.values,
    by: terminal.user,
    now,
  });
  const lock = await acquireRunLock(paths, "specwright run");
  if (!values.json) io.stderr(`specwright: run ${paths.id} in ${paths.root}\n`);
  return driveInTerminal({
    io,
    terminal,
    paths,
    metadata,
    lock,
    events: [{ type: "start", at: now.toISOString() }],
    concurrency,
    json: values.json === true,
  });
}
