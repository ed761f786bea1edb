import { agentEnvironment } from "../../../action/src/agents/agent-environment.js";
import { preflight } from "../../../action/src/preflight.js";
import type { Effect } from "../../engine/effects.js";
import type { RunState } from "../../engine/run-state.js";
import { transition } from "../../engine/transition.js";
import { localCredentials } from "../stage/local-credentials.js";

/**
 * Why the run's first stages could not start here, or null: the stage
 * runner's own preflight (the agent CLI, its credential, the skill) for
 * each, on a copy of the run that never leaves memory. Asked before the run
 * folder exists, so a missing CLI or key leaves nothing behind.
 */
export async function checkAgentsReady(options: {
  state: RunState;
  head: string;
  repoRoot: string;
  env: NodeJS.ProcessEnv;
  at: string;
}): Promise<string | null> {
  const started = transition(options.state, { type: "start", at: options.at });
  const branched = transition(started.state, {
    type: "branch_created",
    sha: options.head,
    at: options.at,
  });
  const dispatches = branched.effects.filter(
    (e): e is Extract<Effect, { kind: "dispatch_stage" }> =>
      e.kind === "dispatch_stage",
  );
  const credentials = localCredentials(options.env);
  const seen = new Set<string>();
  for (const { request } of dispatches) {
    const key = `${request.agent.backend} ${request.agent.command ?? ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const env = agentEnvironment({
      request,
      env: options.env,
      credentials,
      root: process.getuid?.() === 0,
    });
    const profile = await preflight({ request, cwd: options.repoRoot, env });
    if (!profile.ready) {
      // Locally the credential comes from your environment, not a secret.
      const reason =
        profile.agent.path !== null && !profile.credentials.present
          ? `the ${request.agent.backend} CLI needs ${profile.credentials.accepted.join(" or ")}, which is not set: export it, then run again`
          : profile.failure_reason;
      return `stage ${request.stage} cannot run here: ${reason}`;
    }
  }
  return null;
}
