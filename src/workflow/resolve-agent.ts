import type { AgentBackend, AgentOverride } from "./schema.js";

/** The agent a stage runs with, after its overrides. */
export interface ResolvedAgent {
  backend: AgentBackend;
  model?: string;
  args: string[];
  max_turns?: number;
}

/**
 * Applies a stage's agent overrides to the repository's agent settings. A
 * stage that switches backend does not inherit the repository's model or
 * extra arguments, which belong to the other CLI; the turn limit carries over.
 */
export function resolveAgent(
  base: AgentOverride & { backend: AgentBackend },
  override: AgentOverride | undefined,
): ResolvedAgent {
  const backend = override?.backend ?? base.backend;
  const sameBackend = backend === base.backend;
  const model = override?.model ?? (sameBackend ? base.model : undefined);
  const maxTurns = override?.max_turns ?? base.max_turns;
  return {
    backend,
    ...(model === undefined ? {} : { model }),
    args: override?.args ?? (sameBackend ? (base.args ?? []) : []),
    ...(maxTurns === undefined ? {} : { max_turns: maxTurns }),
  };
}
