import type { StageRequest } from "../../../../src/contracts/stage-request.js";
import type { StoppedBy } from "../../../../src/contracts/stage-result.js";

/** Tokens (in and out) and cost so far, as far as they are known. */
export interface SeenUsage {
  input_tokens?: number | undefined;
  output_tokens?: number | undefined;
  cost_usd?: number | undefined;
}

/**
 * Holds one agent run to the request's turn, token and cost limits while
 * it runs: what counts turns or sees usage tells it, and it aborts
 * `signal` (which stops the agent's process group) at the first limit
 * passed.
 */
export interface LimitWatch {
  readonly signal: AbortSignal;
  /**
   * A model turn begins: false when it would pass the turn limit (the
   * agent is being stopped, and the turn should not run).
   */
  turn(): boolean;
  /**
   * A turn ended that another will follow (the model asked for tools):
   * stops the agent if that turn was its last, before the next is asked for.
   */
  turnEnded(): void;
  /** The usage so far, totals over the run. */
  usage(seen: SeenUsage): void;
  /** The turns counted so far. */
  turns(): number;
  /** The limit that stopped the agent, once one has. */
  stoppedBy(): StoppedBy | undefined;
}

/** Starts a watch over the request's limits (none of them is required). */
export function watchLimits(agent: StageRequest["agent"]): LimitWatch {
  const controller = new AbortController();
  let stopped: StoppedBy | undefined;
  let turns = 0;
  let tokens = 0;
  let cost = 0;
  const stop = (reason: StoppedBy) => {
    if (stopped !== undefined) return;
    stopped = reason;
    controller.abort();
  };
  return {
    signal: controller.signal,
    turn() {
      if (stopped !== undefined) return false;
      turns++;
      if (agent.max_turns !== undefined && turns > agent.max_turns) {
        turns = agent.max_turns;
        stop({ limit: "turns", max: agent.max_turns, used: turns });
        return false;
      }
      return true;
    },
    turnEnded() {
      if (agent.max_turns !== undefined && turns >= agent.max_turns)
        stop({ limit: "turns", max: agent.max_turns, used: turns });
    },
    usage(seen) {
      const total = (seen.input_tokens ?? 0) + (seen.output_tokens ?? 0);
      tokens = Math.max(tokens, total);
      cost = Math.max(cost, seen.cost_usd ?? 0);
      if (agent.max_tokens !== undefined && tokens > agent.max_tokens)
        stop({ limit: "tokens", max: agent.max_tokens, used: tokens });
      else if (agent.max_cost_usd !== undefined && cost > agent.max_cost_usd)
        stop({ limit: "cost", max: agent.max_cost_usd, used: cost });
    },
    turns: () => turns,
    stoppedBy: () => stopped,
  };
}
