import { agentEnvironment } from "../../../action/src/agents/agent-environment.js";
import { TESTED_CLIS } from "../../../action/src/agents/tested-versions.js";
import {
  preflight,
  type WorkerStartupProfile,
} from "../../../action/src/preflight.js";
import type { Effect } from "../../engine/effects.js";
import type { RunState } from "../../engine/run-state.js";
import { transition } from "../../engine/transition.js";
import type { AgentBackend } from "../../workflow/schema.js";
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
      const reason = localReason(request.agent, profile);
      return `stage ${request.stage} cannot run here: ${reason}`;
    }
  }
  return null;
}

/**
 * What is missing, said for your shell: the shared preflight speaks of the
 * stage workflow and of repository secrets, which a local run has not.
 */
function localReason(
  agent: { backend: AgentBackend; command?: string | undefined },
  profile: WorkerStartupProfile,
): string | null {
  const { backend } = agent;
  if (profile.agent.path === null && backend !== "command") {
    const cli = TESTED_CLIS[backend];
    return `the ${backend} agent CLI (${profile.agent.executable}) is not on PATH: install it (npm install --global ${cli.package}@${cli.version}, the version Specwright is tested with), or choose another with --backend`;
  }
  if (profile.agent.path === null)
    return `the agent command (${profile.agent.executable}) is not on PATH or not executable: check agent.command in the configuration`;
  if (!profile.credentials.present)
    return `the ${backend} CLI needs ${profile.credentials.accepted.join(" or ")}, which is not set: export it, then run again`;
  return profile.failure_reason;
}
