import {
  BACKENDS,
  type Credential,
} from "../../../action/src/agents/backends.js";

/**
 * The agents' credentials on your own machine: each from the variables its
 * CLI reads (ANTHROPIC_API_KEY, OPENAI_API_KEY, …), as the stage workflow
 * passes them from repository secrets on GitHub. The stage runner gives an
 * agent only its own backend's.
 */
export function localCredentials(
  env: NodeJS.ProcessEnv,
): Partial<Record<Credential["input"], string>> {
  const found: Partial<Record<Credential["input"], string>> = {};
  for (const spec of Object.values(BACKENDS)) {
    for (const credential of spec.credentials) {
      const value = credential.env.map((name) => env[name]).find(Boolean);
      if (value) found[credential.input] ??= value;
    }
  }
  return found;
}
