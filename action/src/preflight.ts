import type { StageRequest } from "../../src/contracts/stage-request.js";
import { splitCommand } from "../../src/workflow/split-command.js";
import { BACKENDS } from "./agents/backends.js";
import { TESTED_CLIS, versionNumber } from "./agents/tested-versions.js";
import { cliVersion, minimalEnvironment } from "./cli-version.js";
import { exec, which } from "./exec.js";
import { detectSpecKit, type SpecKitSetup } from "./speckit.js";

/**
 * The runner's readiness for a stage (the Skills-First seed's
 * WorkerStartupProfile), recorded as `environment.json` in the bundle.
 */
export interface WorkerStartupProfile {
  worker_id: string;
  runner: {
    name: string;
    os: string;
    arch: string;
    environment: string;
    labels: string[];
  };
  agent: {
    backend: string;
    executable: string;
    path: string | null;
    version: string | null;
  };
  speckit: SpecKitSetup & { cli_version: string | null };
  credentials: { accepted: string[]; present: boolean };
  skill: { id: string; usable: boolean; reason: string | null };
  ready: boolean;
  failure_reason: string | null;
  /** What may go wrong though the runner is ready (an untested CLI version). */
  warnings: string[];
}

/** What preflight reads of the request. */
type PreflightRequest = Pick<StageRequest, "stage" | "agent" | "skill">;

const errorMessage = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

/** Whether the stage's skill can run here, and why not. */
async function skillUsability(
  request: PreflightRequest,
  speckit: SpecKitSetup,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ usable: boolean; reason: string | null }> {
  const { skill, stage } = request;
  if (skill.id === "none")
    return { usable: false, reason: "the stage runs no skill" };
  if (!skill.allowlisted)
    return { usable: false, reason: "it is not allowlisted" };
  if (skill.is_speckit) {
    if (!speckit.available)
      return {
        usable: false,
        reason: "Spec Kit is not set up in the repository (no .specify/)",
      };
    if (!speckit.stages.includes(stage)) {
      return {
        usable: false,
        reason: `Spec Kit has no command for '${stage}' for the ${request.agent.backend} agent here`,
      };
    }
  }
  if (skill.health_check) {
    let words: string[];
    try {
      words = splitCommand(skill.health_check);
    } catch (error) {
      return {
        usable: false,
        reason: `its health check \`${skill.health_check}\` is not a command line (${errorMessage(error)})`,
      };
    }
    const [command = "", ...args] = words;
    if (command === "")
      return { usable: false, reason: "its health check names no command" };
    const result = await exec(command, args, { env, cwd, timeoutMs: 60_000 });
    if (result.code !== 0) {
      const detail =
        (result.stderr || result.stdout).trim().split("\n")[0] ?? "";
      return {
        usable: false,
        reason: `its health check \`${skill.health_check}\` failed${detail ? `: ${detail}` : ""}`,
      };
    }
  }
  return { usable: true, reason: null };
}

/**
 * Checks the runner before the agent runs: the agent CLI is on PATH (and its
 * version), a credential it needs is there, Spec Kit is set up and has the
 * stage's command, the skill's health check passes. Not ready means the
 * stage fails at once, with the reason.
 */
export async function preflight(options: {
  request: PreflightRequest;
  cwd: string;
  /** The environment the agent will get (credentials included). */
  env: NodeJS.ProcessEnv;
}): Promise<WorkerStartupProfile> {
  const { request, cwd, env } = options;
  const backend = request.agent.backend;
  const spec = BACKENDS[backend];
  // An unparseable agent.command fails the stage here, with a bundle, rather
  // than throwing when the agent is started.
  let commandError: string | undefined;
  let executable = spec.executable;
  if (backend === "command") {
    try {
      executable = splitCommand(request.agent.command ?? "")[0] ?? "";
    } catch (error) {
      commandError = errorMessage(error);
      executable = "";
    }
  }
  const path =
    executable === "" ? undefined : await which(executable, env, cwd);
  const speckit = await detectSpecKit(cwd, backend);
  const specifyPath = await which("specify", env);
  const accepted = spec.credentials.map((c) => c.env[0] ?? c.input);
  const present =
    accepted.length === 0 ||
    spec.credentials.some((c) =>
      c.env.some((name) => (env[name] ?? "") !== ""),
    );
  const skill = {
    id: request.skill.id,
    ...(await skillUsability(request, speckit, env, cwd)),
  };

  let failure: string | null = null;
  if (commandError !== undefined) {
    failure = `agent.command in .github/specwright.yml is not a command line: ${commandError}`;
  } else if (backend === "command" && executable === "") {
    failure =
      "the command backend needs agent.command in .github/specwright.yml";
  } else if (path === undefined) {
    failure = `the ${backend} agent CLI (${executable}) is not on PATH; the stage workflow must install it${backend === "command" ? "" : ` (npm install --global ${TESTED_CLIS[backend].package}@${TESTED_CLIS[backend].version})`}`;
  }
  const agentVersion =
    path && backend !== "command" ? await cliVersion(path, env, cwd) : null;
  const found = `${backend} ${versionNumber(agentVersion) ?? "(version unknown)"} found`;
  if (failure === null && !present) {
    const how = spec.credentials
      .map(
        (c) =>
          `add the repository secret ${c.secret} and pass it to the action's ${c.input} input`,
      )
      .join(", or ");
    failure = `${found}; ${accepted.join(" or ")} missing: ${how} (Settings → Secrets and variables → Actions)`;
  }
  const warnings: string[] = [];
  if (backend !== "command" && path !== undefined) {
    const tested = TESTED_CLIS[backend].version;
    const number = versionNumber(agentVersion);
    if (number !== tested) {
      warnings.push(
        `${found}; Specwright is tested with ${backend} ${tested}: install that version (the repository variable SPECWRIGHT_AGENT_VERSION overrides it) if this one misbehaves`,
      );
    }
  }
  if (
    request.skill.is_speckit &&
    speckit.available &&
    speckit.stages.length === 0
  ) {
    warnings.push(
      `Spec Kit is set up (.specify/) but no ${backend === "command" ? "agent's" : `${backend}`} commands were found; run \`specify init --here --integration ${backend === "command" ? "<agent>" : backend}\` to install them`,
    );
  }
  const runnerOs = process.env.RUNNER_OS ?? process.platform;
  const arch = process.env.RUNNER_ARCH ?? process.arch;
  const environment = process.env.RUNNER_ENVIRONMENT ?? "unknown";
  return {
    worker_id: process.env.RUNNER_NAME ?? "local",
    runner: {
      name: process.env.RUNNER_NAME ?? "local",
      os: runnerOs,
      arch,
      environment,
      labels: [runnerOs, arch, environment].filter((l) => l !== "unknown"),
    },
    agent: { backend, executable, path: path ?? null, version: agentVersion },
    speckit: {
      ...speckit,
      // Spec Kit's CLI gets no credential: it is not the agent, and what it
      // prints is recorded (masked when the bundle is written, as all is).
      cli_version: specifyPath
        ? await cliVersion(specifyPath, minimalEnvironment(env), cwd)
        : null,
    },
    credentials: { accepted, present },
    skill,
    ready: failure === null,
    failure_reason: failure,
    warnings,
  };
}
