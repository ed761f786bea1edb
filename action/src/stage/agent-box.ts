import type { StageRequest } from "../../../src/contracts/stage-request.js";
import {
  type AgentUser,
  setUpAgentUser,
} from "../agents/isolation/agent-user.js";
import { proxyCredentials } from "../agents/proxy/proxy-credentials.js";
import type { StageMeter } from "../agents/proxy/proxy-meter.js";
import type { ActionLog, StageDependencies } from "./stage-dependencies.js";

/**
 * Where the stage's agent runs: as its own user when isolated, its
 * credential held by a local proxy where the backend allows one.
 */
export interface AgentBox {
  user: AgentUser | undefined;
  /** The agent's environment: the credential replaced by the proxy's placeholder. */
  env: NodeJS.ProcessEnv;
  /** Appended to the CLI's own arguments (codex's provider for the proxy). */
  args: string[];
  /** The credential proxy's meter of the agent's model traffic, when it has one. */
  meter?: StageMeter | undefined;
  close(): Promise<void>;
}

/** The agent's environment, less every value the proxy holds, under any name. */
function withoutHeld(
  env: NodeJS.ProcessEnv,
  put: Record<string, string>,
  held: readonly string[],
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && held.includes(value)) continue;
    out[name] = value;
  }
  return { ...out, ...put };
}

/**
 * Sets up the agent's box for a stage. With `agent-isolation: none` the
 * agent runs as the action's user with its key in its environment: it
 * could read the action's memory, so a proxy would hide nothing. Throws
 * with the reason when isolation cannot be set up.
 */
export async function openAgentBox(options: {
  request: StageRequest;
  deps: StageDependencies;
  env: NodeJS.ProcessEnv;
  uid: number | undefined;
  log: ActionLog;
}): Promise<AgentBox> {
  const { request, deps, env, log } = options;
  if (deps.isolation !== "user") {
    return { user: undefined, env, args: [], close: async () => {} };
  }
  const user = await setUpAgentUser(deps.cwd, options.uid);
  const proxy = await proxyCredentials({
    backend: request.agent.backend,
    credentials: deps.credentials,
    env: deps.env,
  });
  log.info(
    `specwright: the agent runs as its own user ${user.name} (uid ${user.uid}): it cannot read the runner's credentials nor use sudo${proxy ? "; its key stays in a local proxy, the agent holds a placeholder" : ""}`,
  );
  return {
    user,
    env: proxy ? withoutHeld(env, proxy.env, proxy.withheld) : env,
    args: proxy?.args ?? [],
    meter: proxy?.meter,
    close: async () => {
      await proxy?.close();
    },
  };
}
