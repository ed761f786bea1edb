import { CREDENTIAL_VARIABLES } from "../agents/agent-environment.js";
import type { Credential } from "../agents/backends.js";

/**
 * Names a runner's secret goes by: the runner's and GitHub's tokens
 * (ACTIONS_RUNTIME_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN, GITHUB_TOKEN,
 * GH_TOKEN, RUNNER_TOKEN) and what a workflow names its own (NPM_TOKEN,
 * AWS_SECRET_ACCESS_KEY, MY_API_KEY …).
 */
const SECRET_NAME =
  /(?:^|_)(?:TOKEN|SECRET|PASSWORD|PASSWD|PAT|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)(?:_|$)/i;

/** An action input that holds a credential (`INPUT_OPENAI-API-KEY`). */
const CREDENTIAL_INPUT = /^INPUT_.*-(?:KEY|TOKEN)$/i;

/**
 * A found variable this short is more likely a flag than a secret, and
 * masking it would garble ordinary text.
 */
const MIN_FOUND = 8;

/**
 * Every secret the stage holds, masked in all it hands back and refused in
 * the files it changes: the credential inputs, and every credential or
 * token in the runner's environment.
 */
export function stageSecrets(options: {
  credentials: Partial<Record<Credential["input"], string>>;
  env: NodeJS.ProcessEnv;
}): string[] {
  const found = Object.entries(options.env)
    .filter(
      ([name]) =>
        CREDENTIAL_VARIABLES.has(name) ||
        SECRET_NAME.test(name) ||
        CREDENTIAL_INPUT.test(name),
    )
    .map(([, value]) => value ?? "")
    .filter((value) => value.length >= MIN_FOUND);
  return [
    ...new Set([
      ...Object.values(options.credentials).filter((s): s is string =>
        Boolean(s),
      ),
      ...found,
    ]),
  ];
}
