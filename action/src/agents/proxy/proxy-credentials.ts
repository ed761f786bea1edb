import type { AgentBackend } from "../../../../src/workflow/schema.js";
import type { Credential } from "../backends.js";
import { startCredentialProxy } from "./credential-proxy.js";
import { createStageMeter, type StageMeter } from "./proxy-meter.js";
import { planProxy } from "./proxy-plan.js";

/** The stage's credential, held by a proxy: what the agent gets instead. */
export interface ProxiedCredentials {
  /**
   * Set over the agent's environment: the base URL (the proxy's) and every
   * variable the CLI reads its key from (the placeholder).
   */
  env: Record<string, string>;
  /** Appended to the CLI's arguments (codex's provider). */
  args: string[];
  /** The credential values the agent no longer gets. */
  withheld: string[];
  /** What the agent's runs attach their limit watches to. */
  meter: StageMeter;
  /** Stops the proxy, once the stage's agent runs are over. */
  close(): Promise<void>;
}

/**
 * Starts a proxy holding the stage's credential, where the backend can be
 * pointed at one (docs/agents.md says which can): the agent, which reads
 * untrusted text, then holds only a placeholder for this run. Undefined
 * when the backend or its credential is not proxied: the agent holds the
 * key, as before.
 */
export async function proxyCredentials(options: {
  backend: AgentBackend;
  credentials: Partial<Record<Credential["input"], string>>;
  /** The runner's environment (a base URL the workflow set is the upstream). */
  env: NodeJS.ProcessEnv;
}): Promise<ProxiedCredentials | undefined> {
  const plan = planProxy(options);
  if (!plan) return undefined;
  const meter = createStageMeter();
  const proxy = await startCredentialProxy({
    upstream: plan.upstream,
    keys: plan.keys,
    meter,
  });
  return {
    ...plan.agent(proxy),
    withheld: plan.withheld,
    meter,
    close: () => proxy.close(),
  };
}
