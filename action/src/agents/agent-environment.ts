import type { StageRequest } from "../../../src/contracts/stage-request.js";
import { BACKENDS, type Credential } from "./backends.js";

/**
 * Variables the agent never sees: the runner's tokens (an agent holding
 * ACTIONS_RUNTIME_TOKEN could upload a bundle in the App's name, one
 * holding ACTIONS_ID_TOKEN_REQUEST_* could mint OIDC tokens), the action's
 * inputs (other backends' keys), GitHub tokens, and the runner's command
 * files: an agent that appends to GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH or
 * GITHUB_STATE sets the step's outputs, or the variables and PATH of the
 * job's later steps; one that writes GITHUB_STEP_SUMMARY writes the run's
 * page, unmasked.
 */
const WITHHELD = [
  /^ACTIONS_/,
  /^INPUT_/,
  /^GITHUB_TOKEN$/,
  /^GH_TOKEN$/,
  /^RUNNER_TOKEN$/,
  /^GITHUB_(?:OUTPUT|ENV|PATH|STATE|STEP_SUMMARY)$/,
];

/** Every variable any backend reads a credential from. */
export const CREDENTIAL_VARIABLES = new Set(
  Object.values(BACKENDS).flatMap((spec) =>
    spec.credentials.flatMap((c) => c.env),
  ),
);

/** The variables another backend's credential could be in. */
function othersCredentials(own: readonly Credential[]): Set<string> {
  const mine = new Set(own.flatMap((c) => c.env));
  return new Set([...CREDENTIAL_VARIABLES].filter((name) => !mine.has(name)));
}

export interface AgentEnvironmentOptions {
  request: StageRequest;
  /** The runner's environment. */
  env: NodeJS.ProcessEnv;
  credentials: Partial<Record<Credential["input"], string>>;
  /** The agent runs as root (a container job, some self-hosted runners). */
  root: boolean;
}

/**
 * The agent's environment: the runner's, less the tokens and other
 * backends' credentials it must not hold, plus the request's variables, its own backend's
 * credential (under every name its CLI reads it from), what its CLI needs
 * to run unattended, and the Spec Kit feature the stage works on.
 */
export function agentEnvironment(
  options: AgentEnvironmentOptions,
): NodeJS.ProcessEnv {
  const { request } = options;
  const spec = BACKENDS[request.agent.backend];
  const others = othersCredentials(spec.credentials);
  const env: NodeJS.ProcessEnv = {};
  const hidden = new Set(spec.hidden ?? []);
  for (const [name, value] of Object.entries(options.env)) {
    if (WITHHELD.some((pattern) => pattern.test(name))) continue;
    if (others.has(name) || hidden.has(name)) continue;
    env[name] = value;
  }
  Object.assign(env, request.env);
  for (const credential of spec.credentials) {
    const value = options.credentials[credential.input];
    if (!value) continue;
    for (const name of credential.env) env[name] = value;
  }
  Object.assign(env, spec.environment?.({ root: options.root }) ?? {});
  if (request.spec_dir) {
    // Spec Kit 1.x finds the feature by its directory; the classic scripts
    // by its name, else by the branch, which a detached checkout lacks.
    env.SPECIFY_FEATURE_DIRECTORY = request.spec_dir;
    env.SPECIFY_FEATURE =
      request.spec_dir.split("/").at(-1) ?? request.spec_dir;
  }
  env.SPECWRIGHT_RUN_ID = request.run_id;
  env.SPECWRIGHT_STAGE = request.stage;
  return env;
}
